import Testing
@testable import KademliaCore
import KademliaTestKit

/// Which held values a join or a death may concern (`NodeState.targetsHeld(withinReachOf:now:)`):
/// checked against a brute-force count over the whole table, with thousands of values held.
@Suite struct TargetsHeldReachTests {
    /// A state whose table holds contacts in every occupied bucket, as a node of a large
    /// network does, holding `values` targets: most near itself, as replicas are, the rest
    /// anywhere, as caches may be.
    private func crowdedState(values: Int, generator: inout SeededGenerator) -> NodeState {
        let localID = NodeID.random(using: &generator)
        var state = makeTestState(randomSeed: 7, localID: localID)
        var port: UInt16 = 5000
        for bucket in 140..<NodeID.bitCount {
            for _ in 0..<12 {
                port += 1
                _ = state.routingTable.insert(peer(localID.randomID(inBucket: bucket, using: &generator), port: port), now: start)
            }
        }
        for index in 0..<values {
            let target = index % 4 == 0 ? NodeID.random(using: &generator)
                : localID.randomID(inBucket: Int.random(in: 130..<150, using: &generator), using: &generator)
            _ = state.store.store(bytes("v\(index)"), seq: 0, for: target, now: start)
        }
        return state
    }

    /// Whether `id` is among the K closest to `target` of the table's other contacts, by brute force.
    private func mayRankAmongClosest(_ id: NodeID, of target: NodeID, in state: NodeState) -> Bool {
        let distance = id.distance(to: target)
        return state.routingTable.contacts.count { $0.id != id && $0.id.distance(to: target) < distance } < state.configuration.k
    }

    @Test func everyTargetLeftOutHasKContactsNearerThanTheId() {
        var generator = SeededGenerator(seed: 0x4EAC)
        let state = crowdedState(values: 4000, generator: &generator)
        let held = Set(state.store.entries.keys)
        // Newcomers and the dead: ids anywhere, as joins bring them, and the table's own.
        let probes = (0..<120).map { _ in NodeID.random(using: &generator) } + state.routingTable.contacts.prefix(40).map(\.id)
        var leftOut = 0
        for id in probes {
            let reached = state.targetsHeld(withinReachOf: id, now: start)
            #expect(Set(reached).isSubset(of: held))
            for target in held.subtracting(reached) {
                leftOut += 1
                #expect(!mayRankAmongClosest(id, of: target, in: state), "\(id) left out of \(target)")
            }
        }
        // Worth having: most pairs are passed over without a look at the table.
        #expect(leftOut > probes.count * held.count / 2)
    }

    @Test func aTableShortOfContactsBelowTheIdLeavesOutNothing() {
        var generator = SeededGenerator(seed: 0x4EAD)
        let localID = NodeID.random(using: &generator)
        var state = makeTestState(randomSeed: 8, localID: localID)
        for index in 0..<3 {
            _ = state.routingTable.insert(peer(localID.randomID(inBucket: 150 + index, using: &generator), port: 6000 + UInt16(index)), now: start)
        }
        for index in 0..<50 {
            _ = state.store.store(bytes("v\(index)"), seq: 0, for: NodeID.random(using: &generator), now: start)
        }
        #expect(state.targetsHeld(withinReachOf: localID.randomID(inBucket: 159, using: &generator), now: start).count == 50)
    }

    @Test func expiredValuesAreNotReached() {
        var generator = SeededGenerator(seed: 0x4EAE)
        let localID = NodeID.random(using: &generator)
        var state = makeTestState(randomSeed: 9, localID: localID)
        _ = state.store.store(bytes("short"), seq: 0, for: NodeID.random(using: &generator), ttl: .seconds(10), now: start)
        _ = state.store.store(bytes("long"), seq: 0, for: NodeID.random(using: &generator), now: start)
        #expect(state.targetsHeld(withinReachOf: NodeID.random(using: &generator), now: start + .seconds(60)).count == 1)
    }
}
