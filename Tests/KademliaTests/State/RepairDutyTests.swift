import Testing
@testable import KademliaCore
import KademliaTestKit

/// Who repairs a key when one of its K closest turns bad (`NodeState.recordTimeout`): the
/// holder with no nearer live contact that it takes to hold the key, that is, one confirmed
/// holding it or one that is no newcomer still waiting for its hand-off.
@Suite struct RepairDutyTests {
    /// How the nearer contact in `secondNearest` stands with the key.
    enum Nearer: CustomStringConvertible {
        /// Confirmed holding it.
        case confirmed
        /// In the table since before the state held the key, never confirmed.
        case settled
        /// A newcomer whose hand-off another holder is to do, watched here.
        case watchedNewcomer
        /// A newcomer this node owes the key to.
        case owedNewcomer

        var description: String { "\(self)" }
    }

    /// A state second nearest `target` of everyone it knows, holding a replica of it, whose
    /// table has a nearer contact (last heard `nearestSeen` ago, standing with the key as
    /// `nearer` says), a dying contact among the K closest and farther ones, one of which is
    /// known to hold the key; returns the state, the target and the dying contact's id.
    private func secondNearest(nearestSeen: Duration, nearer: Nearer) -> (NodeState, NodeID, NodeID) {
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
        _ = state.store.store(bytes("v"), seq: 0, for: target, now: now)
        state.store.markReplica(target)
        state.store.confirm(farther[0].id, holds: target, now: now - .seconds(1800))
        switch nearer {
        case .confirmed: state.store.confirm(nearest.id, holds: target, now: now - .seconds(1800))
        case .settled: break
        case .watchedNewcomer: state.handOffWatch.watch(nearest, for: [target], leftTo: farther[0].id, until: now + .seconds(600))
        case .owedNewcomer: state.handOffDebts.owe([target], to: nearest, afterAttempt: 0, now: now)
        }
        return (state, target, dying.id)
    }

    @Test func theNextNearestRepairsUnlessANearerHolderIsKnownLive() {
        let now = start + .seconds(3600)
        let cases: [(seen: Duration, nearer: Nearer, repairs: Bool)] = [
            (.seconds(30), .confirmed, false),
            (.seconds(600), .confirmed, true),
            // Never confirmed, but in the table since before: it met the hand-offs and
            // rounds since, and is taken to hold the key.
            (.seconds(30), .settled, false),
            (.seconds(600), .settled, true),
            // A newcomer whose hand-off may have fallen to a holder that died unnoticed.
            (.seconds(30), .watchedNewcomer, true),
            (.seconds(30), .owedNewcomer, true),
        ]
        for (seen, nearer, repairs) in cases {
            var (state, target, dying) = secondNearest(nearestSeen: seen, nearer: nearer)
            // The first silence leaves it in the table; the second (the failure limit) drops it.
            #expect(state.recordTimeout(of: dying, now: now).isEmpty)
            let due = state.recordTimeout(of: dying, now: now + .seconds(1))
            #expect(due == (repairs ? [target] : []), "nearer contact last heard \(seen) ago, \(nearer)")
        }
    }

    @Test func aCacheWhoseNodeMovesUpAmongTheKClosestBecomesAReplicaAndRepairs() {
        var generator = SeededGenerator(seed: 0x2EFC)
        let target = NodeID.random(using: &generator)
        let now = start + .seconds(3600)
        var state = makeTestState(randomSeed: 3, localID: target.randomID(inBucket: 40, using: &generator))
        // K contacts nearer the key, all quiet for 10 min: none is known live.
        let nearer = (0..<8).map { peer(target.randomID(inBucket: 10 + 2 * $0, using: &generator), port: UInt16(4100 + $0)) }
        for contact in nearer { _ = state.routingTable.insert(contact, now: now - .seconds(600)) }
        _ = state.store.store(bytes("v"), seq: 0, for: target, now: now, asReplica: false)
        #expect(!state.store.isReplica(target), "cached with K nearer nodes known")
        #expect(state.recordTimeout(of: nearer[3].id, now: now).isEmpty)
        #expect(state.recordTimeout(of: nearer[3].id, now: now + .seconds(1)) == [target])
        #expect(state.store.isReplica(target), "now among the K closest")
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
