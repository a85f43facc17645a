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

    /// The median round trip, without jitter, from `host` to `others` (itself left out):
    /// what its own link makes of every query it sends.
    func typicalRoundTripMilliseconds(of host: SocketAddress, among others: [SocketAddress]) -> Double {
        guard let model = network.internet else { return 0 }
        let roundTrips = others.filter { $0 != host }.map { model.baseRoundTrip(host, $0).seconds * 1000 }.sorted()
        return roundTrips.isEmpty ? 0 : roundTrips[roundTrips.count / 2]
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
    /// Each operation's requester's typical round trip (`typicalRoundTripMilliseconds`),
    /// in the order of `milliseconds`.
    var requesterRoundTrips: [Double] = []
    /// The model's median round trip, in milliseconds: what an ordinary link is measured against.
    var modelMedianRoundTrip: Double = 0
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
        addByRequesterLink(to: &report)
        return report
    }

    /// Hosts each requester's typical round trip is measured against.
    static let linkSample = 101

    /// The same operations seen from the requesters' links: how many of their own round
    /// trips an operation took, and the latencies of those whose typical round trip is at
    /// most twice the median of the model (ordinary links), apart from the slow links the
    /// model gives one host in twenty, each of whose queries pays its own delay twice.
    private func addByRequesterLink(to report: inout Report) {
        guard !milliseconds.isEmpty, requesterRoundTrips.count == milliseconds.count, modelMedianRoundTrip > 0 else { return }
        let inRoundTrips = zip(milliseconds, requesterRoundTrips).map { $1 > 0 ? $0 / $1 : 0 }.sorted()
        report.add("p50_requester_round_trips", inRoundTrips[inRoundTrips.count / 2])
        var ordinary = WANPhase()
        ordinary.milliseconds = zip(milliseconds, requesterRoundTrips).filter { $1 <= 2 * modelMedianRoundTrip }.map(\.0)
        report.add("ordinary_link_share", Double(ordinary.milliseconds.count) / Double(milliseconds.count))
        guard !ordinary.milliseconds.isEmpty else { return }
        report.add("ordinary_link_p50_virtual_ms", ordinary.percentile(0.5))
        report.add("ordinary_link_p99_virtual_ms", ordinary.percentile(0.99))
    }
}
