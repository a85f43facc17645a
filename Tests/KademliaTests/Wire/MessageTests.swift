import Testing
@testable import Kademlia
@testable import KademliaCore

private let askerID = NodeID(bytes: bytes("abcdefghij0123456789")) ?? .zero
private let answererID = NodeID(bytes: bytes("mnopqrstuvwxyz123456")) ?? .zero

/// The decode error, or nil when the datagram decodes.
private func decodeFailure(_ datagram: [UInt8]) -> MessageDecodeError? {
    do {
        _ = try Message.decode(datagram)
        return nil
    } catch {
        return error
    }
}

/// A query datagram built by the generic bencode encoder, keys sorted for us.
private func query(_ method: String, _ arguments: [(String, BencodeValue)], extra: [(String, BencodeValue)] = []) -> [UInt8] {
    BencodeValue.dictionary([
        ("t", .string("xy")), ("y", .string("q")), ("q", .string(method)), ("a", .dictionary(arguments)),
    ] + extra).encoded()
}

private func storeArguments(dropping omitted: String? = nil, replacing: (String, BencodeValue)? = nil) -> [(String, BencodeValue)] {
    let all: [(String, BencodeValue)] = [
        ("id", .bytes(askerID.bytes)), ("target", .bytes(answererID.bytes)),
        ("token", .string("tok")), ("v", .string("value")), ("seq", .integer(3)),
    ]
    return all.filter { $0.0 != omitted && $0.0 != replacing?.0 } + (replacing.map { [$0] } ?? [])
}

@Suite struct MessageTests {
    @Test func pingQueryEncodesToExactBytes() {
        let message = Message(transactionID: bytes("aa"), body: .query(sender: askerID, .ping), version: Message.ourVersion)
        #expect(Message.ourVersion == [0x4B, 0x53, 0, 1])
        let expected = bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:v4:") + Message.ourVersion + bytes("1:y1:qe")
        #expect(message.encoded() == expected)
        let unversioned = Message(transactionID: bytes("aa"), body: .query(sender: askerID, .ping))
        #expect(unversioned.encoded() == bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"))
    }

    @Test func decodesBEP5Examples() throws {
        let ping = try Message.decode(bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"))
        #expect(ping == Message(transactionID: bytes("aa"), body: .query(sender: askerID, .ping)))
        let pong = try Message.decode(bytes("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re"))
        #expect(pong == Message(transactionID: bytes("aa"), body: .response(Response(id: answererID))))
        let error = try Message.decode(bytes("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"))
        #expect(error == Message(transactionID: bytes("aa"), body: .error(code: 201, message: "A Generic Error Ocurred")))
        let findNode = try Message.decode(bytes(
            "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe"))
        #expect(findNode.body == .query(sender: askerID, .findNode(target: answererID)))
        #expect(findNode.version == nil)
    }

    @Test(arguments: [
        Message.Body.query(sender: askerID, .ping),
        .query(sender: askerID, .findNode(target: answererID)),
        .query(sender: askerID, .findValue(target: answererID)),
        .query(sender: askerID, .store(StoreRequest(token: [1, 2, 3], target: answererID, value: bytes("v"), seq: 0))),
        .query(sender: askerID, .store(StoreRequest(
            token: [0xFF], target: NodeID(key: "k"), value: [], seq: .max, key: bytes("k"), ttl: 60))),
        .query(sender: askerID, .store(StoreRequest(token: [], target: answererID, value: [0], seq: 7, ttl: 0))),
        .query(sender: askerID, .listen(target: answererID, token: [9, 8, 7])),
        .query(sender: askerID, .sampleInfohashes(target: answererID)),
        .query(sender: askerID, .notify(StoreRequest(token: [1], target: NodeID(key: "k"), value: bytes("v2"), seq: 3, key: bytes("k"),
                                                     ttl: 60))),
        .query(sender: askerID, .notify(StoreRequest(token: [1], target: answererID, value: [], seq: 4, deleted: true))),
        .query(sender: askerID, .unknown(method: "vote")),
        .query(sender: askerID, .unknown(method: "dht_extension", target: answererID)),
        .response(Response(id: answererID)),
        .response(Response(id: answererID, nodes: [])),
        .response(Response(id: answererID, nodes: [
            Contact(id: askerID, address: SocketAddress(ip: 0xC0A8_0102, port: 6881)),
            Contact(id: answererID, address: SocketAddress(ip: 0xFFFF_FFFF, port: 65535)),
        ], token: bytes("token"), value: [0, 1, 2], seq: 42)),
        .response(Response(id: answererID, token: [], value: [], seq: 0)),
        .response({
            var response = Response(id: answererID, nodes: [Contact(id: askerID, address: SocketAddress(ip: 0x0A00_0001, port: 1))])
            response.sample = InfohashSample(interval: 21_600, num: 3, samples: [askerID, answererID])
            return response
        }()),
        .response({
            var response = Response(id: answererID)
            response.sample = InfohashSample(interval: 0, num: 0, samples: [])
            return response
        }()),
        .error(code: 203, message: "Bad token"),
        .error(code: 302, message: ""),
        .error(code: -1, message: "négatif"),
    ])
    func encodeDecodeRoundTrip(body: Message.Body) throws {
        for version in [nil, Message.ourVersion] {
            let message = Message(transactionID: [0x00, 0xFF], body: body, version: version)
            let encoded = message.encoded()
            #expect(try Message.decode(encoded) == message)
            // The hand-rolled writer must agree with the canonical bencode encoder.
            #expect(try BencodeDecoder.decode(encoded).encoded() == encoded)
        }
    }

    @Test func storeEncodingPlacesOptionalKeysInOrder() throws {
        let request = StoreRequest(token: bytes("tk"), target: answererID, value: bytes("val"), seq: 5, key: bytes("kk"), ttl: 9)
        let encoded = Message(transactionID: bytes("aa"), body: .query(sender: askerID, .store(request))).encoded()
        let arguments = try #require(BencodeDecoder.decode(encoded)["a"])
        #expect(arguments == .dictionary([
            ("id", .bytes(askerID.bytes)), ("key", .string("kk")), ("seq", .integer(5)),
            ("target", .bytes(answererID.bytes)), ("token", .string("tk")), ("ttl", .integer(9)), ("v", .string("val")),
        ]))
    }

    @Test func unreadableAndEnvelopeErrors() {
        #expect({ if case .unreadable = decodeFailure(bytes("not bencode")) { true } else { false } }())
        #expect({ if case .unreadable = decodeFailure(bytes("d1:t2:aa1:y1:qe trailing")) { true } else { false } }())
        #expect({ if case .malformed = decodeFailure(bytes("l1:te")) { true } else { false } }())
        #expect({ if case .malformed = decodeFailure(bytes("i1e")) { true } else { false } }())
        #expect({ if case .malformed = decodeFailure(bytes("d1:y1:qe")) { true } else { false } }(), "no t")
        #expect({ if case .malformed = decodeFailure(bytes("d1:ti1e1:y1:qe")) { true } else { false } }(), "t not a string")
        #expect({ if case .malformed = decodeFailure(bytes("d1:t2:aa1:y1:re")) { true } else { false } }(), "response without r")
        #expect({ if case .malformed = decodeFailure(bytes("d1:eli201ee1:t2:aa1:y1:ee")) { true } else { false } }())
        #expect({ if case .malformed = decodeFailure(bytes("d1:el3:abci201ee1:t2:aa1:y1:ee")) { true } else { false } }())
    }

    @Test(arguments: [
        ("y missing", BencodeValue.dictionary([("t", .string("xy")), ("a", .dictionary([("id", .bytes(askerID.bytes))]))]).encoded()),
        ("y unknown", BencodeValue.dictionary([("t", .string("xy")), ("y", .string("z"))]).encoded()),
        ("no q", BencodeValue.dictionary([("t", .string("xy")), ("y", .string("q")), ("a", .dictionary([] as [BencodeEntry]))]).encoded()),
        ("no a", BencodeValue.dictionary([("t", .string("xy")), ("y", .string("q")), ("q", .string("ping"))]).encoded()),
        ("a not a dict", BencodeValue.dictionary([
            ("t", .string("xy")), ("y", .string("q")), ("q", .string("ping")), ("a", .list([.bytes(askerID.bytes)])),
        ]).encoded()),
        ("missing id", query("ping", [])),
        ("id 19 bytes", query("ping", [("id", .bytes(Array(askerID.bytes.prefix(19))))])),
        ("id 21 bytes", query("ping", [("id", .bytes(askerID.bytes + [0]))])),
        ("id an integer", query("ping", [("id", .integer(1))])),
        ("missing target", query("find_node", [("id", .bytes(askerID.bytes))])),
        ("short target", query("find_value", [("id", .bytes(askerID.bytes)), ("target", .string("short"))])),
        ("store without token", query("store", storeArguments(dropping: "token"))),
        ("store without v", query("store", storeArguments(dropping: "v"))),
        ("store without seq", query("store", storeArguments(dropping: "seq"))),
        ("store without target", query("store", storeArguments(dropping: "target"))),
        ("negative seq", query("store", storeArguments(replacing: ("seq", .integer(-1))))),
        ("seq a string", query("store", storeArguments(replacing: ("seq", .string("3"))))),
        ("negative ttl", query("store", storeArguments() + [("ttl", .integer(-5))])),
        ("ttl a string", query("store", storeArguments() + [("ttl", .string("60"))])),
        ("key an integer", query("store", storeArguments() + [("key", .integer(1))])),
    ])
    func malformedQueriesCarryTheirTransactionID(reason: String, datagram: [UInt8]) {
        let failure = decodeFailure(datagram)
        guard case .malformedQuery(let transactionID, _) = failure else {
            Issue.record("\(reason): expected malformedQuery, got \(String(describing: failure))")
            return
        }
        #expect(transactionID == bytes("xy"), "\(reason)")
    }

    @Test func unknownMethodDecodesAsUnknownQueryWithItsTarget() throws {
        let message = try Message.decode(query("dht_extension", [("id", .bytes(askerID.bytes)), ("info_hash", .bytes(answererID.bytes))]))
        #expect(message.body == .query(sender: askerID, .unknown(method: "dht_extension", target: answererID)))
        #expect(message.transactionID == bytes("xy"))
    }

    @Test(arguments: [0, 25, 27, 51, 53] as [Int])
    func responseNodesMustBeWholeContacts(length: Int) {
        let datagram = BencodeValue.dictionary([
            ("t", .string("aa")), ("y", .string("r")),
            ("r", .dictionary([("id", .bytes(answererID.bytes)), ("nodes", .bytes([UInt8](repeating: 1, count: length)))])),
        ]).encoded()
        let failure = decodeFailure(datagram)
        if length == 0 {
            #expect(failure == nil)
        } else {
            #expect({ if case .malformed = failure { true } else { false } }(), "\(length) bytes")
        }
    }

    @Test func badResponseFieldsAreMalformed() {
        for r: BencodeValue in [
            .dictionary([("id", .bytes(Array(answererID.bytes.prefix(10))))]),
            .dictionary([] as [BencodeEntry]),
            .list([]),
            .dictionary([("id", .bytes(answererID.bytes)), ("seq", .string("1"))]),
            .dictionary([("id", .bytes(answererID.bytes)), ("token", .integer(1))]),
        ] {
            let datagram = BencodeValue.dictionary([("t", .string("aa")), ("y", .string("r")), ("r", r)]).encoded()
            #expect({ if case .malformed = decodeFailure(datagram) { true } else { false } }(), "\(r)")
        }
    }

    @Test func unknownKeysAreIgnoredEverywhere() throws {
        let pingWithExtras = query("ping", [("id", .bytes(askerID.bytes)), ("zz", .list([])), ("a", .integer(1))],
                                   extra: [("ro", .integer(1)), ("zzz", .dictionary([] as [BencodeEntry])), ("v", .string("LT01"))])
        let ping = try Message.decode(pingWithExtras)
        #expect(ping.body == .query(sender: askerID, .ping))
        #expect(ping.version == bytes("LT01"))
        let response = BencodeValue.dictionary([
            ("t", .string("aa")), ("y", .string("r")), ("ip", .bytes([127, 0, 0, 1, 0, 80])),
            ("r", .dictionary([("id", .bytes(answererID.bytes)), ("nodes6", .string("ignored")), ("p", .integer(1))])),
        ]).encoded()
        #expect(try Message.decode(response).body == .response(Response(id: answererID)))
        let error = try Message.decode(bytes("d1:eli202e6:Server3:xyze1:t2:aa1:y1:ee"))
        #expect(error.body == .error(code: 202, message: "Server"))
    }

    @Test func compactNodeLayoutIsIDThenBigEndianIPAndPort() throws {
        let id = try #require(NodeID(bytes: Array(1...20)))
        let contact = Contact(id: id, address: SocketAddress(ip: 0xC0A8_0102, port: 0x1AE1))
        let encoded = CompactNode.encode([contact])
        #expect(encoded == Array(1...20) + [0xC0, 0xA8, 0x01, 0x02, 0x1A, 0xE1])
        #expect(CompactNode.decode(encoded) == [contact])
        #expect(CompactNode.decode([]) == [])
        #expect(CompactNode.decode(encoded + encoded) == [contact, contact])
        #expect(CompactNode.decode(Array(encoded.dropLast())) == nil)
        #expect(CompactNode.decode(encoded + [0]) == nil)
        #expect(CompactNode.size == 26)
    }
}
