import Kademlia
import Testing
import KademliaTestKit

/// The lifetime rules on the seeded in-memory network and virtual clock: simulated hours
/// and days, not wall-clock ones.
@Suite("Lifetime on simulated time")
struct LifetimeSimulationTests {
    @Test("a 10-minute TTL: readable at 9 minutes, gone everywhere at 11, though holders replicate every minute")
    func ttlBoundsLifeDespiteReplication() async throws {
        var configuration = NodeConfiguration()
        configuration.replicationInterval = .seconds(60)
        var cluster = MemoryCluster(seed: 21, configuration: configuration)
        await cluster.grow(to: 100)
        let writer = cluster.randomNode()
        #expect(try await cluster.put(from: writer, key: "brief", value: "soon gone", ttl: .seconds(600)).storedAt == 8)
        let readers = (0..<20).map { _ in cluster.randomNode() }
        await cluster.pass(.seconds(540))
        #expect(await cluster.readers(readers, reading: "brief", as: "soon gone") == 20)
        #expect(cluster.holders(of: "brief").count >= 8)
        await cluster.pass(.seconds(120))
        #expect(cluster.holders(of: "brief").isEmpty, "no copy outlives its TTL")
        #expect(await cluster.readers(readers, reading: "brief", as: "soon gone") == 0)
        #expect(cluster.nodes.allSatisfy { $0.status().storedKeys == 0 })
    }

    @Test("a value lives 7 days while its publisher runs, and is gone within 24 h plus one interval once it stops")
    func publisherKeepsAValueAlive() async throws {
        var cluster = MemoryCluster(seed: 22)
        await cluster.grow(to: 60)
        let publisher = cluster.nodes[0]
        _ = try await cluster.put(from: publisher, key: "kept", value: "by its publisher")
        // Seven republications, 23 h apart, the last half an hour before the crash.
        await cluster.pass(.seconds(7 * 82_800 + 1800), step: .seconds(10))
        let readers = cluster.nodes.dropFirst().prefix(20)
        #expect(await cluster.readers(Array(readers), reading: "kept", as: "by its publisher") == 20)
        cluster.crash([publisher])
        await cluster.pass(.seconds(86_400 - 3600), step: .seconds(10))
        #expect(!cluster.holders(of: "kept").isEmpty, "holders keep what remains")
        await cluster.pass(.seconds(2 * 3600 + 60), step: .seconds(10))
        #expect(cluster.holders(of: "kept").isEmpty, "nobody but the publisher extends a life")
        #expect(await cluster.readers(Array(readers), reading: "kept", as: "by its publisher") == 0)
    }

    @Test("at the defaults the publisher stores afresh an hour before the copies expire, so no read meets a gap")
    func republicationComesBeforeExpiry() async throws {
        var cluster = MemoryCluster(seed: 24)
        await cluster.grow(to: 30)
        let publisher = cluster.nodes[0]
        _ = try await cluster.put(from: publisher, key: "renewed", value: "before it lapses")
        func shortestLife() -> Duration? {
            cluster.holders(of: "renewed").compactMap { node in node.heldValues().first { $0.key == "renewed" }?.timeLeft }.min()
        }
        await cluster.pass(.seconds(82_800 - 60), step: .seconds(10))
        let before = try #require(shortestLife())
        #expect(before > .seconds(3_600) && before <= .seconds(3_660), "copies still count down from the put: \(before) left")
        await cluster.pass(.seconds(120), step: .seconds(10))
        let after = try #require(shortestLife())
        #expect(after > .seconds(86_400 - 120), "the republication gave every copy a fresh day with an hour of the old one left: \(after)")
        #expect(cluster.holders(of: "renewed").count >= 8)
    }

    @Test("half the nodes crash at once: after an hour every key with a surviving copy is readable and re-replicated")
    func halfTheNetworkCrashes() async throws {
        var cluster = MemoryCluster(seed: 23)
        await cluster.grow(to: 1000)
        let keys = (0..<300).map { "mass-\($0)" }
        for key in keys { _ = try await cluster.put(from: cluster.randomNode(), key: key, value: "v \(key)") }
        await cluster.pass(.seconds(600))
        var random = SeededGenerator(seed: 230)
        let victims = Array(cluster.nodes.shuffled(using: &random).prefix(500))
        let victimIDs = Set(victims.map(\.id))
        let survivingKeys = keys.filter { key in cluster.holders(of: key).contains { !victimIDs.contains($0.id) } }
        cluster.crash(victims)
        await cluster.pass(.seconds(3600))
        var unreadable: [String] = []
        for key in survivingKeys where await cluster.get(from: cluster.randomNode(), key: key)?.value != Array("v \(key)".utf8) {
            unreadable.append(key)
        }
        #expect(unreadable.isEmpty, "readable: every key that kept a copy")
        // With K = 8, a key loses every copy to a 50% crash with probability 2^-8.
        #expect(keys.count - survivingKeys.count <= 3)
        let replicas = survivingKeys.map { key in cluster.closest(to: key).count { $0.localValue(for: key) != nil } }.sorted()
        #expect(replicas[replicas.count / 2] >= 7, "the median key is back on 7 of its 8 closest")
    }

    @Test("a node that joins holds, within a minute, every key it is now among the K closest of")
    func handOffToANewcomer() async throws {
        var cluster = MemoryCluster(seed: 24)
        await cluster.grow(to: 300)
        let keys = (0..<400).map { "handed-\($0)" }
        for key in keys { _ = try await cluster.put(from: cluster.randomNode(), key: key, value: key) }
        for round in 0..<5 {
            let newcomer = cluster.makeNode()
            let seed = cluster.randomNode().address
            _ = await cluster.network.run { try? await newcomer.bootstrap([seed]) }
            cluster.adopt(newcomer)
            await cluster.pass(.seconds(60))
            let owed = keys.filter { cluster.closest(to: $0).contains { $0.id == newcomer.id } }
            let missing = owed.filter { newcomer.localValue(for: $0) == nil }
            #expect(!owed.isEmpty, "round \(round): the newcomer is among the K closest of some keys")
            #expect(missing.isEmpty, "round \(round): the newcomer lacks \(missing.count) of \(owed.count)")
        }
    }

    @Test("a node started before its seed joins once the seed appears")
    func rejoinsWhenTheSeedAppears() async throws {
        var cluster = MemoryCluster(seed: 25)
        await cluster.grow(to: 20)
        let seedTransport = cluster.network.makeTransport()
        let early = cluster.makeNode()
        #expect(await cluster.network.run { (try? await early.bootstrap([seedTransport.localAddress]))?.answered ?? 0 } == 0)
        await cluster.pass(.seconds(10))
        #expect(early.status().totalNodes == 0)
        let seed = cluster.makeNode(on: seedTransport)
        let first = cluster.nodes[0].address
        _ = await cluster.network.run { try? await seed.bootstrap([first]) }
        await cluster.pass(.seconds(70))
        #expect(early.knownContacts.contains { $0.id == seed.id })
        #expect(early.status().totalNodes >= 8, "and through it finds the rest: \(early.status().totalNodes)")
    }

    @Test("after nodes vanish, a node's puts stop waiting on them within a minute")
    func putsRecoverTheirSpeed() async throws {
        var cluster = MemoryCluster(seed: 26)
        await cluster.grow(to: 24)
        var random = SeededGenerator(seed: 260)
        cluster.crash(Array(cluster.nodes.shuffled(using: &random).prefix(11)))
        let writer = cluster.randomNode()
        var durations: [Duration] = []
        for index in 0..<60 {
            let start = cluster.network.clock.now()
            _ = try await cluster.put(from: writer, key: "speed-\(index)", value: "\(index)")
            durations.append(cluster.network.clock.now() - start)
            await cluster.pass(.seconds(1))
        }
        #expect(durations.prefix(5).contains { $0 > .milliseconds(10) }, "the first puts wait on the vanished")
        #expect(durations.suffix(30).allSatisfy { $0 == .zero }, "later puts wait on no one: \(durations.suffix(30))")
    }
}
