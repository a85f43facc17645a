import Kademlia
import KademliaTestKit

/// Nodes on the in-memory network across a modelled internet, and the operations the WAN
/// scenario times on its virtual clock.
final class WANCluster: Sendable {
    let network: MemoryNetwork
    let log = LookupLog()
    /// How many joins run at once while the network is built: enough that the build takes
    /// little virtual time, few enough that each newcomer joins a network that has settled.
    static let joinsAtOnce = 64

    init(model: InternetModel) {
        network = MemoryNetwork(internet: model)
    }

    /// A node of this network with `configuration`, seeded from `random`.
    func makeNode(_ configuration: NodeConfiguration, random: inout SeededGenerator) -> DHTNode {
        var configuration = configuration
        configuration.onLookup = { [log] report in log.append(report) }
        return network.makeNode(configuration, seed: random.next())
    }

    /// Adds `count` nodes that join through random members of `existing`, `joinsAtOnce` at a
    /// time; returns them. The first node of an empty network joins nobody.
    func grow(_ existing: [DHTNode], by count: Int, _ configuration: NodeConfiguration,
              random: inout SeededGenerator) async -> [DHTNode] {
        var members = existing
        var added: [DHTNode] = []
        while added.count < count {
            if members.isEmpty {
                let first = makeNode(configuration, random: &random)
                members.append(first)
                added.append(first)
                continue
            }
            let batch = (0..<min(Self.joinsAtOnce, count - added.count)).map { _ in
                (node: makeNode(configuration, random: &random), seed: members[Int.random(in: members.indices, using: &random)].address)
            }
            await network.join(batch)
            members += batch.map(\.node)
            added += batch.map(\.node)
        }
        return added
    }

    /// Runs `operation` on virtual time and returns how long it took there, and whether it succeeded.
    func timed(_ operation: @escaping @Sendable () async -> Bool) async -> (milliseconds: Double, ok: Bool) {
        let clock = network.clock
        return await network.run {
            let start = clock.now()
            let ok = await operation()
            return ((clock.now() - start).seconds * 1000, ok)
        }
    }

    /// Queries `nodes` have sent in all, and how many of them timed out.
    static func queries(of nodes: [DHTNode]) -> (sent: Int, timedOut: Int, busy: Int) {
        nodes.reduce((0, 0, 0)) { sum, node in
            let traffic = node.traffic
            return (sum.0 + traffic.pingsSent + traffic.findNodesSent + traffic.findValuesSent + traffic.storesSent,
                    sum.1 + traffic.queriesTimedOut, sum.2 + traffic.busyAnswersReceived)
        }
    }
}

/// A phase of timed operations in virtual time, and what they cost.
struct WANPhase {
    var milliseconds: [Double] = []
    var successes = 0
    /// Queries the requesters sent during their operations, and those that timed out.
    var queries = 0
    var timeouts = 0
    /// Busy answers received during the phase.
    var busy = 0
    var lookups: [LookupReport] = []

    /// The `fraction` quantile in virtual milliseconds (nearest rank).
    func percentile(_ fraction: Double) -> Double {
        var result = PhaseResult()
        result.latenciesSeconds = milliseconds.map { $0 / 1000 }
        return result.percentileMilliseconds(fraction)
    }

    /// Queries the requester sent per operation.
    var rpcsPerOperation: Double {
        milliseconds.isEmpty ? 0 : Double(queries) / Double(milliseconds.count)
    }

    var report: Report {
        var report = Report()
        report.add("ops", milliseconds.count)
        report.add("p50_virtual_ms", percentile(0.5))
        report.add("p90_virtual_ms", percentile(0.9))
        report.add("p99_virtual_ms", percentile(0.99))
        report.add("success_rate", milliseconds.isEmpty ? 0 : Double(successes) / Double(milliseconds.count))
        report.add("rpcs_per_op", rpcsPerOperation)
        report.add("timeouts_per_op", milliseconds.isEmpty ? 0 : Double(timeouts) / Double(milliseconds.count))
        report.add("busy_answers", busy)
        let lookupMilliseconds = lookups.map { $0.duration.seconds * 1000 }.sorted()
        report.add("lookup_p50_virtual_ms", lookupMilliseconds.isEmpty ? 0 : lookupMilliseconds[lookupMilliseconds.count / 2])
        let queries = lookups.map(\.queries).sorted()
        report.add("lookup_queries_p50", queries.isEmpty ? 0 : queries[queries.count / 2])
        let hops = lookups.map(\.hops).sorted()
        report.add("hops_p50", hops.isEmpty ? 0 : hops[hops.count / 2])
        return report
    }
}
