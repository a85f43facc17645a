import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

/// A graceful leave on the in-memory network: the leaver offers each value it holds to
/// the nearest nodes outside the value's K closest (`LeavePlan`), and one that lacks it
/// takes it, so no value is left one copy short when the leaver is gone.
@Suite(.timeLimit(.minutes(2))) struct LeaveTests {
    @Test func aLeavingNodeRestoresEveryValueItLeavesShortOfKCopies() async throws {
        var cluster = MemoryCluster(seed: 61)
        await cluster.grow(to: 30)
        let keys = (0..<600).map { "leave-\($0)" }
        for key in keys {
            _ = try await cluster.put(from: cluster.randomNode(), key: key, value: "v-\(key)")
        }
        await cluster.network.settle(cluster.activity)
        let k = cluster.configuration.k
        let leaver = try #require(cluster.nodes.max { a, b in
            keys.count { a.localValue(for: $0) != nil } < keys.count { b.localValue(for: $0) != nil }
        })
        let held = keys.filter { leaver.localValue(for: $0) != nil }
        cluster.forget(leaver)
        // Copies left on live nodes once the leaver is gone, before it hands anything on.
        let shortBefore = held.filter { cluster.holders(of: $0).count < k }
        #expect(held.count > 100, "the leaver holds a real share: \(held.count)")
        #expect(shortBefore.count > 50, "its leaving would leave many values short: \(shortBefore.count)")

        let handed = await cluster.network.run { await leaver.leave() }

        #expect(leaver.isStopped)
        let stillShort = held.filter { cluster.holders(of: $0).count < k }
        #expect(stillShort.isEmpty, "left short of \(k) copies: \(stillShort.prefix(5))")
        // One copy per short value is enough: the nearest that lacked it took it.
        #expect(handed >= shortBefore.count && handed <= held.count, "handed \(handed), \(shortBefore.count) were short")
        for key in shortBefore.prefix(50) {
            #expect(cluster.holders(of: key).count == k, "\(key): exactly one more copy")
        }
    }

    @Test("a leave's time limit runs on the node's clock: with every candidate silent it ends when the limit has passed in virtual time")
    func theTimeLimitIsVirtual() async throws {
        var configuration = NodeConfiguration()
        configuration.leaveTimeout = .seconds(1)
        configuration.rpcTimeout = .seconds(30)
        var cluster = MemoryCluster(seed: 62, configuration: configuration)
        await cluster.grow(to: 12)
        for index in 0..<40 { _ = try await cluster.put(from: cluster.randomNode(), key: "limit-\(index)", value: "v") }
        await cluster.network.settle(cluster.activity)
        let leaver = try #require(cluster.nodes.first)
        for node in cluster.nodes where node.id != leaver.id { cluster.network.setSilent(node.address, true) }
        let before = cluster.network.clock.now()

        let handed = await cluster.network.run { await leaver.leave() }

        let took = cluster.network.clock.now() - before
        #expect(handed == 0)
        #expect(leaver.isStopped)
        // A real-time limit let the simulation run on to its loss horizon (2.5 s) meanwhile.
        #expect(took >= .seconds(1) && took < .seconds(2), "the leave took \(took) of virtual time")
    }

    @Test("a wait on the node's clock ends when the node stops")
    func aWaitEndsWithTheNode() async {
        var cluster = MemoryCluster(seed: 63)
        let node = cluster.makeNode()
        let waiting = Task { await node.sleep(for: .seconds(3600)) }
        await Task.yield()
        node.stop()
        await waiting.value
        #expect(node.isStopped)
    }
}
