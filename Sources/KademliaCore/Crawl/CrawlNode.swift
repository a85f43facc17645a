/// How far a crawl may go.
public struct CrawlLimits: Sendable, Equatable {
    /// The most nodes a crawl keeps; more are not recorded (at most 10,000).
    public var maxNodes: Int
    /// The most queries it sends.
    public var maxQueries: Int
    /// Queries awaiting a reply at once, at most.
    public var inFlight: Int
    /// Queries sent per second, at most; nil sends as fast as replies free slots (a
    /// simulation on a clock that only moves when told).
    public var queriesPerSecond: Int?
    /// Probes in a row that find nothing new before the crawl ends.
    public var quietProbes: Int

    /// The largest `maxNodes` allowed.
    public static let nodeCeiling = 10_000

    /// Limits, clamped to sane ranges: by default 10,000 nodes, two queries per node, 16 in
    /// flight and 100 a second (each node gets one query, far under any host's rate limit).
    public init(maxNodes: Int = nodeCeiling, maxQueries: Int? = nil, inFlight: Int = 16, queriesPerSecond: Int? = 100, quietProbes: Int = 16) {
        self.maxNodes = min(max(maxNodes, 1), Self.nodeCeiling)
        self.maxQueries = max(maxQueries ?? 2 * self.maxNodes, 1)
        self.inFlight = min(max(inFlight, 1), 256)
        self.queriesPerSecond = queriesPerSecond.map { max($0, 1) }
        self.quietProbes = max(quietProbes, 0)
    }

    /// The time between two sends.
    var spacing: Duration { queriesPerSecond.map { .nanoseconds(1_000_000_000 / Int64($0)) } ?? .zero }
}

/// One node a crawl found.
public struct CrawlNode: Sendable, Equatable {
    /// Where it stands.
    public enum State: String, Sendable, Equatable {
        /// Named by another node, not yet asked.
        case found
        /// Asked, no reply yet.
        case asked
        /// Answered with its count.
        case answered
        /// Gave no usable reply.
        case failed
    }

    /// Its id and address.
    public var contact: Contact
    /// Targets it holds (BEP 51 `num`); nil until it answers.
    public var load: Int64?
    /// Its reply's round trip.
    public var roundTrip: Duration?
    /// How far the crawl got with it.
    public var state: State
    /// Whether it is the crawling node itself.
    public var isLocal: Bool
}

/// A crawl's figures.
public struct CrawlProgress: Sendable, Equatable {
    /// Nodes found, this one included.
    public var found: Int
    /// Nodes that told their count, this one included.
    public var answered: Int
    /// Nodes that gave no usable reply.
    public var failed: Int
    /// Queries sent.
    public var queries: Int
    /// Time since it started (to its end, once ended).
    public var elapsed: Duration
    /// Whether it is still running.
    public var isRunning: Bool
}

/// How load spreads over the nodes that told their count.
public struct LoadSpread: Sendable, Equatable {
    /// Targets held in all.
    public var total: Int64
    /// The most any node holds.
    public var max: Int64
    /// The mean over the nodes that answered.
    public var mean: Double
    /// `max` over `mean`: 1 is perfectly even; 0 when nothing is held.
    public var spread: Double

    /// The spread of `loads`.
    public init(_ loads: [Int64]) {
        total = loads.reduce(0, +)
        max = loads.max() ?? 0
        mean = loads.isEmpty ? 0 : Double(total) / Double(loads.count)
        spread = mean > 0 ? Double(max) / mean : 0
    }
}
