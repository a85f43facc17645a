/// Why a datagram is not a message we can act on.
public enum MessageDecodeError: Error, Equatable, Sendable {
    /// Not valid bencode: dropped.
    case unreadable(BencodeError)
    /// Not a usable message and no query to answer (no `t`, or a bad response or error): dropped.
    case malformed(reason: String)
    /// A query we can name by its `t` but not accept: answered with error 203.
    case malformedQuery(transactionID: [UInt8], reason: String)
}

extension Message {
    /// Decodes one datagram, strictly: anything PROTOCOL.md calls malformed is an error.
    ///
    /// `KRPCReader` validates the bencode in one pass and notes where the fields lie, so
    /// the only allocations are the ones the returned `Message` keeps. Fields are then read
    /// in the order `decodeViaTree` reads them, so both report the same first error.
    public static func decode(_ datagram: UnsafeRawBufferPointer) throws(MessageDecodeError) -> Message {
        var reader = KRPCReader(input: datagram)
        let envelope: KRPCEnvelope
        do {
            envelope = try reader.readEnvelope()
        } catch {
            throw .unreadable(error)
        }
        let fields = FieldReader(input: datagram)
        guard envelope.isDictionary else { throw .malformed(reason: "not a dictionary") }
        guard let transactionID = fields.bytes(envelope.t) else { throw .malformed(reason: "no transaction id") }
        let version = fields.bytes(envelope.v)
        // Extensions a node may ignore: a malformed one is dropped, not the message.
        let observed: SocketAddress? = if case .bytes(let range) = envelope.ip { CompactPeer.decode(fields.slice(range)) } else { nil }
        let readOnly: Bool = if case .integer(1) = envelope.ro { true } else { false }
        switch fields.singleByte(envelope.y) {
        case UInt8(ascii: "r"):
            if case .absent = envelope.r { throw .malformed(reason: "response without r") }
            do {
                let response = try fields.response(envelope.r, envelope.response)
                return Message(transactionID: transactionID, body: .response(response), version: version, observedAddress: observed)
            } catch {
                throw .malformed(reason: error.reason)
            }
        case UInt8(ascii: "e"):
            guard case .list = envelope.e, case .integer(let code) = envelope.errorCode,
                  case .bytes(let text) = envelope.errorText else {
                throw .malformed(reason: "error without [code, message]")
            }
            return Message(transactionID: transactionID, body: .error(code: code, message: fields.string(text)), version: version,
                           observedAddress: observed)
        case UInt8(ascii: "q"):
            do {
                let (sender, query) = try fields.query(method: envelope.q, arguments: envelope.a, envelope.arguments)
                return Message(transactionID: transactionID, body: .query(sender: sender, query), version: version, readOnly: readOnly)
            } catch {
                throw .malformedQuery(transactionID: transactionID, reason: error.reason)
            }
        default:
            throw .malformedQuery(transactionID: transactionID, reason: "unknown message type")
        }
    }

    /// Decodes one datagram held in an array.
    public static func decode(_ datagram: [UInt8]) throws(MessageDecodeError) -> Message {
        // withUnsafeBytes rethrows untyped errors, so carry the typed one out in a Result.
        try datagram.withUnsafeBytes { buffer in Result { () throws(MessageDecodeError) in try decode(buffer) } }.get()
    }
}

/// A missing or ill-typed field, named for the error message.
package struct FieldError: Error {
    package let reason: String
    package init(_ reason: String) { self.reason = reason }
}

/// The methods we implement, told apart without building a String for them.
private enum KnownMethod {
    case ping, findNode, findValue, store, getPeers, announcePeer, getItem, putItem, listen, notify, sampleInfohashes
}

/// Turns the slots `KRPCReader` recorded into the values `Message` holds, copying only those.
private struct FieldReader {
    let input: UnsafeRawBufferPointer

    /// The bytes at `range`, still in the datagram.
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: input[range])
    }

    /// A copy of a byte-string field; nil for any other kind or when absent.
    func bytes(_ slot: KRPCSlot) -> [UInt8]? {
        guard case .bytes(let range) = slot else { return nil }
        return [UInt8](slice(range))
    }

    /// The bytes at `range` as text, invalid UTF-8 repaired as the tree decoder did.
    func string(_ range: Range<Int>) -> String {
        String(decoding: slice(range), as: UTF8.self)
    }

    /// The byte of a one-byte string; nil for anything else, which no message type matches.
    func singleByte(_ slot: KRPCSlot) -> UInt8? {
        guard case .bytes(let range) = slot, range.count == 1 else { return nil }
        return input[range.lowerBound]
    }

    /// A required 20-byte id field.
    func nodeID(_ slot: KRPCSlot, _ key: String) throws(FieldError) -> NodeID {
        guard case .bytes(let range) = slot else { throw FieldError("missing \(key)") }
        guard let id = NodeID(raw: slice(range)) else { throw FieldError("\(key) is not 20 bytes") }
        return id
    }

    /// A byte-string field that may be absent but must not have another type.
    func optionalBytes(_ slot: KRPCSlot, _ key: String) throws(FieldError) -> [UInt8]? {
        if case .absent = slot { return nil }
        guard let bytes = bytes(slot) else { throw FieldError("\(key) is not a string") }
        return bytes
    }

    /// An integer field that may be absent but must not have another type.
    func optionalInteger(_ slot: KRPCSlot, _ key: String) throws(FieldError) -> Int64? {
        switch slot {
        case .absent: return nil
        case .integer(let value): return value
        default: throw FieldError("\(key) is not an integer")
        }
    }

    /// The `r` dictionary, fields checked in the order the tree decoder checked them.
    func response(_ body: KRPCSlot, _ fields: KRPCFields) throws(FieldError) -> Response {
        guard case .dictionary = body else { throw FieldError("response is not a dictionary") }
        var response = Response(id: try nodeID(fields.id, "id"))
        switch fields.nodes {
        case .absent:
            break
        case .bytes(let range):
            guard let contacts = CompactNode.decode(slice(range)) else { throw FieldError("nodes length not a multiple of 26") }
            response.nodes = contacts
        default:
            throw FieldError("nodes is not a string")
        }
        response.token = try optionalBytes(fields.token, "token")
        switch fields.v {
        case .absent: break
        case .bytes(let range): response.value = [UInt8](slice(range))
        default: response.structuredValue = fields.rawV.map { [UInt8](slice($0)) }
        }
        response.seq = try optionalInteger(fields.seq, "seq")
        response.ttl = try optionalInteger(fields.ttl, "ttl")
        if let ttl = response.ttl, ttl < 0 { throw FieldError("negative ttl") }
        response.deleted = try flag(fields.del, "del")
        response.publicKey = try optionalBytes(fields.k, "k")
        response.signature = try optionalBytes(fields.sig, "sig")
        switch fields.values {
        case .absent: break
        case .list(let range): response.peers = MainlineFields.peers(inList: [UInt8](slice(range)))
        case .bytes(let range): response.peers = MainlineFields.peers(inString: [UInt8](slice(range)))
        default: throw FieldError("values is not a list")
        }
        if !(fields.num.isAbsent && fields.samples.isAbsent && fields.interval.isAbsent) {
            response.sample = try MainlineFields.sample(interval: try optionalInteger(fields.interval, "interval"),
                                                        num: try optionalInteger(fields.num, "num"),
                                                        samples: try optionalBytes(fields.samples, "samples"))
        }
        return response
    }

    /// The sender and query of `q` and `a`, fields checked in the order the tree decoder checked them.
    func query(method: KRPCSlot, arguments: KRPCSlot, _ fields: KRPCFields) throws(FieldError) -> (NodeID, Query) {
        guard case .bytes(let methodRange) = method else { throw FieldError("query without method") }
        guard case .dictionary = arguments else { throw FieldError("query without arguments") }
        let sender = try nodeID(fields.id, "id")
        let known: KnownMethod
        if let byBytes = knownMethod(slice(methodRange)) {
            known = byBytes
        } else {
            // Compared as a String, as the tree decoder does, so any spelling it would accept is accepted.
            let name = string(methodRange)
            switch name {
            case "ping": known = .ping
            case "find_node": known = .findNode
            case "find_value": known = .findValue
            case "store": known = .store
            case "get_peers": known = .getPeers
            case "announce_peer": known = .announcePeer
            case "get": known = .getItem
            case "put": known = .putItem
            case "listen": known = .listen
            case "sample_infohashes": known = .sampleInfohashes
            case "notify": known = .notify
            default: return (sender, .unknown(method: name, target: anyTarget(fields)))
            }
        }
        switch known {
        case .ping:
            return (sender, .ping)
        case .findNode:
            let target = try nodeID(fields.target, "target")
            return (sender, .findNode(target: target, grant: try optionalBytes(fields.token, "token")))
        case .findValue:
            let holding = try optionalInteger(fields.seq, "seq")
            if let holding, holding < 0 { throw FieldError("negative seq") }
            return (sender, .findValue(target: try nodeID(fields.target, "target"), holding: holding))
        case .store:
            return (sender, .store(try store(fields)))
        case .getPeers:
            let infoHash = try nodeID(fields.infoHash, "info_hash")
            return (sender, .getPeers(infoHash: infoHash, noSeed: try flag(fields.noseed, "noseed")))
        case .announcePeer:
            return (sender, .announcePeer(try announce(fields)))
        case .getItem:
            let target = try nodeID(fields.target, "target")
            return (sender, .getItem(target: target, seq: try optionalInteger(fields.seq, "seq")))
        case .putItem:
            return (sender, .putItem(try putItem(fields)))
        case .sampleInfohashes:
            return (sender, .sampleInfohashes(target: try nodeID(fields.target, "target")))
        case .listen:
            let target = try nodeID(fields.target, "target")
            guard let token = bytes(fields.token) else { throw FieldError("listen without token") }
            return (sender, .listen(target: target, token: token))
        case .notify:
            return (sender, .notify(try store(fields, method: "notify")))
        }
    }

    /// An unknown method's `target`, or else its `info_hash`, when it is 20 bytes.
    func anyTarget(_ fields: KRPCFields) -> NodeID? {
        (try? nodeID(fields.target, "target")) ?? (try? nodeID(fields.infoHash, "info_hash"))
    }

    /// The `announce_peer` arguments: a port is needed unless `implied_port` is 1.
    func announce(_ fields: KRPCFields) throws(FieldError) -> AnnounceRequest {
        let infoHash = try nodeID(fields.infoHash, "info_hash")
        let implied = try flag(fields.impliedPort, "implied_port")
        let port = try optionalInteger(fields.port, "port")
        guard let port = MainlineFields.port(port, implied: implied) else { throw FieldError("announce_peer without a valid port") }
        guard let token = bytes(fields.token) else { throw FieldError("announce_peer without token") }
        return AnnounceRequest(infoHash: infoHash, port: port, impliedPort: implied, seed: try flag(fields.seed, "seed"), token: token)
    }

    /// The `put` arguments: `v` of any type; `k` brings `sig` and `seq` with it.
    func putItem(_ fields: KRPCFields) throws(FieldError) -> ItemPutRequest {
        guard let token = bytes(fields.token) else { throw FieldError("put without token") }
        guard let raw = fields.rawV else { throw FieldError("put without v") }
        var request = ItemPutRequest(token: token, value: [UInt8](slice(raw)), cas: try optionalInteger(fields.cas, "cas"))
        if let publicKey = try optionalBytes(fields.k, "k") {
            guard let signature = bytes(fields.sig) else { throw FieldError("put with k but no sig") }
            guard case .integer(let seq) = fields.seq else { throw FieldError("put with k but no seq") }
            request.mutable = MutableItemFields(publicKey: publicKey, signature: signature, seq: seq,
                                                salt: try optionalBytes(fields.salt, "salt") ?? [])
        }
        return request
    }

    /// The `store` arguments; the order of the checks decides which reason a peer is sent.
    func store(_ fields: KRPCFields, method: String = "store") throws(FieldError) -> StoreRequest {
        guard let token = bytes(fields.token) else { throw FieldError("\(method) without token") }
        guard let value = bytes(fields.v) else { throw FieldError("\(method) without v") }
        guard case .integer(let seq) = fields.seq, seq >= 0 else { throw FieldError("\(method) without a valid seq") }
        let key = try optionalBytes(fields.key, "key")
        let ttl = try optionalInteger(fields.ttl, "ttl")
        if let ttl, ttl < 0 { throw FieldError("negative ttl") }
        let target = try nodeID(fields.target, "target")
        let deleted = try flag(fields.del, "del")
        return StoreRequest(token: token, target: target, value: value, seq: seq, key: key, ttl: ttl, deleted: deleted)
    }

    /// An optional 0-or-1 integer field; absent is false.
    func flag(_ slot: KRPCSlot, _ key: String) throws(FieldError) -> Bool {
        switch try optionalInteger(slot, key) {
        case nil, 0: return false
        case 1: return true
        default: throw FieldError("\(key) is not 0 or 1")
        }
    }

    /// The method these bytes spell exactly, if we implement it.
    func knownMethod(_ name: UnsafeRawBufferPointer) -> KnownMethod? {
        if KRPCReader.spells(name, "ping") { return .ping }
        if KRPCReader.spells(name, "find_node") { return .findNode }
        if KRPCReader.spells(name, "find_value") { return .findValue }
        if KRPCReader.spells(name, "store") { return .store }
        if KRPCReader.spells(name, "get_peers") { return .getPeers }
        if KRPCReader.spells(name, "announce_peer") { return .announcePeer }
        if KRPCReader.spells(name, "get") { return .getItem }
        if KRPCReader.spells(name, "put") { return .putItem }
        if KRPCReader.spells(name, "listen") { return .listen }
        if KRPCReader.spells(name, "sample_infohashes") { return .sampleInfohashes }
        if KRPCReader.spells(name, "notify") { return .notify }
        return nil
    }
}
