import Kademlia
import Testing

/// Value lifetimes on real nodes over loopback UDP, with intervals short enough that
/// expiry, replication, republishing and tombstones all happen on real time within a test.
/// Each test owns its nodes, so the tests run side by side; assertions poll, never sleep.
@Suite("Lifetime over loopback UDP")
struct UDPLifetimeTests {
    @Test("a value put with a 2 s TTL is read at once elsewhere, then is gone from every node within 5 s")
    func ttlExpiry() async throws {
        var random = SeededGenerator(seed: 1_001)
        var nodes: [DHTNode] = []
        defer { nodes.forEach { $0.stop() } }
        for _ in 0..<5 { nodes.append(try await startLifetimeNode(joining: nodes, using: &random)) }
        let network = nodes
        let key = "short-lived"
        let value = Array("gone soon".utf8)

        let putAt = ContinuousClock.now
        let result = try await network[0].put(key: key, value: value, ttl: .seconds(2))
        #expect(result.storedAt == network.count)
        #expect(try await network[1].get(key: key)?.value == value, "readable from another node at once")

        let gone = try await pollLifetime(until: putAt + .seconds(5)) { await isGone(key, from: network) }
        let elapsed = ContinuousClock.now - putAt
        #expect(gone, "still held or readable \(elapsed) after a put with a 2 s TTL")
        #expect(elapsed >= .milliseconds(1_900), "gone after \(elapsed), before its 2 s TTL ran out")
        print("loopback TTL 2 s: gone from all \(network.count) nodes \(elapsed) after the put")
    }

    @Test("a joining node is handed the value, and it survives the crash of its publisher and two more")
    func handOffAndCrash() async throws {
        var random = SeededGenerator(seed: 2_002)
        var nodes: [DHTNode] = []
        defer { nodes.forEach { $0.stop() } }
        for _ in 0..<6 { nodes.append(try await startLifetimeNode(joining: nodes, using: &random)) }
        let key = "handed-on"
        let value = Array("survives".utf8)
        let publisher = nodes[0]
        let result = try await publisher.put(key: key, value: value)
        #expect(result.storedAt == 6, "with K = 8 every one of 6 nodes is among the K closest")

        let joinedAt = ContinuousClock.now
        let newcomer = try await startLifetimeNode(joining: nodes, using: &random)
        nodes.append(newcomer)
        let handed = try await pollLifetime(until: joinedAt + .seconds(5)) { newcomer.localValue(for: key)?.value == value }
        #expect(handed, "the 7th node never came to hold the value")
        print("loopback hand-off: the newcomer held the value \(ContinuousClock.now - joinedAt) after it started")

        // Crash the publisher and two others: no graceful leave, nothing handed on.
        let crashed = [publisher, nodes[1], nodes[2]]
        crashed.forEach { $0.stop() }
        let remaining = nodes.filter { node in !crashed.contains { $0 === node } }
        #expect(remaining.count == 4)
        #expect(try await remaining[0].get(key: key)?.value == value, "read after three of seven nodes crashed")

        let crashedAt = ContinuousClock.now
        let held = try await pollLifetime(until: crashedAt + .seconds(3)) {
            await isHeldAndReadable(key, value, at: remaining)
        }
        #expect(held, "held at \(remaining.count { $0.localValue(for: key)?.value == value }) of \(remaining.count) remaining nodes")
    }

    @Test("the publisher keeps a value alive past twice its lifetime; once it crashes the value expires everywhere")
    func republishThenExpiry() async throws {
        var random = SeededGenerator(seed: 3_003)
        var nodes: [DHTNode] = []
        defer { nodes.forEach { $0.stop() } }
        for _ in 0..<5 { nodes.append(try await startLifetimeNode(joining: nodes, using: &random)) }
        let network = nodes
        let publisher = network[0]
        let others = Array(network.dropFirst())
        let key = "republished"
        let value = Array("kept alive".utf8)

        let putAt = ContinuousClock.now
        let result = try await publisher.put(key: key, value: value)
        #expect(result.storedAt == network.count)

        // valueLifetime is 8 s: without republishing every copy would be gone by 8 s.
        let lifetime = lifetimeConfiguration(seed: 0).valueLifetime
        var checks = 0
        var misses: [String] = []
        while ContinuousClock.now < putAt + lifetime * 2 + .seconds(1) {
            let reader = others[checks % others.count]
            let at = ContinuousClock.now - putAt
            if try await reader.get(key: key)?.value != value { misses.append("get at \(at)") }
            let holding = network.count { $0.localValue(for: key)?.value == value }
            if holding != network.count { misses.append("\(holding) holders at \(at)") }
            checks += 1
            try await Task.sleep(for: .milliseconds(250))
        }
        #expect(checks > 40)
        #expect(misses.isEmpty, "lapses while the publisher ran: \(misses)")

        publisher.stop()
        let stoppedAt = ContinuousClock.now
        #expect(try await others[0].get(key: key)?.value == value, "holders keep the value after its publisher crashes")
        let configuration = lifetimeConfiguration(seed: 0)
        let deadline = stoppedAt + configuration.valueLifetime + configuration.replicationInterval + .seconds(3)
        let gone = try await pollLifetime(until: deadline) { await isGone(key, from: others) }
        let elapsed = ContinuousClock.now - stoppedAt
        #expect(gone, "still held or readable \(elapsed) after the publisher stopped")
        print("loopback republish: \(checks) reads over \(lifetime * 2 + .seconds(1)) all found it; gone \(elapsed) after the publisher stopped")
    }

    @Test("a delete from another node leaves a tombstone at every holder, and a later put wins over it")
    func deleteThenPutAgain() async throws {
        var random = SeededGenerator(seed: 4_004)
        var nodes: [DHTNode] = []
        defer { nodes.forEach { $0.stop() } }
        for _ in 0..<5 { nodes.append(try await startLifetimeNode(joining: nodes, using: &random)) }
        let network = nodes
        let key = "deleted"
        let first = try await network[0].put(key: key, value: Array("first".utf8))
        #expect(first.storedAt == network.count)
        let holders = network.filter { $0.localValue(for: key) != nil }
        #expect(holders.count == network.count)

        let deletion = try await network[1].delete(key: key)
        #expect(deletion.storedAt > 0)
        #expect(deletion.seq > first.seq)
        for (index, reader) in network.enumerated() {
            #expect(try await reader.get(key: key) == nil, "node \(index) still reads the deleted value")
        }
        let marked = try await pollLifetime(until: .now + .seconds(2)) {
            holders.allSatisfy { $0.status().tombstones == 1 && $0.localValue(for: key) == nil }
        }
        #expect(marked, "tombstones at holders: \(holders.map { $0.status().tombstones })")

        let second = Array("second".utf8)
        let again = try await network[2].put(key: key, value: second)
        #expect(again.storedAt == network.count)
        #expect(again.seq > deletion.seq, "the new put's seq \(again.seq) must beat the tombstone's \(deletion.seq)")
        for (index, reader) in network.enumerated() {
            let found = try await reader.get(key: key)
            #expect(found?.value == second, "node \(index) read \(String(describing: found))")
            #expect(found?.seq == again.seq)
        }
        let replaced = try await pollLifetime(until: .now + .seconds(2)) {
            network.allSatisfy { $0.status().tombstones == 0 && $0.localValue(for: key)?.seq == again.seq }
        }
        #expect(replaced, "tombstones left: \(network.map { $0.status().tombstones })")
    }
}

/// The short intervals these tests run on.
private func lifetimeConfiguration(seed: UInt64) -> NodeConfiguration {
    var configuration = NodeConfiguration()
    configuration.seed = seed
    configuration.replicationInterval = .seconds(1)
    configuration.valueLifetime = .seconds(8)
    // Under a third of the lifetime, so one republish store lost on a busy machine leaves
    // that holder's copy alive until the next republication.
    configuration.republishInterval = .milliseconds(2_500)
    configuration.bucketRefreshInterval = .seconds(30)
    configuration.rpcTimeout = .milliseconds(500)
    configuration.stallTimeout = .milliseconds(200)
    return configuration
}

/// Starts a node on 127.0.0.1 with the short intervals and joins it through a random one of `network`.
private func startLifetimeNode(joining network: [DHTNode], using random: inout SeededGenerator) async throws -> DHTNode {
    let node = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: lifetimeConfiguration(seed: random.next()))
    if let seed = network.randomElement(using: &random) {
        #expect(try await node.bootstrap([seed.address]).answered == 1)
    }
    return node
}

/// Checks `condition` every 100 ms until it holds or `deadline` passes; whether it held.
private func pollLifetime(until deadline: ContinuousClock.Instant, _ condition: () async -> Bool) async throws -> Bool {
    while true {
        if await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: .milliseconds(100))
    }
}

/// Whether no node holds `key` and a get from every one finds nothing.
private func isGone(_ key: String, from nodes: [DHTNode]) async -> Bool {
    guard nodes.allSatisfy({ $0.localValue(for: key) == nil }) else { return false }
    for node in nodes {
        if (try? await node.get(key: key)) != .some(nil) { return false }
    }
    return true
}

/// Whether every node holds `value` under `key` and a get from every one reads it.
private func isHeldAndReadable(_ key: String, _ value: [UInt8], at nodes: [DHTNode]) async -> Bool {
    guard nodes.allSatisfy({ $0.localValue(for: key)?.value == value }) else { return false }
    for node in nodes {
        if (try? await node.get(key: key))??.value != value { return false }
    }
    return true
}
