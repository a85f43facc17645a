@testable import Kademlia
@testable import KademliaCore
import Testing
import KademliaTestKit

@Suite("Lookups driven from replies: when a get may stop, and cancellation")
struct LookupDriverTests {
    @Test("a get settles only after the closest node has answered, so a value it alone holds wins")
    func closestNodeIsAlwaysHeard() async throws {
        var cluster = MemoryCluster(seed: 41)
        await cluster.grow(to: 60)
        _ = try await cluster.put(from: cluster.randomNode(), key: "k", value: "old")
        let target = NodeID(key: "k")
        let holders = cluster.holders(of: "k").sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }
        let closest = try #require(holders.first)
        // The closest node alone took a later version (the others missed it); a get that
        // stopped at the first value would mostly return "old".
        let now = cluster.network.clock.now()
        let fresh = Array("fresh".utf8)
        closest.mutate { _ = $0.store.store(fresh, seq: 7, for: target, key: Array("k".utf8), ttl: nil, now: now) }
        for reader in cluster.nodes where reader !== closest {
            let found = await cluster.get(from: reader, key: "k")
            #expect(found == FoundValue(value: fresh, seq: 7), "read from \(reader.id.hex.prefix(6))")
        }
    }

    @Test("a get asks fewer nodes than a full lookup, and a missing key still gets the full lookup")
    func getStopsEarly() async throws {
        var cluster = MemoryCluster(seed: 43)
        await cluster.grow(to: 80)
        var early = 0
        var full = 0
        for index in 0..<20 {
            let key = "key-\(index)"
            _ = try await cluster.put(from: cluster.randomNode(), key: key, value: "v")
            let reader = cluster.randomNode()
            let target = NodeID(key: key)
            early += await cluster.network.run { await reader.lookup(target, for: .read) }.queries
            full += await cluster.network.run { await reader.lookup(target, for: .write) }.queries
        }
        #expect(early < full * 3 / 4, "\(early) queries stopping at the closest holder, \(full) for full lookups")

        let reader = cluster.randomNode()
        let missing = NodeID(key: "never put")
        let outcome = await cluster.network.run { await reader.lookup(missing, for: .read) }
        #expect(outcome.value == nil)
        #expect(outcome.closest.count == 8, "with no value anywhere it runs until the K closest answered")
    }

    @Test("cancelling a lookup ends it at once and releases every query it had out")
    func cancellation() async {
        var cluster = MemoryCluster(seed: 47)
        await cluster.grow(to: 12)
        let asker = cluster.nodes[0]
        for node in cluster.nodes.dropFirst() { cluster.network.setSilent(node.address, true) }
        let lookup = Task { await asker.lookup(NodeID(key: "x"), for: .write) }
        while asker.queriesAwaitingReply < 3 { await Task.yield() }
        lookup.cancel()
        let outcome = await lookup.value
        #expect(outcome.closest.isEmpty)
        #expect(outcome.queries == 3, "ALPHA queries were out")
        #expect(asker.queriesAwaitingReply == 0, "no time passed, yet nothing waits")
    }

    @Test("stopping a node ends its lookups at once, and queries sent afterwards fail at once", .timeLimit(.minutes(1)))
    func stopEndsLookups() async {
        var cluster = MemoryCluster(seed: 53)
        await cluster.grow(to: 12)
        let asker = cluster.nodes[0]
        for node in cluster.nodes.dropFirst() { cluster.network.setSilent(node.address, true) }
        let lookup = Task { await asker.lookup(NodeID(key: "y"), for: .nodes) }
        while asker.queriesAwaitingReply < 3 { await Task.yield() }
        asker.stop()
        let outcome = await lookup.value
        #expect(outcome.closest.isEmpty)
        #expect(await asker.request(.ping, to: cluster.nodes[1].address) == .failure(.cancelled))
        #expect(asker.queriesAwaitingReply == 0)
    }
}
