/// The bounds a node keeps whatever arrives: what it stores, how fast it answers one
/// source, whom its routing table admits, and how many queries it has out.
///
/// The defaults suit a small machine on the open internet; PROTOCOL.md lists them and
/// why. Loopback tests that run many nodes on 127.0.0.1 keep `relaxLoopback` on.
public struct NodeLimits: Sendable, Equatable {
    /// Values and tombstones held at most. 50,000 is about 5,000 publishers' worth of keys
    /// on a 1,000-node network (each key lives on 8 nodes).
    public var maxStoredValues = 50_000
    /// Bytes held at most, counting each value's bytes, its key and `storedValueOverhead`:
    /// 32 MiB, so the store stays a small part of a small machine's memory.
    public var maxStoredBytes = 32 << 20
    /// The share of either limit one source (a /24, see `TrafficSource`) may fill: 1/8,
    /// so filling a node takes at least 8 networks, as many as hold each key.
    public var maxShareOfStorePerSource = 0.125
    /// The fill of either limit below which a source may store past its share: a small
    /// network, where a few sources (or one LAN's /24) hand each node everything it holds,
    /// is not cut off at 1/8, and one network's flood still leaves half the store to others.
    public var storeOpenToAnySourceBelow = 0.5
    /// Queries per second one host may send before answers thin out.
    public var queriesPerSecondPerHost = 50.0
    /// Queries a quiet host may send at once.
    public var queryBurstPerHost = 100.0
    /// Queries per second the node answers beyond the hosts' shares while it is not busy
    /// (`InboundAdmission`), lent only to hosts that answered its ping: what lets one honest
    /// peer write as fast as it can into an idle node. A node whose total load exceeds it
    /// lends nothing and answers each host its own share.
    public var spareQueriesPerSecond = 10_000.0
    /// The spare queries an idle node lends at once: a fifth of a second's worth.
    public var spareQueryBurst = 2_000.0
    /// Upkeep queries (replication, hand-off, repair, leave) one destination may have
    /// awaiting an answer, at most; the window starts at `upkeepWindowInitial`, widens while
    /// they are answered and halves on a busy answer (`UpkeepWindows`).
    public var upkeepWindowMaximum = 32
    public var upkeepWindowInitial = 4
    /// Upkeep queries awaiting an answer at once, over all destinations: the rest of
    /// `maxPendingQueries` stays free for what users ask.
    public var upkeepInFlightTotal = 1024
    /// Hosts the rate limiter remembers; the least recently heard is forgotten first.
    public var rateLimiterHosts = 4096
    /// Datagrams per second this node sends one foreign host (IP address), and the burst:
    /// stock libtorrent blocks for 5 minutes an address that sends it 50 datagrams within
    /// 10 s, queries and replies alike. Replies spend the budget too; queries past it wait
    /// their turn (up to `maxPacingDelay`). At 3 a second after a burst of 10, no 10 s
    /// holds more than 40 queries, and replies to the host's own queries push later
    /// queries back (PacingTests: at most 43 in a busy minute). Loopback is not paced
    /// while `relaxLoopback` is on.
    public var queriesPerSecondToHost = 3.0
    public var queryBurstToHost = 10.0
    /// The longest a query waits for its turn before it fails at once.
    public var maxPacingDelay: Duration = .seconds(30)
    /// Routing-table contacts one host (IP address) may hold.
    public var contactsPerHost = 1
    /// Contacts one /24 may hold in one bucket.
    public var contactsPerNetworkPerBucket = 2
    /// On 127.0.0.0/8 count address and port as the host (see `TrafficSource`).
    public var relaxLoopback = true
    /// Queries this node may have awaiting an answer; past it new queries fail at once.
    public var maxPendingQueries = 4096
    /// Lookups under way at once; more wait for a slot.
    public var maxLookupsInFlight = 64
    /// BEP 5: torrents whose peers are tracked, and peers per torrent (about 6 MiB at most).
    public var maxTorrents = 2000
    public var maxPeersPerTorrent = 128
    /// BEP 44: items held at most (each at most 1,000 bytes; libtorrent keeps 700).
    public var maxItems = 1000

    /// What a held value is charged beyond its bytes and key: the entry, its two heap
    /// slots and dictionary slack, measured at about this.
    public static let storedValueOverhead = 192

    public init() {}

    /// The most values one source may have stored here.
    public var maxStoredValuesPerSource: Int { max(1, Int(Double(maxStoredValues) * maxShareOfStorePerSource)) }
    /// The most bytes one source may have stored here.
    public var maxStoredBytesPerSource: Int { max(1, Int(Double(maxStoredBytes) * maxShareOfStorePerSource)) }
    /// Values held below which a source past its share is still admitted.
    public var storeValuesOpenToAnySource: Int { Int(Double(maxStoredValues) * storeOpenToAnySourceBelow) }
    /// Bytes held below which a source past its share is still admitted.
    public var storeBytesOpenToAnySource: Int { Int(Double(maxStoredBytes) * storeOpenToAnySourceBelow) }
}
