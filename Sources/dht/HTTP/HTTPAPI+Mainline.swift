import Kademlia

/// The BEP 5 and BEP 44 routes, built as commands directly rather than as REPL lines to
/// parse again: a body is never read as an option, and nothing in it is lost to quoting.
extension HTTPAPI {
    /// The reply to a Mainline route; nil for any other route.
    func mainline(_ route: HTTPRoute, query: [(name: String, value: String)], body: [UInt8]) async -> HTTPResponse? {
        let salt = query.first { $0.name == "salt" }?.value ?? ""
        let command: Command
        switch route {
        case .announce(let hash):
            guard let infoHash = NodeID(hex: hash) else { return Self.reply(Replies.local(to: .invalidHash(command: "announce", text: hash))) }
            var port: UInt16?
            if let text = query.first(where: { $0.name == "port" })?.value {
                guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = UInt16(text), value > 0 else {
                    return Self.error(400, op: "announce", "port must be a number from 1 to 65535, not '\(text.prefix(20))'")
                }
                port = value
            }
            command = .mainline(.announce(infoHash: infoHash, port: port))
        case .torrentPeers(let hash):
            guard let infoHash = NodeID(hex: hash) else { return Self.reply(Replies.local(to: .invalidHash(command: "peers", text: hash))) }
            command = .mainline(.findPeers(infoHash: infoHash))
        case .item(let hash):
            guard let target = NodeID(hex: hash) else { return Self.reply(Replies.local(to: .invalidHash(command: "item-get", text: hash))) }
            command = .mainline(.getItem(target: target))
        case .items, .mutableItems:
            let op = route == .items ? "item-put" : "mutable-put"
            guard let text = String(validating: body, as: UTF8.self) else {
                return Self.error(400, op: op, "the body must be UTF-8 text (it is stored as a bencoded string)")
            }
            if text.isEmpty { return Self.reply(Replies.local(to: .usage(command: op))) }
            command = .mainline(route == .items ? .putItem(text: text) : .putMutable(text: text, salt: salt))
        case .mutableItem(let name):
            if let target = NodeID(hex: name) {
                command = .mainline(.getMutableAt(target: target, salt: salt))
            } else if let key = MainlineCommand.hexBytes(name), key.count == 32 {
                command = .mainline(.getMutable(publicKey: key, salt: salt))
            } else {
                return Self.reply(Replies.local(to: .invalidHash(command: "mutable-get", text: name)))
            }
        default:
            return nil
        }
        return Self.reply(await repl.reply(to: command))
    }
}
