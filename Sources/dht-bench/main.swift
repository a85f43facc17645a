import Kademlia

#if canImport(Glibc)
import Glibc
#endif

/// Runs the benchmark described in BENCHMARKS.md and prints one JSON object.
func runBenchmark(_ options: BenchOptions) async throws -> Report {
    var random = SeededGenerator(seed: options.seed)
    let clock = ContinuousClock()
    let rssBefore = SystemProbe.anonymousKiB()
    let codeBefore = SystemProbe.fileBackedKiB()
    let kernelDropsBefore = SystemProbe.udpReceiveBufferErrors()
    let buildStart = clock.now
    let cluster = try await BenchCluster.build(options, random: &random)
    let buildSeconds = (clock.now - buildStart).seconds
    // The last batch's lookup reports go before memory is read (the build drops each
    // batch's as it goes): no node holds them.
    _ = cluster.drainLookups()
    let rssPerNode = Double(SystemProbe.anonymousKiB() - rssBefore) / Double(options.nodes)
    let codePagedIn = SystemProbe.fileBackedKiB() - codeBefore

    var report = Report()
    report.add("transport", options.transport.rawValue)
    report.add("nodes", options.nodes)
    if options.transport == .udp { report.add("pollers", options.pollers) }
    report.add("build_s", buildSeconds)
    report.add("rss_per_node_kib", rssPerNode)
    report.add("code_paged_in_kib", codePagedIn)
    report.add("memory_by_structure", MemoryBreakdown(of: cluster.nodes, residentKiBPerNode: rssPerNode).report)

    var workload = Workload(cluster: cluster, random: SeededGenerator(seed: random.next()))
    let keys = (0..<options.puts).map { "key-\($0)" }
    report.add("put", Report.phase(await workload.puts(keys, concurrency: 1)))
    report.add("get", Report.phase(await workload.gets(options.gets, of: keys, concurrency: 1)))
    if !options.skipConcurrent {
        let freshKeys = (0..<options.puts).map { "concurrent-key-\($0)" }
        report.add("put_concurrent", Report.phase(await workload.puts(freshKeys, concurrency: options.concurrency)))
        report.add("get_concurrent", Report.phase(await workload.gets(options.gets, of: freshKeys, concurrency: options.concurrency)))
    }
    if options.silentFraction > 0 {
        var shuffled = cluster.nodes.shuffled(using: &random)
        let silentCount = Int(Double(options.nodes) * options.silentFraction)
        shuffled.prefix(silentCount).forEach(cluster.silence)
        shuffled.removeFirst(silentCount)
        let phase = await workload.gets(options.gets, of: keys, concurrency: 1, from: shuffled)
        report.add("silent_fraction", options.silentFraction)
        report.add("get_with_silent", Report.phase(phase))
    }
    report.add("datagrams_dropped", cluster.transportDrops + SystemProbe.udpReceiveBufferErrors() - kernelDropsBefore)
    if let fsync = options.fsync {
        report.add("fsync", fsync.rawValue)
        report.add("journal_kib_per_node", Double(cluster.nodes.reduce(0) { $0 + ($1.storage?.size ?? 0) }) / 1024 / Double(options.nodes))
    }
    cluster.nodes.forEach { $0.stop() }
    BenchStorage.removeRoot()
    return report
}

/// Writes a line to standard error.
func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
}

switch BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) {
case .failure(let error):
    if error.isHelp {
        print(error.message)
        exit(0)
    }
    printError("dht-bench: \(error.message)\n\(BenchOptions.usage)")
    exit(64)
case .success(let options) where options.scenario == "churn":
    await runChurn(options)
case .success(let options) where options.scenario == "wan":
    print(await runWAN(options).json)
case .success(let options) where options.scenario == "restart":
    do {
        print(try await runRestart(options).json)
    } catch {
        printError("dht-bench: \(error)")
        exit(1)
    }
case .success(let options):
    do {
        print(try await runBenchmark(options).json)
    } catch {
        printError("dht-bench: \(error)")
        exit(1)
    }
}
