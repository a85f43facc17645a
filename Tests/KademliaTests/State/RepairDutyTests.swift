import Testing
@testable import KademliaCore
import KademliaTestKit

/// Who repairs a key when one of its K closest turns bad (`NodeState.recordTimeout`): the
/// holder with no nearer contact that it knows holds the key and is known live.
@Suite struct RepairDutyTests {
    /// A state second nearest `target` of everyone it knows, holding a replica of it, whose
    /// table has a nearer contact (last heard `nearestSeen` ago, known to hold the key when
    /// `nearestHolds`), a dying contact among the K closest and farther ones, one of which
    /// is known to hold the key when `fartherHolds`; returns the state, the target and the
    /// dying contact's id.
    private func secondNearest(nearestSeen: Duration, nearestHolds: Bool, fartherHolds: Bool = true,
                               putAgo: Duration = .zero) -> (NodeState, NodeID, NodeID) {
        var generator = SeededGenerator(seed: 0x2EFA)
        let target = NodeID.random(using: &generator)
        // A lower bucket index is nearer the target.
        var state = makeTestState(randomSeed: 1, localID: target.randomID(inBucket: 20, using: &generator))
        let now = start + .seconds(3600)
        let nearest = peer(target.randomID(inBucket: 10, using: &generator), port: 4001)
        let dying = peer(target.randomID(inBucket: 30, using: &generator), port: 4002)
        _ = state.routingTable.insert(nearest, now: now - nearestSeen)
        _ = state.routingTable.insert(dying, now: now - .seconds(600))
        let farther = (0..<4).map { peer(target.randomID(inBucket: 40 + $0, using: &generator), port: UInt16(4010 + $0)) }
        for contact in farther { _ = state.routingTable.insert(contact, now: now) }
        _ = state.store.store(bytes("v"), seq: 0, for: target, now: now - putAgo)
        state.store.markReplica(target)
        if nearestHolds { state.store.confirm(nearest.id, holds: target, now: now - .seconds(1800)) }
        if fartherHolds { state.store.confirm(farther[0].id, holds: target, now: now - .seconds(1800)) }
        return (state, target, dying.id)
    }

    @Test func theNextNearestRepairsUnlessANearerHolderIsKnownLive() {
        let now = start + .seconds(3600)
        let cases: [(seen: Duration, holds: Bool, fartherHolds: Bool, putAgo: Duration, repairs: Bool)] = [
            (.seconds(30), true, true, .zero, false),
            (.seconds(600), true, true, .zero, true),
            // Live but not known to hold the key, where another holder is known: a newcomer
            // nobody handed it to.
            (.seconds(30), false, true, .zero, true),
            // Knowing of no holder at all (a fresh put), the nearer live contact is trusted.
            (.seconds(30), false, false, .zero, false),
            (.seconds(600), false, false, .zero, true),
            // Knowing of none two hours on: those known are gone, and nobody is trusted.
            (.seconds(30), false, false, .seconds(7200), true),
        ]
        for (seen, holds, fartherHolds, putAgo, repairs) in cases {
            var (state, target, dying) = secondNearest(nearestSeen: seen, nearestHolds: holds, fartherHolds: fartherHolds,
                                                       putAgo: putAgo)
            // The first silence leaves it in the table; the second (the failure limit) drops it.
            #expect(state.recordTimeout(of: dying, now: now).isEmpty)
            let due = state.recordTimeout(of: dying, now: now + .seconds(1))
            #expect(due == (repairs ? [target] : []),
                    "nearer contact last heard \(seen) ago, known to hold: \(holds), a farther one: \(fartherHolds), put \(putAgo) ago")
        }
    }

    @Test func theNearestHolderAlwaysRepairs() {
        var generator = SeededGenerator(seed: 0x2EFB)
        let target = NodeID.random(using: &generator)
        var state = makeTestState(randomSeed: 2, localID: target.randomID(inBucket: 5, using: &generator))
        let dying = peer(target.randomID(inBucket: 30, using: &generator), port: 4002)
        let farther = peer(target.randomID(inBucket: 12, using: &generator), port: 4003)
        _ = state.routingTable.insert(dying, now: start)
        _ = state.routingTable.insert(farther, now: start)
        _ = state.store.store(bytes("v"), seq: 0, for: target, now: start)
        state.store.markReplica(target)
        state.store.confirm(farther.id, holds: target, now: start)
        #expect(state.recordTimeout(of: dying.id, now: start).isEmpty)
        #expect(state.recordTimeout(of: dying.id, now: start + .seconds(1)) == [target])
    }
}
