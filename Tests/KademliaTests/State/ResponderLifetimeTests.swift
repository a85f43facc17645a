import Testing
@testable import Kademlia
@testable import KademliaCore

private let tid: [UInt8] = [0x56, 0x78]

private func makeState(seed: UInt64) -> (NodeState, Contact) {
    var generator = SeededGenerator(seed: seed)
    let state = makeTestState(randomSeed: seed &+ 100, localID: NodeID.random(using: &generator))
    let asker = Contact(id: NodeID.random(using: &generator), address: SocketAddress(ip: 0x0A00_0007, port: 4100))
    return (state, asker)
}

private func findValue(_ state: inout NodeState, _ target: NodeID, from asker: Contact, now: Timestamp,
                       sourceLocation: SourceLocation = #_sourceLocation) throws -> Response {
    try #require(response(state.answer(.findValue(target: target), transactionID: tid, from: asker, now: now)),
                 sourceLocation: sourceLocation)
}

/// A store as a peer sends it, with a token fetched by find_value first.
private func store(_ state: inout NodeState, _ value: [UInt8], seq: Int64, target: NodeID, ttl: Int64? = nil,
                   deleted: Bool = false, from asker: Contact, now: Timestamp) throws -> Message {
    let token = try #require(try findValue(&state, target, from: asker, now: now).token)
    let request = StoreRequest(token: token, target: target, value: value, seq: seq, ttl: ttl, deleted: deleted)
    return state.answer(.store(request), transactionID: tid, from: asker, now: now)
}

@Suite struct ResponderLifetimeTests {
    @Test(arguments: [0, 1, 999, 1000, 86_399_999, 86_400_000] as [Int64])
    func findValueReportsWholeSecondsLeft(elapsedMilliseconds: Int64) throws {
        var (state, asker) = makeState(seed: 21)
        let target = NodeID(key: "ttl")
        _ = try store(&state, [7], seq: 1, target: target, from: asker, now: start)
        let now = start + .milliseconds(elapsedMilliseconds)
        let found = try findValue(&state, target, from: asker, now: now)
        let lifetime = state.configuration.valueLifetime
        if elapsedMilliseconds < lifetime.totalNanoseconds / 1_000_000 {
            #expect(found.value == [7] && found.seq == 1 && !found.deleted)
            #expect(found.ttl == (lifetime.totalNanoseconds / 1_000_000 - elapsedMilliseconds) / 1000)
        } else {
            #expect(found.value == nil && found.seq == nil && found.ttl == nil, "expired: nothing held")
        }
    }

    @Test func findValueOfATombstoneSaysDeletedWithSeqAndNoValue() throws {
        var (state, asker) = makeState(seed: 22)
        let target = NodeID(key: "gone")
        #expect(response(try store(&state, [], seq: 9, target: target, ttl: 600, deleted: true, from: asker, now: start)) != nil)
        let found = try findValue(&state, target, from: asker, now: start + .milliseconds(1500))
        #expect(found.deleted)
        #expect(found.seq == 9)
        #expect(found.value == nil)
        #expect(found.ttl == 598)
        #expect(found.token != nil)
        #expect(state.store.tombstoneCount(now: start) == 1)
    }

    @Test func aTombstoneReplacesAnOlderValueAndThenRefusesIt() throws {
        var (state, asker) = makeState(seed: 23)
        let target = NodeID(key: "deleted later")
        _ = try store(&state, Array("old".utf8), seq: 3, target: target, from: asker, now: start)
        let later = start + .seconds(10)
        // The tombstone's `v` is ignored: a tombstone holds no bytes.
        let deletion = try store(&state, Array("junk".utf8), seq: 4, target: target, deleted: true, from: asker, now: later)
        #expect(deletion == Message(transactionID: tid, body: .response(Response(id: state.localID)), version: Message.ourVersion,
                                    observedAddress: asker.address))
        let held = try #require(state.store.entry(for: target, now: later))
        #expect(held.isTombstone && held.seq == 4 && held.value.isEmpty)
        #expect(state.store.value(for: target, now: later) == nil)
        let stale = try store(&state, Array("old".utf8), seq: 3, target: target, from: asker, now: later + .seconds(1))
        #expect(errorCode(stale) == 302)
        #expect(stale.transactionID == tid)
        // An equal seq value loses to the tombstone quietly.
        let tie = try store(&state, Array("zzz".utf8), seq: 4, target: target, from: asker, now: later + .seconds(2))
        #expect(response(tie) != nil)
        let found = try findValue(&state, target, from: asker, now: later + .seconds(3))
        #expect(found.deleted && found.seq == 4 && found.value == nil)
        // A newer value brings the key back.
        _ = try store(&state, Array("new".utf8), seq: 5, target: target, from: asker, now: later + .seconds(4))
        let back = try findValue(&state, target, from: asker, now: later + .seconds(5))
        #expect(!back.deleted && back.seq == 5 && back.value == Array("new".utf8))
    }

    @Test func aStoreTtlBeyondTheMaximumLifetimeIsCapped() throws {
        var (state, asker) = makeState(seed: 24)
        let maximum = state.configuration.valueLifetime.totalNanoseconds / 1_000_000_000
        for (index, ttl) in [maximum + 1, 10 * maximum, Int64.max].enumerated() {
            let target = NodeID(key: "capped-\(index)")
            #expect(response(try store(&state, [1], seq: 0, target: target, ttl: ttl, from: asker, now: start)) != nil)
            #expect(state.store.entry(for: target, now: start)?.expiresAt == start + state.configuration.valueLifetime)
            #expect(try findValue(&state, target, from: asker, now: start).ttl == maximum)
        }
        let shorter = NodeID(key: "shorter")
        _ = try store(&state, [1], seq: 0, target: shorter, ttl: 120, from: asker, now: start)
        #expect(try findValue(&state, shorter, from: asker, now: start + .seconds(20)).ttl == 100)
    }

    @Test func aReplicationWithLessTimeLeftDoesNotShortenTheHeldCopy() throws {
        var (state, asker) = makeState(seed: 25)
        let target = NodeID(key: "kept long")
        _ = try store(&state, [1], seq: 2, target: target, ttl: 1000, from: asker, now: start)
        _ = try store(&state, [1], seq: 2, target: target, ttl: 10, from: asker, now: start + .seconds(100))
        #expect(try findValue(&state, target, from: asker, now: start + .seconds(100)).ttl == 900)
        _ = try store(&state, [1], seq: 2, target: target, ttl: 5000, from: asker, now: start + .seconds(200))
        #expect(try findValue(&state, target, from: asker, now: start + .seconds(200)).ttl == 5000)
    }

    @Test func aZeroTtlStoreOfANewKeyIsAcceptedButHoldsNothing() throws {
        var (state, asker) = makeState(seed: 26)
        let target = NodeID(key: "spent")
        #expect(response(try store(&state, [1], seq: 0, target: target, ttl: 0, from: asker, now: start)) != nil)
        #expect(state.store.count == 0)
        let found = try findValue(&state, target, from: asker, now: start)
        #expect(found.value == nil && found.seq == nil && found.ttl == nil && !found.deleted)
    }
}
