extension Message {
    /// The datagram bytes, exactly as PROTOCOL.md lays them out (keys in raw-byte order).
    public func encoded() -> [UInt8] {
        // Room for the largest common reply (8 nodes, a token and a value) without regrowing.
        var writer = BencodeWriter(capacity: 512)
        writer.beginDictionary()
        switch body {
        case .query(let sender, let query):
            writer.key("a")
            Self.writeArguments(of: query, sender: sender, to: &writer)
            writer.key("q")
            switch query {
            case .ping: writer.string("ping")
            case .findNode: writer.string("find_node")
            case .findValue: writer.string("find_value")
            case .store: writer.string("store")
            case .unknown(let method): writer.string(Array(method.utf8))
            }
        case .response(let response):
            writer.key("r")
            Self.writeResponse(response, to: &writer)
        case .error(let code, let message):
            writer.key("e")
            writer.beginList()
            writer.integer(code)
            writer.string(Array(message.utf8))
            writer.end()
        }
        writer.key("t")
        writer.string(transactionID)
        if let version {
            writer.key("v")
            writer.string(version)
        }
        writer.key("y")
        switch body {
        case .query: writer.string("q")
        case .response: writer.string("r")
        case .error: writer.string("e")
        }
        writer.end()
        return writer.bytes
    }

    private static func writeArguments(of query: Query, sender: NodeID, to writer: inout BencodeWriter) {
        writer.beginDictionary()
        if case .store(let request) = query, request.deleted {
            writer.key("del")
            writer.integer(1)
        }
        writer.key("id")
        writer.nodeID(sender)
        switch query {
        case .ping, .unknown:
            break
        case .findNode(let target, let grant):
            writer.key("target")
            writer.nodeID(target)
            if let grant {
                writer.key("token")
                writer.string(grant)
            }
        case .findValue(let target, let holding):
            if let holding {
                writer.key("seq")
                writer.integer(holding)
            }
            writer.key("target")
            writer.nodeID(target)
        case .store(let request):
            if let key = request.key {
                writer.key("key")
                writer.string(key)
            }
            writer.key("seq")
            writer.integer(request.seq)
            writer.key("target")
            writer.nodeID(request.target)
            writer.key("token")
            writer.string(request.token)
            if let ttl = request.ttl {
                writer.key("ttl")
                writer.integer(ttl)
            }
            writer.key("v")
            writer.string(request.value)
        }
        writer.end()
    }

    private static func writeResponse(_ response: Response, to writer: inout BencodeWriter) {
        writer.beginDictionary()
        if response.deleted {
            writer.key("del")
            writer.integer(1)
        }
        writer.key("id")
        writer.nodeID(response.id)
        if let nodes = response.nodes {
            writer.key("nodes")
            writer.compactNodes(nodes)
        }
        if let seq = response.seq {
            writer.key("seq")
            writer.integer(seq)
        }
        if let token = response.token {
            writer.key("token")
            writer.string(token)
        }
        if let ttl = response.ttl {
            writer.key("ttl")
            writer.integer(ttl)
        }
        if let value = response.value {
            writer.key("v")
            writer.string(value)
        }
        writer.end()
    }
}
