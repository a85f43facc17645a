import Kademlia
import Testing
import KademliaTestKit

/// Delete on simulated time: a tombstone outlives every older copy, so a holder that was
/// away during the delete can never bring the value back.
@Suite("Delete on simulated time")
struct DeleteSimulationTests {
    @Test("3 of 8 holders are cut off during the delete and return 1 to 20 hours later; nobody ever reads the value again")
    func partitionedHoldersCannotResurrect() async throws {
        var cluster = MemoryCluster(seed: 31)
        await cluster.grow(to: 200)
        let writer = cluster.randomNode()
        _ = try await cluster.put(from: writer, key: "doomed", value: "old")
        let holders = cluster.holders(of: "doomed")
        #expect(holders.count == 8)
        let away = Array(holders.filter { $0.id != writer.id }.prefix(3))
        for node in away { cluster.network.setSilent(node.address, true) }
        let present = cluster.nodes.filter { node in !away.contains { $0.id == node.id } }
        let deleter = present.first { $0.id != writer.id } ?? present[0]
        #expect(try await cluster.delete(from: deleter, key: "doomed").storedAt >= 5)
        let returns: [Int] = [1, 7, 20]
        for hour in 1...22 {
            await cluster.pass(.seconds(3600), step: .seconds(2))
            for (node, back) in zip(away, returns) where back == hour { cluster.network.setSilent(node.address, false) }
            await cluster.pass(.seconds(60))
            let live = cluster.nodes.filter { node in zip(away, returns).allSatisfy { $0.0.id != node.id || $0.1 <= hour } }
            var resurrected = 0
            for reader in live where await cluster.get(from: reader, key: "doomed") != nil { resurrected += 1 }
            #expect(resurrected == 0, "hour \(hour): \(resurrected) nodes read the deleted value")
        }
        #expect(cluster.holders(of: "doomed").isEmpty, "the returned holders took the tombstone")
        let again = try await cluster.put(from: cluster.randomNode(), key: "doomed", value: "new")
        #expect(again.seq >= 2)
        #expect(await cluster.get(from: cluster.randomNode(), key: "doomed")?.value == Array("new".utf8))
    }
}
