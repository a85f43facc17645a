import Testing
import KademliaTestKit
@testable import Kademlia
@testable import KademliaCore

/// Puts across the modelled internet: stores that go out as the K closest answer, and the
/// version they carry when a later answer shows a newer one.
@Suite("Writes across the modelled internet")
struct WANWriteTests {
    /// What a run of puts did: their virtual milliseconds and results, by key.
    struct Puts {
        var milliseconds: [Double] = []
        var results: [String: PutResult] = [:]
    }

    private func put(_ keys: [String], on cluster: WANTestCluster, random: inout SeededGenerator) async -> Puts {
        var puts = Puts()
        let clock = cluster.network.clock
        for key in keys {
            let node = cluster.live[Int.random(in: cluster.live.indices, using: &random)]
            let (milliseconds, result) = await cluster.network.run {
                let start = clock.now()
                let result = try? await node.put(key: key, value: Array(key.utf8))
                return ((clock.now() - start).seconds * 1000, result)
            }
            puts.milliseconds.append(milliseconds)
            puts.results[key] = result
        }
        return puts
    }

    /// The nodes holding `key` at exactly `seq`.
    private func holders(of key: String, at seq: Int64, in cluster: WANTestCluster) -> Int {
        cluster.nodes.count { node in node.heldValues().contains { $0.key == key && $0.seq == seq } }
    }

    @Test("stores sent as the K closest answer make puts quicker than stores sent after the lookup, and every store counted holds")
    func storesAsAnsweredAreQuicker() async {
        var totals: [Bool: Double] = [:]
        for storesAsAnswered in [true, false] {
            var configuration = NodeConfiguration()
            configuration.storesAsAnswered = storesAsAnswered
            var random = SeededGenerator(seed: 21)
            let cluster = await WANTestCluster(seed: 21, nodes: 150, configuration: configuration, random: &random)
            let keys = (0..<40).map { "key-\($0)" }
            let puts = await put(keys, on: cluster, random: &random)
            for key in keys {
                let result = puts.results[key]
                #expect(result?.storedAt ?? 0 > 0, "'\(key)' was not stored")
                #expect(holders(of: key, at: 0, in: cluster) >= result?.storedAt ?? .max, "'\(key)': fewer hold it than the put counted")
            }
            totals[storesAsAnswered] = puts.milliseconds.reduce(0, +)
            cluster.stop()
        }
        let (early, after) = (totals[true] ?? 0, totals[false] ?? 0)
        #expect(early < after, "40 puts took \(Int(early)) virtual ms storing as answered, \(Int(after)) storing after the lookup")
    }

    @Test("a put whose lookup meets a newer version late writes one past it everywhere, the early stores included")
    func aLateNewerVersionRenumbersTheWrite() async {
        var random = SeededGenerator(seed: 22)
        let cluster = await WANTestCluster(seed: 22, nodes: 150, random: &random)
        let keys = (0..<20).map { "key-\($0)" }
        let first = await put(keys, on: cluster, random: &random)
        // One holder of each key, the fourth closest to it, alone learns of a newer version:
        // its answer to the next put comes in among the others, often after stores went out.
        for key in keys {
            let target = NodeID(key: key)
            let holding = cluster.live.filter { node in node.heldValues().contains { $0.key == key } }
                .sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }
            guard holding.count > 3 else { continue }
            let newer = Write(target: target, key: Array(key.utf8), value: Array("newer".utf8), seq: 5)
            _ = holding[3].storeLocally(newer, now: cluster.network.clock.now())
        }
        let second = await put(keys, on: cluster, random: &random)
        var renumbered = 0
        for key in keys {
            #expect(first.results[key]?.seq == 0)
            guard let result = second.results[key] else { Issue.record("'\(key)' was not stored"); continue }
            // A lookup that ends without the holder's answer (it stalled, and the rest of the
            // K closest answered first) never hears of the newer version: seq 1 is right then.
            #expect(result.seq == 6 || result.seq == 1, "'\(key)' was written at seq \(result.seq)")
            if result.seq == 6 { renumbered += 1 }
            #expect(holders(of: key, at: result.seq, in: cluster) >= result.storedAt,
                    "'\(key)': fewer hold seq \(result.seq) than the \(result.storedAt) the put counted")
        }
        #expect(renumbered >= 16, "only \(renumbered) of 20 puts heard of the newer version")
        cluster.stop()
    }
}
