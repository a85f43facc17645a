import Kademlia
import Synchronization

/// The benchmark workload: puts and gets of 100-byte values from random nodes, one
/// at a time and then C at a time.
struct Workload {
    let cluster: BenchCluster
    var random: SeededGenerator
    private let clock = ContinuousClock()

    init(cluster: BenchCluster, random: SeededGenerator) {
        self.cluster = cluster
        self.random = random
    }

    /// A put of each key from a random node, `concurrency` in flight.
    mutating func puts(_ keys: [String], concurrency: Int) async -> PhaseResult {
        let jobs = keys.map { key in (key, randomNode(), value(for: key)) }
        return await measure(jobs.count, concurrency: concurrency) { index in
            let (key, node, value) = jobs[index]
            do {
                _ = try await node.put(key: key, value: value)
                return true
            } catch {
                return false
            }
        }
    }

    /// `count` gets of random keys from random nodes, `concurrency` in flight; a get
    /// succeeds when it returns the value that was put.
    mutating func gets(_ count: Int, of keys: [String], concurrency: Int, from readers: [DHTNode]? = nil) async -> PhaseResult {
        let pool = readers ?? cluster.nodes
        var jobs: [(String, DHTNode)] = []
        for _ in 0..<count {
            guard let key = keys.randomElement(using: &random), let node = pool.randomElement(using: &random) else { break }
            jobs.append((key, node))
        }
        let values = Dictionary(uniqueKeysWithValues: keys.map { ($0, value(for: $0)) })
        let work = jobs
        return await measure(work.count, concurrency: concurrency) { index in
            let (key, node) = work[index]
            return (try? await node.get(key: key))??.value == values[key]
        }
    }

    /// A 100-byte value derived from the key, so a get can check what it read.
    func value(for key: String) -> [UInt8] {
        let digest = SHA1.hash(key)
        return (0..<100).map { digest[$0 % digest.count] }
    }

    private mutating func randomNode() -> DHTNode {
        cluster.nodes[Int.random(in: cluster.nodes.indices, using: &random)]
    }

    /// Runs `count` operations with `concurrency` in flight and measures each.
    private func measure(_ count: Int, concurrency: Int, _ operation: @escaping @Sendable (Int) async -> Bool) async -> PhaseResult {
        let before = cluster.traffic()
        _ = cluster.drainLookups()
        let next = TicketCounter()
        let cluster = self.cluster
        let clock = self.clock
        let start = clock.now
        let cpuBefore = SystemProbe.cpuSeconds()
        let samples = await withTaskGroup(of: [(Double, Bool)].self) { group in
            for _ in 0..<min(concurrency, max(count, 1)) {
                group.addTask {
                    var mine: [(Double, Bool)] = []
                    while true {
                        let index = next.take()
                        guard index < count else { return mine }
                        let began = clock.now
                        let ok = await cluster.perform { await operation(index) }
                        mine.append(((clock.now - began).seconds, ok))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append(contentsOf: $1) }
        }
        var result = PhaseResult()
        result.wallSeconds = (clock.now - start).seconds
        result.cpuSeconds = SystemProbe.cpuSeconds() - cpuBefore
        result.latenciesSeconds = samples.map(\.0)
        result.successes = samples.filter(\.1).count
        let after = cluster.traffic()
        result.traffic = TrafficDelta(
            pings: after.pingsSent - before.pingsSent, findNodes: after.findNodesSent - before.findNodesSent,
            findValues: after.findValuesSent - before.findValuesSent, stores: after.storesSent - before.storesSent,
            timeouts: after.queriesTimedOut - before.queriesTimedOut, datagrams: after.datagramsSent - before.datagramsSent)
        result.hops = cluster.drainLookups().map(\.hops)
        return result
    }
}

/// Hands out 0, 1, 2, … to concurrent workers.
final class TicketCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.add(1, ordering: .relaxed).oldValue }
}
