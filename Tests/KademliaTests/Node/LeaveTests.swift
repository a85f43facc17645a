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
}
