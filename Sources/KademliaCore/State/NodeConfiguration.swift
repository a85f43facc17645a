/// The tunables of a node; the defaults follow PROTOCOL.md.
public struct NodeConfiguration: Sendable {
    /// Bucket size, replication factor and contacts per reply.
    public var k = 8
    /// Queries in flight per lookup.
    public var alpha = 3
    /// How long a query waits for its answer before it fails.
    public var rpcTimeout: Duration = .seconds(2)
    /// The longest a lookup's query may stay silent before it stops holding an ALPHA
    /// slot and a place among the K closest (it may still answer until `rpcTimeout`).
    /// The node uses less once it has measured round trips (see RoundTripEstimator).
    public var stallTimeout: Duration = .milliseconds(500)
    /// The shortest stall timeout, however fast the network looks.
    public var minimumStallTimeout: Duration = .milliseconds(50)
    /// The most contacts past the K closest that a write's lookup asks in its final round, so
    /// that one of the K turning out silent is replaced without waiting a stall timeout and a
    /// round trip more. It asks as many as the share of its recent queries left unanswered
    /// predicts silent, none where everyone answers (BENCHMARKS.md has what it buys).
    public var writeSpares = 3
    /// Whether a put or delete stores at each of the K closest as soon as its answer makes it
    /// one, while the lookup still waits on slower ones, instead of after the lookup.
    public var storesAsAnswered = true
    /// When a full bucket could take a newcomer that answered faster, trade its slowest
    /// contact for it if that one's round trip is more than twice the newcomer's and 50 ms
    /// more (pymdht's `nice_rtt`): lookups through the table then start on nearer hosts.
    /// Across the modelled internet it takes a tenth off put and get latency (BENCHMARKS.md).
    public var preferLowRoundTrip = true
    /// The node's id; random when nil.
    public var id: NodeID?
    /// BEP 42: derive the id from the external address other nodes report (`ip` votes),
    /// as the public Mainline network prefers. The address learned is kept in the data
    /// directory, and a node started again with an id that does not fit it takes a new one.
    public var secureNodeID = false
    /// Mainline routers (such as router.bittorrent.com): used to bootstrap, never kept in
    /// the routing table (BEP 5 asks clients not to).
    public var routers: [SocketAddress] = []
    /// Store quotas, rate limits, routing-table diversity and query bounds.
    public var limits = NodeLimits()
    /// Seeds the node's random choices (id, transaction ids, secrets) for replayable runs.
    /// Simulations and tests only: a seeded node's replies reveal its token secret.
    public var seed: UInt64?
    /// Receives log lines at `logLevel` and above.
    public var log: LogSink?
    public var logLevel: LogLevel = .warning
    /// A non-empty bucket with no lookup for this long is refreshed.
    public var bucketRefreshInterval: Duration = .seconds(3600)
    /// Default and maximum lifetime of a stored value.
    public var valueLifetime: Duration = .seconds(86_400)
    /// How long a contact may stay quiet before it is questionable: pinged in the
    /// background, and challengeable by a newcomer for its place.
    public var questionableAfter: Duration = .seconds(15 * 60)
    /// Unanswered queries in a row after which a contact is bad and leaves the table.
    public var failureLimit = 2
    /// Contacts each full bucket keeps waiting for a place (the paper's replacement cache).
    /// A bucket needs one to fill a hole, and a busy node meets fresh candidates every
    /// minute, so three do what eight did (churn and WAN runs read the same) for 40 bytes
    /// less each: 1.1 KiB a node at 10,000 nodes.
    public var replacementsPerBucket = 3
    /// How often a holder re-stores each value at the current K closest, carrying its
    /// remaining lifetime (skipped when another holder stored it within the interval).
    public var replicationInterval: Duration = .seconds(3600)
    /// How often the publisher stores its own values afresh, extending their lives.
    public var republishInterval: Duration = .seconds(86_400)
    /// When a publication is stored afresh: `republishInterval`, but no later than 23/24
    /// of `valueLifetime` (an hour early at the defaults), so the fresh copies are in place
    /// before the old ones expire and a read never falls into the gap.
    public var republishDelay: Duration { min(republishInterval, valueLifetime * 23 / 24) }
    /// The first wait before retrying the bootstrap addresses while the table is empty;
    /// it doubles after each try up to `rejoinMaximumDelay`.
    public var rejoinInitialDelay: Duration = .seconds(1)
    /// The longest wait between bootstrap retries.
    public var rejoinMaximumDelay: Duration = .seconds(60)
    /// The longest a graceful leave spends handing its values on.
    public var leaveTimeout: Duration = .seconds(2)

    /// Counts this node's background tasks together with other nodes', for simulations
    /// that wait until a whole network is quiet.
    public var activity: (any BackgroundActivity)?

    /// Where the node's own tasks run (background upkeep, leaving, watches); nil for the
    /// global executor. A simulation passes its single-threaded executor, so it can tell
    /// when every task of its nodes waits on the network and a run replays exactly.
    public var taskExecutor: (any TaskExecutor)?

    /// Told about every finished lookup, for benchmarks and diagnostics.
    public var onLookup: (@Sendable (LookupReport) -> Void)?

    public init() {}
}

/// What a lookup was for, as reports and events name it.
public enum LookupPurpose: String, Sendable, Equatable {
    /// find_node: refreshes, and the lookups a put or get does not cover.
    case nodes
    /// A join's lookup of its own id.
    case join
    /// A get's find_value.
    case read
    /// A put's, delete's or watch's find_value, until the K closest have answered.
    case write
    /// BEP 5 get_peers.
    case peers
    /// BEP 44 get.
    case items
}

/// What one iterative lookup cost.
public struct LookupReport: Sendable, Equatable {
    public var target: NodeID
    /// Queries sent.
    public var queries: Int
    /// Hops from our routing table to the farthest-learned of the K closest.
    public var hops: Int
    /// Whether a value came back (find_value lookups).
    public var foundValue: Bool
    /// What the lookup was for.
    public var purpose: LookupPurpose
    /// From the first query to the end.
    public var duration: Duration

    /// A lookup of `target` for `purpose` that sent `queries` over `hops` hops in `duration`.
    public init(target: NodeID, queries: Int, hops: Int, foundValue: Bool, purpose: LookupPurpose = .nodes, duration: Duration = .zero) {
        self.target = target
        self.queries = queries
        self.hops = hops
        self.foundValue = foundValue
        self.purpose = purpose
        self.duration = duration
    }
}

/// What counts a node's background tasks (`NodeConfiguration.activity`): told when each
/// starts and ends, so a simulation can wait until a whole network is quiet.
public protocol BackgroundActivity: AnyObject, Sendable {
    /// A background task began.
    func started()
    /// A background task ended.
    func finished()
}

/// One node's configuration, held once and shared by the node and its state: at over half
/// a KiB, a copy in each cost that much a node (half a GiB at a million nodes).
package final class SharedConfiguration: Sendable {
    package let value: NodeConfiguration

    /// Holds `value` for a node and its state to share.
    package init(_ value: NodeConfiguration) { self.value = value }
}
