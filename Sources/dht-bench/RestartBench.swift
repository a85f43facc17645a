import Foundation
import Kademlia

/// Where the benchmark's data directories live: one tree per run, removed at the end.
enum BenchStorage {
    /// `/tmp/dht-bench-<pid>`.
    static func root() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dht-bench-\(ProcessInfo.processInfo.processIdentifier)").path
    }

    /// Removes the run's tree, if it made one.
    static func removeRoot() {
        try? FileManager.default.removeItem(atPath: root())
    }
}

/// The restart scenario: a holder with a data directory is sent `options.keys` values over
/// UDP, stopped, and started again on its port; the figures are how long reading the
/// journal, restoring the state and answering the first `get` take.
func runRestart(_ options: BenchOptions) async throws -> Report {
    defer { BenchStorage.removeRoot() }
    let directory = BenchStorage.root() + "/holder"
    var configuration = NodeConfiguration()
    configuration.seed = options.seed
    // One writer sends every value: lift the per-host rate and per-source share meant for floods.
    configuration.limits.queriesPerSecondPerHost = 1e9
    configuration.limits.queryBurstPerHost = 1e9
    configuration.limits.maxShareOfStorePerSource = 1
    let holder = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration,
                                 storage: try NodeStorage.open(directory: directory, fsync: .never))
    let writer = try DHTNode.udp(port: 0, host: "127.0.0.1")
    defer { writer.stop() }
    _ = try await writer.bootstrap([holder.address])
    guard options.keys <= configuration.limits.maxStoredValues else { throw BenchUsageError(message: "--keys is over the store limit") }
    let keys = (0..<options.keys).map { "restart-\($0)" }
    try await putAll(keys, from: writer, concurrency: options.concurrency)
    let port = holder.address.port
    let held = holder.status().storedKeys
    holder.stop()

    let transport = try await bindAgain(port: port)
    let clock = ContinuousClock()
    let start = clock.now
    let storage = try NodeStorage.open(directory: directory, fsync: options.fsync ?? .always)
    let opened = clock.now - start
    let restarted = DHTNode(transport: transport, configuration: configuration, storage: storage)
    let serving = clock.now - start
    defer { restarted.stop() }
    let reader = try DHTNode.udp(port: 0, host: "127.0.0.1")
    defer { reader.stop() }
    let probe = clock.now
    _ = try await reader.bootstrap([restarted.address])
    let found = try await reader.get(key: keys[keys.count / 2]) != nil

    var report = Report()
    report.add("scenario", "restart")
    report.add("values_held", held)
    report.add("values_restored", restarted.status().storedKeys)
    report.add("journal_kib", Double(storage.size) / 1024)
    report.add("open_ms", opened.seconds * 1000)
    report.add("serving_ms", serving.seconds * 1000)
    report.add("join_and_get_ms", (clock.now - probe).seconds * 1000)
    report.add("get_found", found ? 1 : 0)
    return report
}

/// Puts every key from `node`, `concurrency` at a time; throws on the first failure.
private func putAll(_ keys: [String], from node: DHTNode, concurrency: Int) async throws {
    var start = 0
    while start < keys.count {
        let batch = keys[start..<min(start + concurrency, keys.count)]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for key in batch { group.addTask { _ = try await node.put(key: key, value: Array(key.utf8)) } }
            try await group.waitForAll()
        }
        start += concurrency
    }
}

/// Binds `port` again once the stopped node's poller has let it go.
private func bindAgain(port: UInt16) async throws -> UDPTransport {
    for _ in 0..<100 {
        do {
            return try UDPTransport.bind(host: "127.0.0.1", port: port, tickInterval: DHTNode.udpTickInterval)
        } catch let error as SocketError where error.isAddressInUse {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
    return try UDPTransport.bind(host: "127.0.0.1", port: port, tickInterval: DHTNode.udpTickInterval)
}
