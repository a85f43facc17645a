import Kademlia
import Testing
import KademliaTestKit

@Suite("In-memory network, seeded")
struct MemoryNetworkTests {
    @Test("200 nodes join; a value put from any node is read from every node; it survives 4 of 8 holders going silent")
    func twoHundredNodes() async throws {
        var cluster = MemoryCluster(seed: 2026)
        await cluster.grow(to: 200)
        let sizes = cluster.nodes.map { $0.status().totalNodes }
        #expect(sizes.allSatisfy { $0 >= 8 }, "every node knows at least K others: \(sizes.enumerated().filter { $0.1 < 8 })")

        var keys: [String: String] = [:]
        for index in 0..<5 {
            let writer = cluster.randomNode()
            let key = "key-\(index)"
            let value = "value \(index) from \(writer.id.hex.prefix(6))"
            let result = try await cluster.put(from: writer, key: key, value: value)
            #expect(result.storedAt == 8, "stored on the K closest")
            keys[key] = value
        }
        for (key, value) in keys {
            #expect(cluster.holders(of: key).count == 8)
            var misses = 0
            for reader in cluster.nodes {
                let found = await cluster.get(from: reader, key: key)
                if found?.value != Array(value.utf8) { misses += 1 }
            }
            #expect(misses == 0, "every node reads \(key)")
        }

        let key = "key-0"
        let holders = cluster.holders(of: key)
        for holder in holders.prefix(4) { cluster.network.setSilent(holder.address, true) }
        let silenced = Set(holders.prefix(4).map(\.id))
        var failures = 0
        for reader in cluster.nodes where !silenced.contains(reader.id) {
            let found = await cluster.get(from: reader, key: key)
            if found?.value != Array(keys[key, default: ""].utf8) { failures += 1 }
        }
        #expect(failures == 0, "gets succeed with half the holders silent")
    }

    @Test("a newer put wins everywhere and seq grows by one")
    func overwrite() async throws {
        var cluster = MemoryCluster(seed: 7)
        await cluster.grow(to: 40)
        let first = cluster.randomNode()
        let second = cluster.randomNode()
        let one = try await cluster.put(from: first, key: "k", value: "one")
        let two = try await cluster.put(from: second, key: "k", value: "two")
        #expect(one.seq == 0)
        #expect(two.seq == 1)
        #expect(two.storedAt == 8, "an overwrite reaches all K closest, not just the first holders found")
        for reader in cluster.nodes {
            let found = await cluster.get(from: reader, key: "k")
            #expect(found == FoundValue(value: Array("two".utf8), seq: 1))
        }
    }

    @Test("a lone node stores locally, and a get of a missing key finds nothing")
    func loneNode() async throws {
        var cluster = MemoryCluster(seed: 3)
        await cluster.grow(to: 1)
        let node = cluster.nodes[0]
        let result = try await node.put(key: "solo", value: [1, 2, 3])
        #expect(result.storedAt == 1)
        #expect(try await node.get(key: "solo")?.value == [1, 2, 3])
        #expect(try await node.get(key: "absent") == nil)
        await #expect(throws: PutError.valueTooLarge(size: 1001, limit: 1000)) {
            try await node.put(key: "big", value: Array(repeating: 0, count: 1001))
        }
    }

    @Test("values expire after their lifetime on the virtual clock")
    func expiry() async throws {
        var cluster = MemoryCluster(seed: 11)
        await cluster.grow(to: 12)
        let writer = cluster.randomNode()
        _ = try await cluster.put(from: writer, key: "short", value: "1", ttl: .seconds(60))
        _ = try await cluster.put(from: writer, key: "long", value: "2")
        cluster.network.advance(by: .seconds(61))
        #expect(cluster.holders(of: "short").isEmpty)
        #expect(!cluster.holders(of: "long").isEmpty)
        cluster.network.advance(by: .seconds(86_400))
        #expect(cluster.holders(of: "long").isEmpty)
    }
}
