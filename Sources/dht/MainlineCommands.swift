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
    /// `mutable-put [--salt S] <text>`: store the text as a mutable item signed with this node's key.
    case putMutable(text: String, salt: String)
    /// `mutable-get <public key> [salt]`: read the newest mutable item that key signed.
    case getMutable(publicKey: [UInt8], salt: String)
    /// `mutable-get <target> [salt]`: the same, by the 40-digit target `mutable-put` prints first.
    case getMutableAt(target: NodeID, salt: String)

    /// Parses the arguments of the command word `name` (one of the Mainline ones).
    static func parse(_ name: String, _ rest: Substring) throws(CommandWords.Problem) -> Command {
        if name == "item-put" {
            let text = rest.drop(while: CommandWords.isSeparator)
            return text.isEmpty ? .usage(command: name) : .mainline(.putItem(text: String(text)))
        }
        if name == "mutable-put" { return try parseMutablePut(rest) }
        let arguments = try CommandWords.all(in: rest)
        if name == "mutable-get" {
            guard (1...2).contains(arguments.count) else { return .usage(command: name) }
            let salt = arguments.count == 2 ? arguments[1] : ""
            if let target = NodeID(hex: arguments[0]) { return .mainline(.getMutableAt(target: target, salt: salt)) }
            guard let key = hexBytes(arguments[0]), key.count == 32 else { return .invalidHash(command: name, text: arguments[0]) }
            return .mainline(.getMutable(publicKey: key, salt: salt))
        }
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

extension MainlineCommand {
    /// `[--salt S] <text>`: the salt is one word, which may be quoted (`--salt "pro file"`);
    /// the text is the rest of the line.
    private static func parseMutablePut(_ rest: Substring) throws(CommandWords.Problem) -> Command {
        var text = rest.drop(while: CommandWords.isSeparator)
        var salt = ""
        if text.hasPrefix("--salt") {
            text = text.dropFirst("--salt".count)
            if text.hasPrefix("=") { text = text.dropFirst() }
            guard let (word, after) = try CommandWords.next(in: text), !word.isEmpty else { return .usage(command: "mutable-put") }
            salt = word
            text = after.drop(while: CommandWords.isSeparator)
        }
        return text.isEmpty ? .usage(command: "mutable-put") : .mainline(.putMutable(text: String(text), salt: salt))
    }

    /// Bytes from hexadecimal digits; nil for anything else.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        // Digit by digit: UInt8(_:radix:) would also take a sign, so "+f" would pass for a byte.
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = NodeID.hexDigitValue(digits[index]), let low = NodeID.hexDigitValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
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
                return .failure("announce", "Could not announce \(infoHash.hex): \(error)", error: error.description, kind: .of(error))
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
                return .failure("peers", "Could not find peers of \(infoHash.hex): \(error)", error: error.description, kind: .of(error))
            }
        case .putItem(let text):
            let value = BencodeValue.bytes(Array(text.utf8)).encoded()
            do {
                let (target, count) = try await node.putItem(value)
                return Reply(text: "Stored item \(target.hex) at \(count) nodes",
                             json: .object([("op", "item-put"), ("target", .string(target.hex)), ("nodes", .int(count))]))
            } catch {
                return .failure("item-put", "Could not store the item: \(error)", error: error.description, kind: .of(error))
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
                return .failure("item-get", "Could not get item \(target.hex): \(error)", error: error.description, kind: .of(error))
            }
        case .putMutable(let text, let salt):
            return await putMutable(text: text, salt: salt)
        case .getMutable(let publicKey, let salt):
            return await getMutable(.key(publicKey), salt: salt)
        case .getMutableAt(let target, let salt):
            return await getMutable(.target(target), salt: salt)
        }
    }

    /// Signs the text with this node's key and puts it as a mutable item.
    private func putMutable(text: String, salt: String) async -> Reply {
        do {
            let (target, seq, count) = try await node.putMutableItem(BencodeValue.bytes(Array(text.utf8)).encoded(), salt: Array(salt.utf8))
            let key = Self.hex(node.signingPublicKey)
            let readBack = "mutable-get \(target.hex)" + (salt.isEmpty ? "" : " " + OutputViews.quoted(salt))
            return Reply(text: "Stored mutable item \(target.hex) seq \(seq) at \(count) nodes (key \(key))\nRead it with: \(readBack)",
                         json: .object([("op", "mutable-put"), ("target", .string(target.hex)), ("seq", .integer(seq)),
                                        ("nodes", .int(count)), ("key", .string(key))]))
        } catch {
            return .failure("mutable-put", "Could not store the mutable item: \(error)", error: error.description, kind: .of(error))
        }
    }

    /// What `mutable-get` names: the signer's public key, or the target `mutable-put` printed.
    enum MutableName {
        case key([UInt8])
        case target(NodeID)
    }

    /// Finds the newest mutable item under `name` and `salt`.
    private func getMutable(_ name: MutableName, salt: String) async -> Reply {
        let shownName = switch name {
        case .key(let publicKey): Self.hex(publicKey)
        case .target(let target): target.hex
        }
        let field: (String, JSONValue) = switch name {
        case .key: ("key", .string(shownName))
        case .target: ("target", .string(shownName))
        }
        do {
            let found = switch name {
            case .key(let publicKey): try await node.mutableItem(publicKey: publicKey, salt: Array(salt.utf8))
            case .target(let target): try await node.mutableItem(target: target, salt: Array(salt.utf8))
            }
            guard let item = found else {
                let hint = salt.isEmpty ? " (was it put with --salt? give the salt after the key)" : " under salt \(OutputViews.quoted(salt))"
                return Reply(text: "Mutable item of \(shownName) not found" + hint,
                             json: .object([("op", "mutable-get"), field, ("found", false)]))
            }
            let shown = Self.describe(item: item.value)
            // Read by target, the reply also names the key that signed it.
            let signer: [(String, JSONValue)] = field.0 == "key" ? [] : [("key", .string(Self.hex(item.publicKey)))]
            return Reply(text: "Item: \(shown) (seq \(item.seq))", json: .object([("op", "mutable-get"), field] + signer + [
                ("found", true), ("item", .string(shown)), ("seq", .integer(item.seq)),
            ]))
        } catch {
            return .failure("mutable-get", "Could not get the mutable item of \(shownName): \(error)", error: error.description, kind: .of(error))
        }
    }

    /// Lowercase hexadecimal.
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    /// A string item as its text; any other item as its bencoding, shown as text.
    static func describe(item: [UInt8]) -> String {
        if case .bytes(let bytes)? = try? BencodeDecoder.decode(item) { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: item, as: UTF8.self)
    }
}
