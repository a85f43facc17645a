import Testing
@testable import Kademlia
@testable import KademliaCore

private let tid: [UInt8] = [0x12, 0x34]

/// A node state with a seeded random source, plus a generator for test data.
private func makeState(seed: UInt64 = 1) -> (NodeState, SeededGenerator) {
    var generator = SeededGenerator(seed: seed)
    let state = makeTestState(randomSeed: seed &+ 100, localID: NodeID.random(using: &generator))
    return (state, generator)
}

/// Asks `state` for a write token the way a putter does: with find_value.
private func token(from state: inout NodeState, for asker: Contact, target: NodeID, now: Timestamp,
                   sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
    let reply = state.answer(.findValue(target: target), transactionID: tid, from: asker, now: now)
    return try #require(response(reply)?.token, sourceLocation: sourceLocation)
}

private func store(_ state: inout NodeState, _ value: [UInt8], seq: Int64, target: NodeID, token: [UInt8],
                   key: [UInt8]? = nil, from asker: Contact, now: Timestamp) -> Message {
    let request = StoreRequest(token: token, target: target, value: value, seq: seq, key: key)
    return state.answer(.store(request), transactionID: tid, from: asker, now: now)
}

@Suite struct ResponderTests {
    @Test func pingAnswersWithOurIDAndEchoesTransaction() {
        var (state, generator) = makeState()
        let asker = peer(NodeID.random(using: &generator))
        let reply = state.answer(.ping, transactionID: tid, from: asker, now: start)
        #expect(reply == Message(transactionID: tid, body: .response(Response(id: state.localID)), version: Message.ourVersion,
                                 observedAddress: asker.address))
    }

    @Test func findNodeReturnsKClosestFromRoutingTable() throws {
        var (state, generator) = makeState(seed: 2)
        for index in 0..<60 {
            _ = state.routingTable.insert(peer(NodeID.random(using: &generator), port: UInt16(5000 + index)), now: start)
        }
        for _ in 0..<20 {
            let target = NodeID.random(using: &generator)
            let reply = try #require(response(state.answer(.findNode(target: target), transactionID: tid,
                                                           from: peer(NodeID.random(using: &generator)), now: start)))
            let expected = state.routingTable.contacts.sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }.prefix(8)
            #expect(reply.nodes == Array(expected))
            #expect(reply.id == state.localID && reply.token == nil && reply.value == nil)
        }
    }

    @Test func findValueWithoutValueGivesTokenAndNodes() throws {
        var (state, generator) = makeState(seed: 3)
        _ = state.routingTable.insert(peer(NodeID.random(using: &generator), port: 9), now: start)
        let asker = peer(NodeID.random(using: &generator))
        let reply = try #require(response(state.answer(.findValue(target: NodeID(key: "k")), transactionID: tid, from: asker, now: start)))
        #expect(reply.token?.isEmpty == false)
        #expect(reply.nodes?.count == 1)
        #expect(reply.value == nil && reply.seq == nil)
    }

    @Test func storeWithTokenThenFindValueReturnsIt() throws {
        var (state, generator) = makeState(seed: 4)
        let asker = peer(NodeID.random(using: &generator))
        let target = NodeID(key: "greeting")
        let writeToken = try token(from: &state, for: asker, target: target, now: start)
        // Same IP from another port is the same asker as far as tokens go.
        let samehost = peer(asker.id, ip: asker.address.ip, port: asker.address.port &+ 1)
        let stored = store(&state, Array("hi".utf8), seq: 4, target: target, token: writeToken, key: Array("greeting".utf8), from: samehost, now: start)
        #expect(stored == Message(transactionID: tid, body: .response(Response(id: state.localID)), version: Message.ourVersion,
                                  observedAddress: samehost.address))
        let found = try #require(response(state.answer(.findValue(target: target), transactionID: tid, from: asker, now: start + .seconds(1))))
        #expect(found.value == Array("hi".utf8))
        #expect(found.seq == 4)
        #expect(found.token != nil)
    }

    @Test func storeWithForeignOrGarbageTokenIsProtocolError() throws {
        var (state, generator) = makeState(seed: 5)
        let asker = peer(NodeID.random(using: &generator), ip: 0x0A00_0001)
        let other = peer(NodeID.random(using: &generator), ip: 0x0A00_0002)
        let target = NodeID(key: "x")
        let askersToken = try token(from: &state, for: asker, target: target, now: start)
        #expect(errorCode(store(&state, [1], seq: 0, target: target, token: askersToken, from: other, now: start)) == 203)
        #expect(errorCode(store(&state, [1], seq: 0, target: target, token: Array("garbage!".utf8), from: asker, now: start)) == 203)
        #expect(errorCode(store(&state, [1], seq: 0, target: target, token: [], from: asker, now: start)) == 203)
        #expect(state.store.value(for: target, now: start) == nil)
    }

    @Test(arguments: [0, 1, 150, 299, 300, 451, 599] as [Int64])
    func tokenLastsAtLeastFiveAndAtMostTenMinutes(issuedAfterSeconds: Int64) throws {
        var (state, generator) = makeState(seed: 6)
        let asker = peer(NodeID.random(using: &generator))
        let issued = start + .seconds(issuedAfterSeconds) + .milliseconds(250)
        let target = NodeID(key: "t")
        let writeToken = try token(from: &state, for: asker, target: target, now: issued)
        let fiveMinutes = store(&state, [1], seq: 1, target: target, token: writeToken, from: asker, now: issued + .seconds(300))
        #expect(response(fiveMinutes) != nil, "token expired within 5 minutes")
        let tenMinutes = store(&state, [2], seq: 2, target: target, token: writeToken, from: asker, now: issued + .seconds(600))
        #expect(errorCode(tenMinutes) == 203, "token still valid after 10 minutes")
        #expect(state.store.value(for: target, now: issued + .seconds(600))?.seq == 1)
    }

    @Test func keyThatDoesNotHashToTargetIsProtocolError() throws {
        var (state, generator) = makeState(seed: 7)
        let asker = peer(NodeID.random(using: &generator))
        let target = NodeID(key: "right")
        let writeToken = try token(from: &state, for: asker, target: target, now: start)
        let wrong = store(&state, [1], seq: 0, target: target, token: writeToken, key: Array("wrong".utf8), from: asker, now: start)
        #expect(errorCode(wrong) == 203)
        #expect(state.store.value(for: target, now: start) == nil)
        let right = store(&state, [1], seq: 0, target: target, token: writeToken, key: Array("right".utf8), from: asker, now: start)
        #expect(response(right) != nil)
    }

    @Test func valueSizeLimitIsOneThousandBytes() throws {
        var (state, generator) = makeState(seed: 8)
        let asker = peer(NodeID.random(using: &generator))
        let target = NodeID(key: "big")
        let writeToken = try token(from: &state, for: asker, target: target, now: start)
        let tooBig = store(&state, [UInt8](repeating: 7, count: 1001), seq: 0, target: target, token: writeToken, from: asker, now: start)
        #expect(errorCode(tooBig) == 205)
        #expect(state.store.value(for: target, now: start) == nil)
        let atLimit = store(&state, [UInt8](repeating: 7, count: 1000), seq: 0, target: target, token: writeToken, from: asker, now: start)
        #expect(response(atLimit) != nil)
    }

    @Test func lowerSeqIsRejectedWith302AndValueKept() throws {
        var (state, generator) = makeState(seed: 9)
        let asker = peer(NodeID.random(using: &generator))
        let target = NodeID(key: "versioned")
        let writeToken = try token(from: &state, for: asker, target: target, now: start)
        _ = store(&state, Array("new".utf8), seq: 10, target: target, token: writeToken, from: asker, now: start)
        let older = store(&state, Array("old".utf8), seq: 9, target: target, token: writeToken, from: asker, now: start)
        #expect(errorCode(older) == 302)
        #expect(older.transactionID == tid)
        #expect(state.store.value(for: target, now: start)?.value == Array("new".utf8))
        let equalButLower = store(&state, Array("abc".utf8), seq: 10, target: target, token: writeToken, from: asker, now: start)
        #expect(response(equalButLower) != nil, "an equal seq that loses is not an error")
        #expect(state.store.value(for: target, now: start)?.value == Array("new".utf8))
    }

    @Test(arguments: ["get_peers", "announce_peer", "get", "put", ""])
    func unknownMethodIs204(method: String) {
        var (state, generator) = makeState(seed: 10)
        let reply = state.answer(.unknown(method: method), transactionID: tid, from: peer(NodeID.random(using: &generator)), now: start)
        #expect(errorCode(reply) == 204)
        #expect(reply.transactionID == tid)
    }

    @Test func observeChallengesOnlyQuestionableOldestOnce() {
        var (state, generator) = makeState(seed: 11)
        let bucket = 159
        let members = (0..<8).map { peer(state.localID.randomID(inBucket: bucket, using: &generator), port: UInt16(100 + $0)) }
        for (offset, member) in members.enumerated() {
            #expect(state.observe(member, now: start + .seconds(offset)).challenge == nil)
        }
        #expect(state.routingTable.count == 8)
        let newcomers = (0..<4).map { peer(state.localID.randomID(inBucket: bucket, using: &generator), port: UInt16(900 + $0)) }
        // The oldest was seen 10 s ago: not questionable yet.
        #expect(state.observe(newcomers[0], now: start + .seconds(10)).challenge == nil)
        let quiet = start + state.configuration.questionableAfter
        #expect(state.observe(newcomers[1], now: quiet - .seconds(1)).challenge == nil)
        #expect(state.observe(newcomers[2], now: quiet).challenge == members[0])
        #expect(state.observe(newcomers[3], now: quiet + .seconds(1)).challenge == nil, "already challenged")
        #expect(state.challenged == [members[0].id])
        #expect(state.observe(peer(NodeID.random(using: &generator), port: 0), now: quiet).challenge == nil)
    }

    @Test func observeChallengesAFailingOldestAtOnce() {
        var (state, generator) = makeState(seed: 12)
        let members = (0..<8).map { peer(state.localID.randomID(inBucket: 158, using: &generator), port: UInt16(200 + $0)) }
        for member in members { _ = state.observe(member, now: start) }
        state.routingTable.recordFailure(of: members[0].id)
        let newcomer = peer(state.localID.randomID(inBucket: 158, using: &generator), port: 300)
        #expect(state.observe(newcomer, now: start + .seconds(1)).challenge == members[0])
    }

    @Test func observeIgnoresPortZero() {
        var (state, generator) = makeState(seed: 13)
        #expect(state.observe(peer(NodeID.random(using: &generator), port: 0), now: start).challenge == nil)
        #expect(state.routingTable.count == 0)
    }
}
