import Testing
@testable import Kademlia
import KademliaTestKit

/// `DHTNode.crawl` on the in-memory network: every node found, each one's own count.
struct NodeCrawlTests {
    @Test func aCrawlOfFiftyNodesFindsAllWithTheirCounts() async throws {
        var cluster = MemoryCluster(seed: 21)
        await cluster.grow(to: 50)
        for index in 0..<300 {
            _ = try await cluster.put(from: cluster.nodes[index % 50], key: "crawl-\(index)", value: "v\(index)")
        }
        let crawler = cluster.nodes[17]
        let result = await cluster.network.run { await crawler.crawl(limits: CrawlLimits(queriesPerSecond: nil)) }
        #expect(Set(result.nodes.map(\.contact.id)) == Set(cluster.nodes.map(\.id)), "all 50 found")
        let now = crawler.clock.now()
        for node in cluster.nodes {
            let own = Int64(node.read { $0.heldTargets(now: now).count })
            let seen = result.nodes.first { $0.contact.id == node.id }
            #expect(seen?.load == own, "each count is the node's own")
            #expect(seen?.isLocal == (node.id == crawler.id))
        }
        #expect(result.progress.answered == 50 && result.progress.failed == 0 && !result.progress.isRunning)
        #expect(result.load.total >= 300 * 3, "every value lives on several nodes")
    }
}
