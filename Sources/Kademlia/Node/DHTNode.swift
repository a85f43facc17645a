import Synchronization

/// A Kademlia node: answers queries, joins a network, and puts and gets values.
///
/// The node is a thin shell around `NodeState` (a plain value under one lock) and a
/// `DatagramTransport`; the same node runs over UDP or an in-memory network.
public final class DHTNode: Sendable {
    /// The largest value a node stores (PROTOCOL.md).
    public static let maxValueSize = ValueStore.maxValueSize
    /// The longest key, in bytes of UTF-8, a put sends: with a largest value it still fits
    /// a `store` in one datagram (PROTOCOL.md).
    public static let maxKeySize = 256
    /// Datagrams larger than this are dropped unread.
    public static let maxDatagramSize = 1500

    public let id: NodeID
    /// The node's tunables; held once, with the state (`SharedConfiguration`).
    public var configuration: NodeConfiguration { sharedConfiguration.value }
    let sharedConfiguration: SharedConfiguration
    /// The transport the node speaks through.
    public let transport: any DatagramTransport
    /// The data directory the node's state is kept in; nil for a node in memory only.
    public let storage: NodeStorage?
    let clock: any NodeClock
    /// When the node was made, for its uptime.
    let startedAt: Timestamp
    /// The state's lock: opened only by `read` and `mutate` (`DHTNode+State.swift`).
    let stateLock: Mutex<NodeState>
    let counters = NodeCounters()
    /// Bounds the lookups under way (`NodeLimits.maxLookupsInFlight`).
    let lookupGate: LookupGate
    /// The watches running on this node (`watch(key:)`).
    let watches = WatchRegistry()

    /// Creates a node on a transport and starts answering queries at once. With `storage`
    /// the node takes up the id, values, publications and contacts kept there (an id in
    /// `configuration` wins over the saved one), records every change there, and closes
    /// it when it stops.
    public init(transport: any DatagramTransport, clock: any NodeClock = SystemClock(), configuration: NodeConfiguration = .init(),
                storage: NodeStorage? = nil) {
        var random = NodeRandom(seed: configuration.seed)
        let snapshot = storage?.takeRecovered()
        let id = configuration.id ?? Self.startingID(saved: snapshot, configuration, using: &random)
        self.id = id
        self.transport = transport
        self.clock = clock
        startedAt = clock.now()
        self.storage = storage
        lookupGate = LookupGate(limit: configuration.limits.maxLookupsInFlight)
        var initial = NodeState(localID: id, configuration: configuration, random: random, now: clock.now())
        sharedConfiguration = initial.sharedConfiguration
        if let storage, let snapshot { Self.restoring(&initial, from: storage, snapshot: snapshot, clock: clock) }
        stateLock = Mutex(initial)
        if let storage {
            commitJournal()
            log(storage.recovery.damage == nil ? .info : .warning, .data, "\(storage.directory): \(storage.recovery)")
        }
        transport.start(delegate: NodeInbound(node: self))
        transport.wake(at: clock.now())
    }

    /// The saved id, unless BEP 42 ids are asked for and it does not fit the external
    /// address last voted; then (or with nothing saved) a new one, BEP 42's when it can be.
    static func startingID(saved snapshot: JournalSnapshot?, _ configuration: NodeConfiguration,
                           using random: inout NodeRandom) -> NodeID {
        let external = configuration.secureNodeID ? snapshot?.externalAddress : nil
        if let saved = snapshot?.id, external.map({ SecureNodeID.isValid(saved, for: $0) }) ?? true { return saved }
        if let external { return SecureNodeID.make(for: external, using: &random) }
        return NodeID.random(using: &random)
    }

    /// Binds UDP on `host:port` (port 0 picks a free one) and starts a node there, keeping
    /// its state in `storage` if given.
    public static func udp(port: UInt16, host: String = "0.0.0.0", configuration: NodeConfiguration = .init(),
                           storage: NodeStorage? = nil) throws -> DHTNode {
        DHTNode(transport: try UDPTransport.bind(host: host, port: port, tickInterval: udpTickInterval), configuration: configuration,
                storage: storage)
    }

    /// The idle tick of a node on UDP: deadlines ask for their own wake-ups, so the tick
    /// only backs them up, and a process hosting thousands of nodes is not busy ticking.
    public static let udpTickInterval: Duration = .seconds(1)

    /// The IPv4 address other nodes say they see this one at (BEP 42 votes), once enough agree.
    public var externalAddress: UInt32? { read { $0.externalAddress } }

    /// The address other nodes reach this one at.
    public var address: SocketAddress { transport.localAddress }

    /// This node as a contact.
    public var contact: Contact { Contact(id: id, address: address) }

    /// Stops at once, as a crash would but cleanly: stops answering, releases the transport,
    /// fails pending queries (so lookups under way end at once) and closes the journal.
    /// Hands nothing on: the values this node held are one copy short until the others'
    /// replication notices. To leave a network politely, call `leave()` instead, which
    /// hands them on first and then calls this.
    public func stop() {
        transport.close()
        // Values were journaled as they changed; the contacts learned since the last tick go now.
        mutateWritingContacts { _ in }
        let waiting = mutate { state in
            state.stopped = true
            state.pacedSends = DeadlineHeap()
            return (state.pending.removeAll(), state.sleepers.popAllDue(now: Timestamp(nanoseconds: .max)))
        }
        storage?.close()
        for completion in waiting.0 { completion(.failure(.cancelled)) }
        for wake in waiting.1 { wake() }
    }

    /// A snapshot of the routing table and store.
    public func status() -> NodeStatus {
        let now = clock.now()
        return read { state in
            let replacements = Dictionary(uniqueKeysWithValues: state.routingTable.replacementCounts.map { ($0.index, $0.count) })
            return NodeStatus(
                id: id, address: address,
                buckets: state.routingTable.bucketCounts.map {
                    BucketCount(index: $0.index, count: $0.count, replacements: replacements[$0.index] ?? 0)
                },
                totalNodes: state.routingTable.count,
                storedKeys: state.store.targets(now: now).count,
                expiringWithinHour: state.store.valuesExpiring(within: .seconds(3600), now: now),
                tombstones: state.store.tombstoneCount(now: now),
                items: state.items.liveCount(now: now),
                heldTargets: state.heldTargets(now: now).count,
                uptime: now - startedAt,
                storage: storage.map { StorageStatus(directory: $0.directory, journalBytes: $0.size, fsync: $0.fsync, failure: $0.failure) })
        }.with(upkeep: upkeepStatus)
    }

    /// The upkeep half of `status`.
    var upkeepStatus: UpkeepStatus {
        UpkeepStatus(backlog: upkeepBacklog, valuesHandedOff: counters.valuesHandedOff.load(ordering: .relaxed),
                     busyAnswersReceived: counters.busyAnswersReceived.load(ordering: .relaxed),
                     busyAnswersSent: counters.busyAnswersSent.load(ordering: .relaxed),
                     queriesRefused: counters.rateLimited.load(ordering: .relaxed),
                     upkeepAbandoned: counters.upkeepAbandoned.load(ordering: .relaxed),
                     storesRefused: read { $0.storesRefused })
    }

    /// Every contact in the routing table.
    public var knownContacts: [Contact] { read { $0.routingTable.contacts } }

    /// How many contacts the routing table holds (what `status().totalNodes` says, cheaply).
    public var contactCount: Int { read { $0.routingTable.count } }

    /// How many of this node's queries wait for a reply.
    package var queriesAwaitingReply: Int { read { $0.pending.count } }

    /// The value this node itself holds for `key`, if any.
    public func localValue(for key: String) -> FoundValue? {
        let now = clock.now()
        return read { $0.store.value(for: NodeID(key: key), now: now) }.map(FoundValue.init)
    }
}

/// How many contacts a bucket holds, for `status`.
public struct BucketCount: Sendable, Equatable {
    public var index: Int
    public var count: Int
    /// Contacts waiting to take a place in it (in `status`; 0 elsewhere).
    public var replacements: Int

    public init(index: Int, count: Int, replacements: Int = 0) {
        self.index = index
        self.count = count
        self.replacements = replacements
    }
}

/// A snapshot of a node for `status`.
public struct NodeStatus: Sendable {
    public var id: NodeID
    public var address: SocketAddress
    /// Non-empty buckets by ascending index.
    public var buckets: [BucketCount]
    public var totalNodes: Int
    /// Live values held here (tombstones not included).
    public var storedKeys: Int
    /// Live values held here that expire within the next hour.
    public var expiringWithinHour: Int = 0
    /// Deletion markers held here.
    public var tombstones: Int = 0
    /// BEP 44 items held here, immutable and mutable.
    public var items: Int = 0
    /// Targets held in all, values, torrents and items: what BEP 51 `num` tells a crawl.
    public var heldTargets: Int = 0
    /// Time since the node was made.
    public var uptime: Duration = .zero
    /// Where the node's state is kept; nil in memory only.
    public var storage: StorageStatus?
    /// What upkeep has under way and what the limits refused.
    public var upkeep = UpkeepStatus()
}

/// Upkeep and limits at work, for `status`: nothing here means nothing happened.
public struct UpkeepStatus: Sendable, Equatable {
    /// Upkeep queries waiting for their destination's window, and in flight, by destination.
    public var backlog = UpkeepBacklog()
    /// Values handed to newcomers since the node started.
    public var valuesHandedOff = 0
    /// Busy answers this node got (each query was sent again later) and gave.
    public var busyAnswersReceived = 0
    public var busyAnswersSent = 0
    /// Queries this node left unanswered or answered "busy" because their host was over its share.
    public var queriesRefused = 0
    /// Upkeep queries dropped because their destination went silent.
    public var upkeepAbandoned = 0
    /// Stores refused for the quotas (a source past its share, or the store full).
    public var storesRefused = 0

    /// Nothing under way and nothing refused, unless said otherwise.
    public init(backlog: UpkeepBacklog = UpkeepBacklog(), valuesHandedOff: Int = 0, busyAnswersReceived: Int = 0,
                busyAnswersSent: Int = 0, queriesRefused: Int = 0, upkeepAbandoned: Int = 0, storesRefused: Int = 0) {
        self.backlog = backlog
        self.valuesHandedOff = valuesHandedOff
        self.busyAnswersReceived = busyAnswersReceived
        self.busyAnswersSent = busyAnswersSent
        self.queriesRefused = queriesRefused
        self.upkeepAbandoned = upkeepAbandoned
        self.storesRefused = storesRefused
    }

    /// Whether there is anything to say.
    public var isQuiet: Bool { self == UpkeepStatus() }
}

extension NodeStatus {
    /// This status with `upkeep` filled in.
    func with(upkeep: UpkeepStatus) -> NodeStatus {
        var status = self
        status.upkeep = upkeep
        return status
    }
}

/// Where a node keeps its state, for `status`.
public struct StorageStatus: Sendable, Equatable {
    /// The data directory.
    public var directory: String
    /// The journal's size on disk.
    public var journalBytes: Int
    /// How soon writes reach the disk.
    public var fsync: FsyncPolicy
    /// Why writes are failing, while they are.
    public var failure: String?
}

/// A value found by `get`, with its version.
public struct FoundValue: Sendable, Equatable {
    public var value: [UInt8]
    public var seq: Int64
    /// A tombstone: the key was deleted as of `seq` (lookups see these; `get` never returns one).
    public var isDeleted: Bool

    public init(value: [UInt8], seq: Int64, isDeleted: Bool = false) {
        self.value = value
        self.seq = seq
        self.isDeleted = isDeleted
    }

    /// The version held in `stored`.
    init(_ stored: StoredValue) {
        self.init(value: stored.value, seq: stored.seq, isDeleted: stored.isTombstone)
    }

    /// Whether this version wins over `other` by the versioning rules: higher seq, then a
    /// tombstone over a value, then higher bytes.
    public func supersedes(_ other: FoundValue) -> Bool {
        if seq != other.seq { return seq > other.seq }
        if isDeleted != other.isDeleted { return isDeleted }
        return other.value.lexicographicallyPrecedes(value)
    }
}
