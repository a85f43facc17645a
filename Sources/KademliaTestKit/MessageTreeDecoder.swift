import Kademlia

extension Message {
    /// The reference decoder `decode` replaced: builds the whole bencode tree, then reads fields
    /// from it. Kept, simple and obviously strict, so tests can check the direct reader against it.
    package static func decodeViaTree(_ datagram: UnsafeRawBufferPointer) throws(MessageDecodeError) -> Message {
        let root: BencodeValue
        do {
            root = try BencodeDecoder.decode(datagram)
        } catch {
            throw .unreadable(error)
        }
        guard case .dictionary = root else { throw .malformed(reason: "not a dictionary") }
        guard let transactionID = root["t"]?.bytesValue else { throw .malformed(reason: "no transaction id") }
        let version = root["v"]?.bytesValue
        let observed = root["ip"]?.bytesValue.flatMap(CompactPeer.decode)
        let readOnly = root["ro"]?.integerValue == 1
        switch root["y"]?.bytesValue {
        case [UInt8(ascii: "r")]:
            guard let body = root["r"] else { throw .malformed(reason: "response without r") }
            do {
                return Message(transactionID: transactionID, body: .response(try decodeResponse(body)), version: version,
                               observedAddress: observed)
            } catch {
                throw .malformed(reason: error.reason)
            }
        case [UInt8(ascii: "e")]:
            guard let list = root["e"]?.listValue, list.count >= 2,
                  let code = list[0].integerValue, let text = list[1].bytesValue else {
                throw .malformed(reason: "error without [code, message]")
            }
            return Message(transactionID: transactionID, body: .error(code: code, message: String(decoding: text, as: UTF8.self)),
                           version: version, observedAddress: observed)
        case [UInt8(ascii: "q")]:
            do {
                let (sender, query) = try decodeQuery(method: root["q"], arguments: root["a"])
                return Message(transactionID: transactionID, body: .query(sender: sender, query), version: version, readOnly: readOnly)
            } catch {
                throw .malformedQuery(transactionID: transactionID, reason: error.reason)
            }
        default:
            throw .malformedQuery(transactionID: transactionID, reason: "unknown message type")
        }
    }

    private static func decodeQuery(method: BencodeValue?, arguments: BencodeValue?) throws(FieldError) -> (NodeID, Query) {
        guard let methodBytes = method?.bytesValue else { throw FieldError("query without method") }
        guard let arguments, case .dictionary = arguments else { throw FieldError("query without arguments") }
        let sender = try arguments.nodeID("id")
        let methodName = String(decoding: methodBytes, as: UTF8.self)
        switch methodName {
        case "ping":
            return (sender, .ping)
        case "find_node":
            let target = try arguments.nodeID("target")
            return (sender, .findNode(target: target, grant: try arguments.optionalBytes("token")))
        case "find_value":
            let holding = try arguments.optionalInteger("seq")
            if let holding, holding < 0 { throw FieldError("negative seq") }
            return (sender, .findValue(target: try arguments.nodeID("target"), holding: holding))
        case "sample_infohashes":
            return (sender, .sampleInfohashes(target: try arguments.nodeID("target")))
        case "listen":
            let target = try arguments.nodeID("target")
            guard let token = arguments["token"]?.bytesValue else { throw FieldError("listen without token") }
            return (sender, .listen(target: target, token: token))
        case "store", "notify":
            guard let token = arguments["token"]?.bytesValue else { throw FieldError("\(methodName) without token") }
            guard let value = arguments["v"]?.bytesValue else { throw FieldError("\(methodName) without v") }
            guard let seq = arguments["seq"]?.integerValue, seq >= 0 else { throw FieldError("\(methodName) without a valid seq") }
            let key = try arguments.optionalBytes("key")
            let ttl = try arguments.optionalInteger("ttl")
            if let ttl, ttl < 0 { throw FieldError("negative ttl") }
            let target = try arguments.nodeID("target")
            let deleted = try arguments.flag("del")
            let request = StoreRequest(token: token, target: target, value: value, seq: seq, key: key, ttl: ttl, deleted: deleted)
            return (sender, methodName == "store" ? .store(request) : .notify(request))
        case "get_peers":
            let infoHash = try arguments.nodeID("info_hash")
            return (sender, .getPeers(infoHash: infoHash, noSeed: try arguments.flag("noseed")))
        case "announce_peer":
            let infoHash = try arguments.nodeID("info_hash")
            let implied = try arguments.flag("implied_port")
            let port = try arguments.optionalInteger("port")
            guard let port = MainlineFields.port(port, implied: implied) else { throw FieldError("announce_peer without a valid port") }
            guard let token = arguments["token"]?.bytesValue else { throw FieldError("announce_peer without token") }
            return (sender, .announcePeer(AnnounceRequest(infoHash: infoHash, port: port, impliedPort: implied,
                                                          seed: try arguments.flag("seed"), token: token)))
        case "get":
            let target = try arguments.nodeID("target")
            return (sender, .getItem(target: target, seq: try arguments.optionalInteger("seq")))
        case "put":
            guard let token = arguments["token"]?.bytesValue else { throw FieldError("put without token") }
            guard let value = arguments["v"] else { throw FieldError("put without v") }
            var request = ItemPutRequest(token: token, value: value.encoded(), cas: try arguments.optionalInteger("cas"))
            if let publicKey = try arguments.optionalBytes("k") {
                guard let signature = arguments["sig"]?.bytesValue else { throw FieldError("put with k but no sig") }
                guard let seq = arguments["seq"]?.integerValue else { throw FieldError("put with k but no seq") }
                request.mutable = MutableItemFields(publicKey: publicKey, signature: signature, seq: seq,
                                                    salt: try arguments.optionalBytes("salt") ?? [])
            }
            return (sender, .putItem(request))
        default:
            let target = (try? arguments.nodeID("target")) ?? (try? arguments.nodeID("info_hash"))
            return (sender, .unknown(method: methodName, target: target))
        }
    }

    private static func decodeResponse(_ body: BencodeValue) throws(FieldError) -> Response {
        guard case .dictionary = body else { throw FieldError("response is not a dictionary") }
        var response = Response(id: try body.nodeID("id"))
        if let nodes = try body.optionalBytes("nodes") {
            guard let contacts = CompactNode.decode(nodes) else { throw FieldError("nodes length not a multiple of 26") }
            response.nodes = contacts
        }
        response.token = try body.optionalBytes("token")
        if let value = body["v"] {
            if let bytes = value.bytesValue { response.value = bytes } else { response.structuredValue = value.encoded() }
        }
        response.seq = try body.optionalInteger("seq")
        response.ttl = try body.optionalInteger("ttl")
        if let ttl = response.ttl, ttl < 0 { throw FieldError("negative ttl") }
        response.deleted = try body.flag("del")
        response.publicKey = try body.optionalBytes("k")
        response.signature = try body.optionalBytes("sig")
        switch body["values"] {
        case nil: break
        case .list?: response.peers = MainlineFields.peers(inList: body["values"]?.encoded() ?? [])
        case .bytes(let bytes)?: response.peers = MainlineFields.peers(inString: bytes)
        default: throw FieldError("values is not a list")
        }
        if body["num"] != nil || body["samples"] != nil || body["interval"] != nil {
            response.sample = try MainlineFields.sample(interval: try body.optionalInteger("interval"), num: try body.optionalInteger("num"),
                                                        samples: try body.optionalBytes("samples"))
        }
        return response
    }
}

private extension BencodeValue {
    func nodeID(_ key: String) throws(FieldError) -> NodeID {
        guard let bytes = self[key]?.bytesValue else { throw FieldError("missing \(key)") }
        guard let id = NodeID(bytes: bytes) else { throw FieldError("\(key) is not 20 bytes") }
        return id
    }

    func optionalBytes(_ key: String) throws(FieldError) -> [UInt8]? {
        guard let field = self[key] else { return nil }
        guard let bytes = field.bytesValue else { throw FieldError("\(key) is not a string") }
        return bytes
    }

    func flag(_ key: String) throws(FieldError) -> Bool {
        switch try optionalInteger(key) {
        case nil, 0: return false
        case 1: return true
        default: throw FieldError("\(key) is not 0 or 1")
        }
    }

    func optionalInteger(_ key: String) throws(FieldError) -> Int64? {
        guard let field = self[key] else { return nil }
        guard let value = field.integerValue else { throw FieldError("\(key) is not an integer") }
        return value
    }
}
