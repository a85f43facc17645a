import Testing
@testable import KademliaCore
import KademliaTestKit

/// Who repairs a key when one of its K closest turns bad (`NodeState.recordTimeout`): the
/// holder nearest the key, and the next only while the nearest is not known live.
@Suite struct RepairDutyTests {
    /// A state second nearest `target` of everyone it knows, holding a replica of it, whose
    /// table has the nearest holder (last heard `nearestSeen` ago) and a dying contact
    /// among the K closest; returns the state and the dying contact's id.
    private func secondNearest(nearestSeen: Duration) -> (NodeState, NodeID, NodeID) {
        var generator = SeededGenerator(seed: 0x2EFA)
        let target = NodeID.random(using: &generator)
        // A lower bucket index is nearer the target.
        var state = makeTestState(randomSeed: 1, localID: target.randomID(inBucket: 20, using: &generator))
        let now = start + .seconds(3600)
        let nearest = peer(target.randomID(inBucket: 10, using: &generator), port: 4001)
        let dying = peer(target.randomID(inBucket: 30, using: &generator), port: 4002)
        _ = state.routingTable.insert(nearest, now: now - nearestSeen)
        _ = state.routingTable.insert(dying, now: now - .seconds(600))
        for index in 0..<4 {
            _ = state.routingTable.insert(peer(target.randomID(inBucket: 40 + index, using: &generator), port: UInt16(4010 + index)),
                                          now: now)
        }
        _ = state.store.store(bytes("v"), seq: 0, for: target, now: now)
        state.store.markReplica(target)
        return (state, target, dying.id)
    }

    @Test func theNextNearestRepairsOnlyWhenTheNearestIsNotKnownLive() {
        let now = start + .seconds(3600)
        for (seen, repairs) in [(Duration.seconds(30), false), (.seconds(600), true)] {
            var (state, target, dying) = secondNearest(nearestSeen: seen)
            // The first silence leaves it in the table; the second (the failure limit) drops it.
            #expect(state.recordTimeout(of: dying, now: now).isEmpty)
            let due = state.recordTimeout(of: dying, now: now + .seconds(1))
            #expect(due == (repairs ? [target] : []), "nearest holder last heard \(seen) ago")
        }
    }

    @Test func theNearestHolderAlwaysRepairs() {
        var generator = SeededGenerator(seed: 0x2EFB)
        let target = NodeID.random(using: &generator)
        var state = makeTestState(randomSeed: 2, localID: target.randomID(inBucket: 5, using: &generator))
        let dying = peer(target.randomID(inBucket: 30, using: &generator), port: 4002)
        _ = state.routingTable.insert(dying, now: start)
        _ = state.routingTable.insert(peer(target.randomID(inBucket: 12, using: &generator), port: 4003), now: start)
        _ = state.store.store(bytes("v"), seq: 0, for: target, now: start)
        state.store.markReplica(target)
        #expect(state.recordTimeout(of: dying.id, now: start).isEmpty)
        #expect(state.recordTimeout(of: dying.id, now: start + .seconds(1)) == [target])
    }
}
