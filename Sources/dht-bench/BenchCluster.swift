import Kademlia
import Synchronization
import KademliaTestKit

/// N nodes in this process on one transport, with what the workload needs to see.
final class BenchCluster: Sendable {
    let nodes: [DHTNode]
    /// The in-memory network, when the run is on one; operations then run on its virtual clock.
    let network: MemoryNetwork?
    private let lookups: LookupLog

    private init(nodes: [DHTNode], network: MemoryNetwork?, lookups: LookupLog) {
        self.nodes = nodes
        self.network = network
        self.lookups = lookups
    }

    /// Starts `options.nodes` nodes, each joining through a random earlier one.
    static func build(_ options: BenchOptions, random: inout SeededGenerator) async throws -> BenchCluster {
        let log = LookupLog()
        let network = options.transport == .memory ? MemoryNetwork() : nil
        var nodes: [DHTNode] = []
        nodes.reserveCapacity(options.nodes)
        // Spreading the sockets over several epoll threads lets receive work use every core.
        let pollers = options.transport == .udp ? try (0..<options.pollers).map { _ in try UDPPoller() } : []
        let dataRoot = BenchStorage.root()
        for _ in 0..<options.nodes {
            let storage = try options.fsync.map { try NodeStorage.open(directory: "\(dataRoot)/node\(nodes.count)", fsync: $0) }
            var configuration = NodeConfiguration()
            configuration.seed = random.next()
            configuration.rpcTimeout = .milliseconds(options.rpcTimeoutMilliseconds)
            configuration.onLookup = { report in log.append(report) }
            let node: DHTNode
            if let network {
                node = DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: configuration, storage: storage)
            } else {
                let poller = pollers[nodes.count % pollers.count]
                let transport = try UDPTransport.bind(
                    host: "127.0.0.1", port: 0, poller: poller, tickInterval: DHTNode.udpTickInterval)
                node = DHTNode(transport: transport, configuration: configuration, storage: storage)
            }
            nodes.append(node)
            // Joins wait for a batch to fill; a batch's members join through earlier nodes only.
            let batch = network == nil ? 1 : options.joinBatch
            if nodes.count == options.nodes || nodes.count % batch == 0 {
                await join(nodes, from: max(1, (nodes.count - 1) / batch * batch), on: network, random: &random)
                // The joins' lookup reports are no figure of the workload's: kept, a million
                // nodes' (some 17 million reports) held 1-2 GiB by the end of the build.
                log.reports.withLock { $0.removeAll(keepingCapacity: true) }
            }
        }
        return BenchCluster(nodes: nodes, network: network, lookups: log)
    }

    /// Joins `nodes[first...]` at once, each through a random node before `first`.
    private static func join(_ nodes: [DHTNode], from first: Int, on network: MemoryNetwork?,
                             random: inout SeededGenerator) async {
        guard first < nodes.count else { return }
        let joins = nodes[first...].map { node in (node: node, seed: nodes[Int.random(in: 0..<first, using: &random)].address) }
        if let network { return await network.join(joins) }
        for (node, seed) in joins { _ = try? await node.bootstrap([seed]) }
    }

    /// Runs an operation, on virtual time when the cluster is in memory.
    func perform<Result: Sendable>(_ operation: @escaping @Sendable () async -> Result) async -> Result {
        await Self.perform(on: network, operation)
    }

    private static func perform<Result: Sendable>(on network: MemoryNetwork?, _ operation: @escaping @Sendable () async -> Result) async -> Result {
        if let network { return await network.run(operation) }
        return await operation()
    }

    /// Takes the lookup reports gathered since the last call.
    func drainLookups() -> [LookupReport] {
        lookups.reports.withLock { reports in
            // Not keeping the capacity: the log of a 10,000-node join would otherwise stay
            // allocated and count as the nodes' memory in `rss_per_node_kib`.
            defer { reports.removeAll() }
            return reports
        }
    }

    /// The traffic of every node added up.
    func traffic() -> TrafficCounts {
        nodes.reduce(TrafficCounts()) { $0 + $1.traffic }
    }

    /// Datagrams the UDP transports could not send or would not accept.
    var transportDrops: Int {
        nodes.reduce(0) { $0 + (($1.transport as? UDPTransport)?.droppedDatagrams ?? 0) }
    }

    /// Makes a node vanish without a goodbye.
    func silence(_ node: DHTNode) {
        if let network { network.setSilent(node.address, true) } else { node.stop() }
    }
}

/// Collects lookup reports from every node's callback.
final class LookupLog: Sendable {
    let reports = Mutex<[LookupReport]>([])
    func append(_ report: LookupReport) { reports.withLock { $0.append(report) } }
}
