import Glibc
import Kademlia

/// The benchmark's command line: `dht-bench [--nodes N] [--puts P] [--gets G]
/// [--concurrency C] [--seed S] [--transport udp|memory] [--silent FRACTION]`.
struct BenchOptions {
    enum Transport: String { case udp, memory }

    var nodes = 200
    var puts = 500
    var gets = 500
    var concurrency = 16
    var seed: UInt64 = 1
    var transport = Transport.udp
    /// Fraction of nodes that go silent before an extra phase of gets.
    var silentFraction = 0.0
    /// Query timeout; short by default because every peer is on this machine.
    var rpcTimeoutMilliseconds = 1000
    /// Epoll threads the UDP sockets are spread over: one per core, so receive work uses them all.
    var pollers = max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
    /// Skip the one-at-a-time and concurrent put/get phases (scale runs want only some).
    var skipConcurrent = false
    /// In memory, nodes that join at once, each through a node already in (1: one by one).
    var joinBatch = 1
    /// `workload` (the put/get phases), `churn` (the lifetime scenario, in memory) or
    /// `restart` (how long a node with `--keys` values takes to serve again).
    var scenario = "workload"
    /// Give every node a data directory with this fsync policy; nil keeps them in memory.
    var fsync: FsyncPolicy?
    /// Churn: keys put at the start, simulated hours, median session, graceful departures.
    var keys = 1000
    var hours = 24
    var medianSessionMinutes = 60
    var graceful = false
    /// Churn: across the WAN model (`--rtt-median`, `--loss`) instead of the instant network.
    var churnAcrossInternet = false
    /// Churn: the share of departures that leave gracefully (`--graceful` is 1), and keys per publisher.
    var gracefulShare: Double?
    var keysPerPublisher = 1
    /// Churn: each node's `--max-values` (nil: the default limit).
    var maxStoredValues: Int?
    /// WAN: the model's median round trip, loss and share of hosts behind NAT.
    var rttMedianMilliseconds = 100
    var loss = 0.01
    var natShare = 0.0
    /// WAN: the share of nodes that go silent (`--silent`, 20% unless given), probe nodes
    /// per ablation variant, and whether to run the ablations.
    var wanSilentFraction: Double { silentGiven ? silentFraction : 0.2 }
    var silentGiven = false
    var probes = 40
    var ablations = true
    /// WAN: virtual minutes the built network runs on its own (upkeep only) before anything
    /// is measured, so its tables have settled as a running network's have.
    var settleMinutes = 0

    static let usage = """
        usage: dht-bench [--nodes N] [--puts P] [--gets G] [--concurrency C] [--seed S]
                         [--transport udp|memory] [--pollers P] [--silent FRACTION] [--timeout-ms MS] [--no-concurrent]
                         [--fsync always|batch|never] [--join-batch B]
               dht-bench --scenario churn [--nodes N] [--keys K] [--hours H] [--median-session-min M] [--graceful] [--wan]
                         [--graceful-share F] [--keys-per-publisher P] [--max-values N] [--join-batch B] [--seed S]
               dht-bench --scenario restart [--keys K] [--fsync always|batch|never]
               dht-bench --scenario wan [--nodes N] [--puts P] [--gets G] [--rtt-median MS] [--loss F] [--silent F]
                         [--nat F] [--probes P] [--no-ablations] [--settle-min M] [--seed S]
        Starts N nodes in one process, runs the workload, prints one JSON object; with
        --fsync every node keeps its state in a data directory under /tmp. In memory,
        --join-batch B lets B nodes join at once (each through a node already in), as
        arrivals overlap in a real network; 1, the default, joins them one by one.
        The churn scenario runs N nodes on simulated time and prints a table row per hour;
        --join-batch B builds its network B joins at a time (the first B one by one).
        The restart scenario fills a node's data directory with K values, stops it and
        times its start until it answers with a value again.
        The wan scenario runs N nodes on the in-memory network across a seeded model of the
        internet (round trips with median MS milliseconds, loss, silent nodes, NAT) and
        prints latencies in virtual milliseconds, with ablations of the lookup's settings;
        --settle-min M first lets the built network run M virtual minutes on its own.
        """

    /// Parses the arguments after the program name; returns a message on a bad one.
    static func parse(_ arguments: [String]) -> Result<BenchOptions, BenchUsageError> {
        var options = BenchOptions()
        var remaining = arguments[...]
        while let flag = remaining.popFirst() {
            switch flag {
            case "--no-concurrent": options.skipConcurrent = true; continue
            case "--graceful": options.graceful = true; continue
            case "--wan": options.churnAcrossInternet = true; continue
            case "--no-ablations": options.ablations = false; continue
            default: break
            }
            if flag == "--help" || flag == "-h" { return .failure(BenchUsageError(message: usage, isHelp: true)) }
            guard let value = remaining.popFirst() else { return .failure(BenchUsageError(message: "\(flag) needs a value")) }
            let parsed: Bool
            switch flag {
            case "--nodes": parsed = Int(value).map { options.nodes = $0 } != nil && options.nodes >= 1
            case "--puts": parsed = Int(value).map { options.puts = $0 } != nil && options.puts >= 1
            case "--gets": parsed = Int(value).map { options.gets = $0 } != nil && options.gets >= 0
            case "--concurrency": parsed = Int(value).map { options.concurrency = $0 } != nil && options.concurrency >= 1
            case "--pollers": parsed = Int(value).map { options.pollers = $0 } != nil && (1...64).contains(options.pollers)
            case "--join-batch": parsed = Int(value).map { options.joinBatch = $0 } != nil && (1...4096).contains(options.joinBatch)
            case "--seed": parsed = UInt64(value).map { options.seed = $0 } != nil
            case "--transport": parsed = Transport(rawValue: value).map { options.transport = $0 } != nil
            case "--silent":
                parsed = Double(value).map { options.silentFraction = $0 } != nil && (0..<1).contains(options.silentFraction)
                options.silentGiven = true
            case "--scenario": parsed = ["workload", "churn", "restart", "wan"].contains(value) && { options.scenario = value; return true }()
            case "--rtt-median": parsed = Int(value).map { options.rttMedianMilliseconds = $0 } != nil && (1...10_000).contains(options.rttMedianMilliseconds)
            case "--loss": parsed = Double(value).map { options.loss = $0 } != nil && (0..<1).contains(options.loss)
            case "--nat": parsed = Double(value).map { options.natShare = $0 } != nil && (0...1).contains(options.natShare)
            case "--probes": parsed = Int(value).map { options.probes = $0 } != nil && options.probes >= 1
            case "--settle-min": parsed = Int(value).map { options.settleMinutes = $0 } != nil && (0...10_080).contains(options.settleMinutes)
            case "--fsync": parsed = FsyncPolicy(rawValue: value).map { options.fsync = $0 } != nil
            case "--keys": parsed = Int(value).map { options.keys = $0 } != nil && options.keys >= 1
            case "--hours": parsed = Int(value).map { options.hours = $0 } != nil && options.hours >= 1
            case "--median-session-min": parsed = Int(value).map { options.medianSessionMinutes = $0 } != nil && options.medianSessionMinutes >= 1
            case "--graceful-share": parsed = Double(value).map { options.gracefulShare = $0 } != nil && (0...1).contains(options.gracefulShare ?? -1)
            case "--keys-per-publisher": parsed = Int(value).map { options.keysPerPublisher = $0 } != nil && options.keysPerPublisher >= 1
            case "--max-values": parsed = Int(value).map { options.maxStoredValues = $0 } != nil && (options.maxStoredValues ?? 0) >= 1
            case "--timeout-ms": parsed = Int(value).map { options.rpcTimeoutMilliseconds = $0 } != nil && options.rpcTimeoutMilliseconds > 0
            default: return .failure(BenchUsageError(message: "unknown option \(flag)"))
            }
            guard parsed else { return .failure(BenchUsageError(message: "bad value '\(value)' for \(flag)")) }
        }
        return .success(options)
    }
}

/// A bad command line, or a request for help.
struct BenchUsageError: Error {
    var message: String
    var isHelp = false
}
