import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

private let askerID = NodeID(bytes: bytes("abcdefghij0123456789")) ?? .zero
private let answererID = NodeID(bytes: bytes("mnopqrstuvwxyz123456")) ?? .zero

private typealias Outcome = Result<Message, MessageDecodeError>

/// What the direct decoder and the tree decoder make of `datagram`; they must agree.
private func decodeBoth(_ datagram: [UInt8]) -> Outcome {
    let (direct, tree) = datagram.withUnsafeBytes { raw in
        (Result { () throws(MessageDecodeError) in try Message.decode(raw) },
         Result { () throws(MessageDecodeError) in try Message.decodeViaTree(raw) })
    }
    #expect(direct == tree, "decoders disagree on \(String(decoding: datagram, as: UTF8.self))")
    return direct
}

private let storeArguments: [(String, BencodeValue)] = [
    ("id", .bytes(askerID.bytes)), ("target", .bytes(answererID.bytes)),
    ("token", .string("tok")), ("v", .string("")), ("seq", .integer(5)),
]

private func storeQuery(_ extra: [(String, BencodeValue)]) -> [UInt8] {
    BencodeValue.dictionary([
        ("t", .string("xy")), ("y", .string("q")), ("q", .string("store")), ("a", .dictionary(extra + storeArguments)),
    ]).encoded()
}

private func reply(_ extra: [(String, BencodeValue)]) -> [UInt8] {
    BencodeValue.dictionary([
        ("t", .string("xy")), ("y", .string("r")), ("r", .dictionary(extra + [("id", .bytes(answererID.bytes))])),
    ]).encoded()
}

@Suite struct WireLifetimeTests {
    @Test func tombstoneStoreEncodesToExactBytes() throws {
        let request = StoreRequest(token: bytes("tok"), target: answererID, value: [], seq: 5, ttl: 3600, deleted: true)
        let message = Message(transactionID: bytes("aa"), body: .query(sender: askerID, .store(request)))
        let expected = bytes("d1:ad3:deli1e2:id20:abcdefghij01234567893:seqi5e6:target20:mnopqrstuvwxyz123456"
                             + "5:token3:tok3:ttli3600e1:v0:e1:q5:store1:t2:aa1:y1:qe")
        #expect(message.encoded() == expected)
        #expect(try decodeBoth(expected).get() == message)
        // A live value writes no `del` at all.
        var live = request
        live.deleted = false
        live.ttl = nil
        let plain = Message(transactionID: bytes("aa"), body: .query(sender: askerID, .store(live))).encoded()
        #expect(plain == bytes("d1:ad2:id20:abcdefghij01234567893:seqi5e6:target20:mnopqrstuvwxyz123456"
                               + "5:token3:tok1:v0:e1:q5:store1:t2:aa1:y1:qe"))
    }

    @Test func findValueRepliesWithTtlAndDelEncodeToExactBytes() throws {
        let tombstone = Response(id: answererID, token: bytes("tk"), seq: 7, ttl: 3599, deleted: true)
        let deleted = Message(transactionID: bytes("aa"), body: .response(tombstone))
        let deletedBytes = bytes("d1:rd3:deli1e2:id20:mnopqrstuvwxyz1234563:seqi7e5:token2:tk3:ttli3599ee1:t2:aa1:y1:re")
        #expect(deleted.encoded() == deletedBytes)
        #expect(try decodeBoth(deletedBytes).get() == deleted)

        let node = Contact(id: askerID, address: SocketAddress(ip: 0x0102_0304, port: 0x1A2B))
        let value = Response(id: answererID, nodes: [node], token: bytes("tk"), value: bytes("hello"), seq: 2, ttl: 0)
        let found = Message(transactionID: bytes("aa"), body: .response(value), version: Message.ourVersion)
        let foundBytes = bytes("d1:rd2:id20:mnopqrstuvwxyz1234565:nodes26:abcdefghij0123456789") + [1, 2, 3, 4, 0x1A, 0x2B]
            + bytes("3:seqi2e5:token2:tk3:ttli0e1:v5:helloe1:t2:aa1:v4:") + Message.ourVersion + bytes("1:y1:re")
        #expect(found.encoded() == foundBytes)
        #expect(try decodeBoth(foundBytes).get() == found)
    }

    @Test(arguments: [
        Message.Body.query(sender: askerID, .store(StoreRequest(token: [], target: answererID, value: [], seq: 0, deleted: true))),
        .query(sender: askerID, .store(StoreRequest(token: [9], target: NodeID(key: "k"), value: [], seq: .max,
                                                    key: bytes("k"), ttl: .max, deleted: true))),
        .query(sender: askerID, .store(StoreRequest(token: [9], target: answererID, value: [1], seq: 3, ttl: 0))),
        .response(Response(id: answererID, ttl: 0)),
        .response(Response(id: answererID, seq: .max, ttl: .max, deleted: true)),
        .response(Response(id: answererID, nodes: [], token: [], value: [], seq: 0, ttl: 86_400)),
        .response(Response(id: answererID, deleted: true)),
    ])
    func lifetimeFieldsRoundTripThroughBothDecoders(body: Message.Body) throws {
        let message = Message(transactionID: [0, 0xFF], body: body)
        #expect(try decodeBoth(message.encoded()).get() == message)
    }

    @Test func explicitDelZeroMeansLiveAndIsNotWrittenBack() throws {
        let decodedStore = try decodeBoth(storeQuery([("del", .integer(0))])).get()
        guard case .query(_, .store(let request)) = decodedStore.body else {
            Issue.record("not a store: \(decodedStore)")
            return
        }
        #expect(!request.deleted && request.seq == 5 && request.ttl == nil)
        #expect(!decodedStore.encoded().contains(subsequence: bytes("3:del")))
        let decodedReply = try decodeBoth(reply([("del", .integer(0)), ("ttl", .integer(12))])).get()
        #expect(decodedReply.body == .response(Response(id: answererID, ttl: 12)))
    }

    @Test(arguments: [
        (BencodeValue.integer(2), "del is not 0 or 1"),
        (.integer(-1), "del is not 0 or 1"),
        (.string("1"), "del is not an integer"),
        (.list([]), "del is not an integer"),
    ])
    func badDelInAStoreIsAMalformedQuery(del: BencodeValue, reason: String) {
        #expect(decodeBoth(storeQuery([("del", del)])) == .failure(.malformedQuery(transactionID: bytes("xy"), reason: reason)))
    }

    @Test(arguments: [
        (BencodeValue.integer(2), "del is not 0 or 1"),
        (.string("yes"), "del is not an integer"),
    ])
    func badDelInAResponseIsMalformed(del: BencodeValue, reason: String) {
        #expect(decodeBoth(reply([("del", del)])) == .failure(.malformed(reason: reason)))
    }

    @Test func negativeOrIllTypedTtlInAResponseIsMalformed() {
        #expect(decodeBoth(reply([("ttl", .integer(-1))])) == .failure(.malformed(reason: "negative ttl")))
        #expect(decodeBoth(reply([("ttl", .integer(.min))])) == .failure(.malformed(reason: "negative ttl")))
        #expect(decodeBoth(reply([("ttl", .string("5"))])) == .failure(.malformed(reason: "ttl is not an integer")))
        #expect(decodeBoth(storeQuery([("ttl", .integer(-1))]))
            == .failure(.malformedQuery(transactionID: bytes("xy"), reason: "negative ttl")))
    }
}

private extension Array where Element == UInt8 {
    func contains(subsequence: [UInt8]) -> Bool {
        guard subsequence.count <= count else { return false }
        return (0...(count - subsequence.count)).contains { Array(self[$0..<($0 + subsequence.count)]) == subsequence }
    }
}
