import Kademlia

/// The REPL's Mainline commands, parsed: BEP 5 announces and peer searches, BEP 44 items.
enum MainlineCommand: Equatable {
    /// `announce <infohash> [port]`: tell the K closest this node is a peer of the torrent;
    /// without a port, the one its datagrams come from.
    case announce(infoHash: NodeID, port: UInt16?)
    /// `peers <infohash>`: the torrent's peers the network knows.
    case findPeers(infoHash: NodeID)
    /// `item-put <text>`: store the rest of the line as an immutable item (a bencoded string).
    case putItem(text: String)
    /// `item-get <hash>`: read the immutable item with that SHA-1.
    case getItem(target: NodeID)

    /// Parses the arguments of the command word `name` (one of the Mainline ones).
    static func parse(_ name: String, _ rest: Substring) throws(CommandWords.Problem) -> Command {
        if name == "item-put" {
            let text = rest.drop(while: CommandWords.isSeparator)
            return text.isEmpty ? .usage(command: name) : .mainline(.putItem(text: String(text)))
        }
        let arguments = try CommandWords.all(in: rest)
        guard let first = arguments.first else { return .usage(command: name) }
        guard let hash = NodeID(hex: first) else { return .invalidHash(command: name, text: first) }
        switch (name, arguments.count) {
        case ("announce", 1): return .mainline(.announce(infoHash: hash, port: nil))
        case ("announce", 2):
            guard let port = UInt16(arguments[1]), port > 0 else { return .usage(command: name) }
            return .mainline(.announce(infoHash: hash, port: port))
        case ("peers", 1): return .mainline(.findPeers(infoHash: hash))
        case ("item-get", 1): return .mainline(.getItem(target: hash))
        default: return .usage(command: name)
        }
    }
}

extension REPL {
    /// Runs a Mainline command against the node.
    func reply(to command: MainlineCommand) async -> Reply {
        switch command {
        case .announce(let infoHash, let port):
            do {
                let count = try await node.announce(infoHash: infoHash, port: port)
                return Reply(text: "Announced \(infoHash.hex) at \(count) nodes",
                             json: .object([("op", "announce"), ("info_hash", .string(infoHash.hex)), ("nodes", .int(count))]))
            } catch {
                return .failure("announce", "Could not announce \(infoHash.hex): \(error)", error: error.description)
            }
        case .findPeers(let infoHash):
            do {
                let peers = try await node.findPeers(of: infoHash)
                let lines = peers.isEmpty ? ["No peers found for \(infoHash.hex)"]
                    : ["Peers of \(infoHash.hex): \(peers.count)"] + peers.map { "  \($0)" }
                return Reply(text: lines.joined(separator: "\n"), json: .object([
                    ("op", "peers"), ("info_hash", .string(infoHash.hex)), ("peers", .array(peers.map { .string($0.description) })),
                ]))
            } catch {
                return .failure("peers", "Could not find peers of \(infoHash.hex): \(error)", error: error.description)
            }
        case .putItem(let text):
            let value = BencodeValue.bytes(Array(text.utf8)).encoded()
            do {
                let (target, count) = try await node.putItem(value)
                return Reply(text: "Stored item \(target.hex) at \(count) nodes",
                             json: .object([("op", "item-put"), ("target", .string(target.hex)), ("nodes", .int(count))]))
            } catch {
                return .failure("item-put", "Could not store the item: \(error)", error: error.description)
            }
        case .getItem(let target):
            do {
                guard let value = try await node.item(target) else {
                    return Reply(text: "Item \(target.hex) not found", json: .object([("op", "item-get"), ("target", .string(target.hex)), ("found", false)]))
                }
                let shown = Self.describe(item: value)
                return Reply(text: "Item: \(shown)", json: .object([("op", "item-get"), ("target", .string(target.hex)), ("found", true),
                                                                   ("item", .string(shown))]))
            } catch {
                return .failure("item-get", "Could not get item \(target.hex): \(error)", error: error.description)
            }
        }
    }

    /// A string item as its text; any other item as its bencoding, shown as text.
    static func describe(item: [UInt8]) -> String {
        if case .bytes(let bytes)? = try? BencodeDecoder.decode(item) { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: item, as: UTF8.self)
    }
}
