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
            writer.string(Array(query.method.utf8))
            if readOnly {
                writer.key("ro")
                writer.integer(1)
            }
        case .response(let response):
            writeObservedAddress(to: &writer)
            writer.key("r")
            Self.writeResponse(response, to: &writer)
        case .error(let code, let message):
            writer.key("e")
            writer.beginList()
            writer.integer(code)
            writer.string(Array(message.utf8))
            writer.end()
            writeObservedAddress(to: &writer)
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

    /// BEP 42's `ip`, between `e` and `r` in key order.
    private func writeObservedAddress(to writer: inout BencodeWriter) {
        guard let observedAddress else { return }
        writer.key("ip")
        writer.compactPeer(observedAddress)
    }

    private static func writeArguments(of query: Query, sender: NodeID, to writer: inout BencodeWriter) {
        writer.beginDictionary()
        switch query {
        case .store(let request) where request.deleted, .notify(let request) where request.deleted:
            writer.key("del")
            writer.integer(1)
        case .putItem(let request):
            if let cas = request.cas {
                writer.key("cas")
                writer.integer(cas)
            }
        default:
            break
        }
        writer.key("id")
        writer.nodeID(sender)
        switch query {
        case .ping:
            break
        case .unknown(_, let target):
            if let target {
                writer.key("target")
                writer.nodeID(target)
            }
        case .getPeers(let infoHash, let noSeed):
            writer.key("info_hash")
            writer.nodeID(infoHash)
            if noSeed {
                writer.key("noseed")
                writer.integer(1)
            }
        case .announcePeer(let request):
            if request.impliedPort {
                writer.key("implied_port")
                writer.integer(1)
            }
            writer.key("info_hash")
            writer.nodeID(request.infoHash)
            writer.key("port")
            writer.integer(Int64(request.port))
            if request.seed {
                writer.key("seed")
                writer.integer(1)
            }
            writer.key("token")
            writer.string(request.token)
        case .putItem(let request):
            if let mutable = request.mutable {
                writer.key("k")
                writer.string(mutable.publicKey)
                if !mutable.salt.isEmpty {
                    writer.key("salt")
                    writer.string(mutable.salt)
                }
                writer.key("seq")
                writer.integer(mutable.seq)
                writer.key("sig")
                writer.string(mutable.signature)
            }
            writer.key("token")
            writer.string(request.token)
            writer.key("v")
            writer.raw(request.value)
        case .findNode(let target, let grant):
            writer.key("target")
            writer.nodeID(target)
            if let grant {
                writer.key("token")
                writer.string(grant)
            }
        case .findValue(let target, let seq), .getItem(let target, let seq):
            if let seq {
                writer.key("seq")
                writer.integer(seq)
            }
            writer.key("target")
            writer.nodeID(target)
        case .sampleInfohashes(let target):
            writer.key("target")
            writer.nodeID(target)
        case .listen(let target, let token):
            writer.key("target")
            writer.nodeID(target)
            writer.key("token")
            writer.string(token)
        case .store(let request), .notify(let request):
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
        if let sample = response.sample {
            writer.key("interval")
            writer.integer(sample.interval)
        }
        if let publicKey = response.publicKey {
            writer.key("k")
            writer.string(publicKey)
        }
        if let nodes = response.nodes {
            writer.key("nodes")
            writer.compactNodes(nodes)
        }
        if let sample = response.sample {
            writer.key("num")
            writer.integer(sample.num)
            writer.key("samples")
            writer.string(sample.samples.flatMap(\.bytes))
        }
        if let seq = response.seq {
            writer.key("seq")
            writer.integer(seq)
        }
        if let signature = response.signature {
            writer.key("sig")
            writer.string(signature)
        }
        if let token = response.token {
            writer.key("token")
            writer.string(token)
        }
        if let ttl = response.ttl {
            writer.key("ttl")
            writer.integer(ttl)
        }
        if let structured = response.structuredValue {
            writer.key("v")
            writer.raw(structured)
        } else if let value = response.value {
            writer.key("v")
            writer.string(value)
        }
        if let peers = response.peers {
            writer.key("values")
            writer.beginList()
            for peer in peers { writer.compactPeer(peer) }
            writer.end()
        }
        writer.end()
    }
}
