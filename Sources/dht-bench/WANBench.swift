import Foundation
import Kademlia
import KademliaTestKit

/// The WAN scenario: a network built across a modelled internet, then puts and gets timed
/// in virtual milliseconds, against a lossless reference in the same run, and ablations
/// of the lookup's settings measured from probe nodes that join the same network.
func runWAN(_ options: BenchOptions) async -> Report {
    let model = InternetModel(seed: options.seed, rttMedian: .milliseconds(options.rttMedianMilliseconds), loss: options.loss,
                              natShare: options.natShare)
    let cluster = WANCluster(model: model)
    var random = SeededGenerator(seed: options.seed)
    var report = Report()
    report.add("scenario", "wan")
    report.add("model", modelReport(model, silent: options.wanSilentFraction))
    report.add("nodes", options.nodes)

    let wall = ContinuousClock()
    let rssBefore = SystemProbe.anonymousKiB()
    let buildStart = (wall.now, cluster.network.clock.now())
    let nodes = await cluster.grow([], by: options.nodes, NodeConfiguration(), random: &random)
    report.add("build_wall_s", (wall.now - buildStart.0).seconds)
    report.add("build_virtual_s", (cluster.network.clock.now() - buildStart.1).seconds)
    // The build's lookup reports go before memory is read: no node holds them.
    cluster.log.reports.withLock { $0 = [] }
    let rssPerNode = Double(SystemProbe.anonymousKiB() - rssBefore) / Double(options.nodes)
    report.add("rss_per_node_kib", rssPerNode)
    report.add("memory_by_structure", MemoryBreakdown(of: nodes, residentKiBPerNode: rssPerNode).report)

    if options.settleMinutes > 0 {
        // Upkeep only: the buckets' trades for faster contacts need time, as in a network
        // that has been running; the silent share goes dark after, still in every table.
        let settleStart = wall.now
        await cluster.network.idle(for: .seconds(60 * options.settleMinutes))
        report.add("settle_virtual_min", options.settleMinutes)
        report.add("settle_wall_s", (wall.now - settleStart).seconds)
    }
    let workload = WANWorkload(cluster: cluster)
    // The reference: the same network with no loss and nobody silent.
    cluster.network.suspendLoss(true)
    let referenceKeys = (0..<min(options.puts, 200)).map { "reference-\($0)" }
    await workload.puts(referenceKeys, from: nodes, random: &random)
    let reference = await workload.gets(min(options.gets, 500), of: referenceKeys, from: nodes, random: &random)
    cluster.network.suspendLoss(false)

    var live = nodes.shuffled(using: &random)
    let silent = live.prefix(Int(Double(nodes.count) * options.wanSilentFraction))
    silent.forEach { cluster.network.setSilent($0.address, true) }
    live.removeFirst(silent.count)

    let keys = (0..<options.puts).map { "key-\($0)" }
    let puts = await workload.puts(keys, from: live, random: &random)
    let gets = await workload.gets(options.gets, of: keys, from: live, random: &random)
    report.add("lossless_get", reference.report)
    report.add("put", puts.report)
    report.add("get", gets.report)
    report.add("rpcs_per_get_vs_lossless", reference.rpcsPerOperation > 0 ? gets.rpcsPerOperation / reference.rpcsPerOperation : 0)

    if options.ablations {
        var variants = Report()
        for (name, configuration) in ablationVariants() {
            let probes = await cluster.grow(live, by: options.probes, configuration, random: &random)
            var variant = Report()
            variant.add("get", await workload.gets(max(options.gets / 2, 1), of: keys, from: probes, random: &random).report)
            variant.add("put", await workload.puts((0..<max(options.puts / 4, 1)).map { "\(name)-\($0)" }, from: probes,
                                                    random: &random).report)
            variants.add(name, variant)
            live += probes
        }
        report.add("ablations", variants)
    }
    report.add("datagrams_delivered", cluster.network.counts.delivered)
    report.add("datagrams_lost", cluster.network.counts.dropped)
    report.add("virtual_s", (cluster.network.clock.now() - buildStart.1).seconds)
    report.add("wall_s", (wall.now - buildStart.0).seconds)
    report.add("delivery_digest", String(cluster.network.deliveryDigest, radix: 16))
    return report
}

/// The settings the ablations compare, each measured from probe nodes of its own; the
/// first is the default, the control.
private func ablationVariants() -> [(String, NodeConfiguration)] {
    var fixedStall = NodeConfiguration()
    fixedStall.stallTimeout = .seconds(1)
    fixedStall.minimumStallTimeout = .seconds(1)
    var alphaFour = NodeConfiguration()
    alphaFour.alpha = 4
    var anyRTT = NodeConfiguration()
    anyRTT.preferLowRoundTrip = false
    var noSpares = NodeConfiguration()
    noSpares.writeSpares = 0
    var storesAfter = NodeConfiguration()
    storesAfter.storesAsAnswered = false
    return [("default", NodeConfiguration()), ("fixed_stall_1s", fixedStall), ("alpha_4", alphaFour), ("without_prefer_low_rtt", anyRTT),
            ("without_write_spares", noSpares), ("stores_after_lookup", storesAfter)]
}

/// The model's parameters, printed with every run.
private func modelReport(_ model: InternetModel, silent: Double) -> Report {
    var report = Report()
    report.add("rtt_median_ms", model.rttMedian.seconds * 1000)
    report.add("loss", model.loss)
    report.add("silent", silent)
    report.add("nat", model.natShare)
    report.add("jitter", model.jitter)
    report.add("seed", Int(truncatingIfNeeded: model.seed))
    report.add("time", "virtual milliseconds")
    return report
}

/// Puts and gets of 100-byte values, one at a time, each timed in virtual time.
struct WANWorkload {
    let cluster: WANCluster

    /// A put of each key from a random node of `pool`.
    @discardableResult
    func puts(_ keys: [String], from pool: [DHTNode], random: inout SeededGenerator) async -> WANPhase {
        let jobs = keys.map { key in (key, pool[Int.random(in: pool.indices, using: &random)]) }
        return await measure(jobs.map(\.1), purpose: .write) { index in
            let (key, node) = jobs[index]
            return (try? await node.put(key: key, value: Self.value(for: key))).map { $0.storedAt > 0 } ?? false
        }
    }

    /// `count` gets of random keys from random nodes of `pool`; one succeeds when it reads what was put.
    func gets(_ count: Int, of keys: [String], from pool: [DHTNode], random: inout SeededGenerator) async -> WANPhase {
        let jobs = (0..<count).map { _ in (keys[Int.random(in: keys.indices, using: &random)], pool[Int.random(in: pool.indices, using: &random)]) }
        return await measure(jobs.map(\.1), purpose: .read) { index in
            let (key, node) = jobs[index]
            return (try? await node.get(key: key))??.value == Self.value(for: key)
        }
    }

    static func value(for key: String) -> [UInt8] {
        let digest = SHA1.hash(key)
        return (0..<100).map { digest[$0 % digest.count] }
    }

    /// Runs `operation` for each requester in turn, timing each in virtual time and
    /// counting the queries the requester sent meanwhile (the network's background upkeep
    /// is not the operation's cost), and the `purpose` lookups the phase ran.
    private func measure(_ requesters: [DHTNode], purpose: LookupPurpose, _ operation: @escaping @Sendable (Int) async -> Bool) async -> WANPhase {
        cluster.log.reports.withLock { $0.removeAll() }
        var phase = WANPhase()
        phase.modelMedianRoundTrip = (cluster.network.internet?.rttMedian.seconds ?? 0) * 1000
        let others = requesters.prefix(WANPhase.linkSample).map(\.address)
        for (index, requester) in requesters.enumerated() {
            let before = WANCluster.queries(of: [requester])
            let (milliseconds, ok) = await cluster.timed { await operation(index) }
            let after = WANCluster.queries(of: [requester])
            phase.milliseconds.append(milliseconds)
            phase.requesterRoundTrips.append(cluster.typicalRoundTripMilliseconds(of: requester.address, among: others))
            if ok { phase.successes += 1 }
            phase.queries += after.sent - before.sent
            phase.timeouts += after.timedOut - before.timedOut
            phase.busy += after.busy - before.busy
        }
        phase.lookups = cluster.log.reports.withLock { reports in
            defer { reports.removeAll() }
            return reports.filter { $0.purpose == purpose }
        }
        return phase
    }
}
