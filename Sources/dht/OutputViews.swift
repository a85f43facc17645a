import Kademlia

/// The text of `keys`, `peers` and `where`: aligned columns a person can scan.
enum OutputViews {
    /// What this node stores, by key, then its BEP 44 items (when it holds any); a last line
    /// counts the deleted keys left out (`keys --all` lists them).
    static func keys(_ held: [HeldValue], items: [HeldItem] = [], hiddenTombstones: Int = 0) -> String {
        let hiddenNote = hiddenTombstones > 0
            ? ["\(count(hiddenTombstones, "deleted key")) not shown (keys --all lists \(hiddenTombstones == 1 ? "it" : "them"))"] : []
        guard !held.isEmpty || !items.isEmpty else { return (["No keys stored on this node"] + hiddenNote).joined(separator: "\n") }
        var text: [String] = []
        if !held.isEmpty {
            let rows = held.map { value in
                [value.key.map(quoted) ?? "(target \(value.target.hex.prefix(8)))", String(value.seq),
                 value.isTombstone ? "deleted" : "\(value.size) B", "\(short(value.timeLeft)) left"]
            }
            let tombstones = held.count { $0.isTombstone }
            let summary = tombstones == 0 ? count(held.count, "value")
                : "\(count(held.count - tombstones, "value")), \(count(tombstones, "tombstone"))"
            text.append(table(header: ["Key", "Seq", "Size", "Expires"], rows: rows, rightAligned: [1, 2]) + "\n" + summary)
        }
        if !items.isEmpty {
            let rows = items.map { item in
                [String(item.target.hex.prefix(16)), item.seq.map { "mutable, seq \($0)" } ?? "immutable", "\(item.size) B",
                 "\(short(item.timeLeft)) left"]
            }
            text.append(table(header: ["Item", "Kind", "Size", "Expires"], rows: rows, rightAligned: [2])
                        + "\n" + count(items.count, "BEP 44 item"))
        }
        return (text + hiddenNote).joined(separator: "\n")
    }

    /// This node's contacts, by bucket.
    static func peers(_ peers: [Peer]) -> String {
        guard !peers.isEmpty else { return "No contacts known" }
        let rows = peers.map { peer in
            [String(peer.contact.id.hex.prefix(8)), peer.contact.address.description, String(peer.bucket),
             "\(short(peer.quietFor)) ago", peer.roundTrip?.millisecondsText ?? "-"]
        }
        return table(header: ["ID", "Address", "Bucket", "Last seen", "RTT"], rows: rows, rightAligned: [2, 3, 4])
            + "\n\(count(peers.count, "contact")) in \(count(Set(peers.map(\.bucket)).count, "bucket"))"
    }

    /// The K closest nodes to a key and what each holds.
    static func placement(key: String, _ nodes: [Placement]) -> String {
        let rows = nodes.enumerated().map { index, node in
            [String(index + 1), String(node.contact.id.hex.prefix(8)), node.contact.address.description,
             node.isThisNode ? "this node" : "", node.holds.map { $0.isDeleted ? "deleted, seq \($0.seq)" : "seq \($0.seq)" } ?? "-"]
        }
        let holding = nodes.count { $0.holds.map { !$0.isDeleted } ?? false }
        let title = "The \(count(nodes.count, "node")) closest to \(quoted(key)) (target \(NodeID(key: key).hex.prefix(8))):"
        return title + "\n" + table(header: ["#", "ID", "Address", "", "Holds"], rows: rows, rightAligned: [0])
            + "\nHeld by \(holding) of \(nodes.count)"
    }

    /// `1 value`, `2 values`.
    static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// A key as typed back to the REPL: bare when it has no blanks or quotes, else quoted.
    static func quoted(_ key: String) -> String {
        guard key.isEmpty || key.contains(where: { CommandWords.isSeparator($0) || $0 == "\"" }) else { return key }
        return "\"" + key.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }

    /// A duration the way a person reads time left: `23h 59m`, `4m 10s`, `12s`.
    static func short(_ duration: Duration) -> String {
        let seconds = max(0, duration.components.seconds)
        let (days, hours, minutes) = (seconds / 86_400, seconds / 3600 % 24, seconds / 60 % 60)
        if days > 0 { return "\(days)d \(hours)h" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        if minutes > 0 { return "\(minutes)m \(seconds % 60)s" }
        return "\(seconds)s"
    }

    /// Columns padded to their widest cell (in terminal columns, so CJK and emoji keys line up),
    /// two spaces apart, trailing blanks trimmed.
    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { DisplayWidth.of($0[column]) }.max() ?? 0 }
        return all.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                line += (column == 0 ? "" : "  ") + DisplayWidth.pad(cell, to: widths[column], right: rightAligned.contains(column))
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}

extension String {
    /// Every `target` replaced by `replacement`, without Foundation.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}
