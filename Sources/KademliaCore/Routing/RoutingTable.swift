/// What happened when a contact was offered to the routing table.
public enum InsertOutcome: Equatable, Sendable {
    /// A new contact took a free place.
    case added
    /// A known contact moved to the most-recently-seen end.
    case refreshed
    /// The bucket is full: the newcomer waits in the replacement cache, and the
    /// caller should ping `oldest` (if it has been quiet a while) and report a
    /// failure if it does not answer.
    case full(oldest: RoutingEntry)
    /// Our own id, or a known id claiming a different address.
    case ignored
    /// Its host already holds its places in the table, or its /24 its places in the
    /// bucket (`RoutingDiversity`): one machine or network cannot fill a bucket.
    case refused
}

/// How many places one host and one network may take (see `TrafficSource`).
public struct RoutingDiversity: Sendable, Equatable {
    /// Contacts one host may hold in the whole table.
    public var perHost: Int
    /// Contacts one /24 may hold in one bucket.
    public var perNetworkPerBucket: Int
    /// Count each loopback address and port as its own host.
    public var relaxLoopback: Bool

    public init(perHost: Int, perNetworkPerBucket: Int, relaxLoopback: Bool) {
        self.perHost = perHost
        self.perNetworkPerBucket = perNetworkPerBucket
        self.relaxLoopback = relaxLoopback
    }

    /// No limits: for tests of the table's other rules.
    public static let unlimited = RoutingDiversity(perHost: .max, perNetworkPerBucket: .max, relaxLoopback: true)
}

/// The 160-bucket XOR-metric routing table of a node. Plain value, no I/O: the node
/// pings and reports back.
public struct RoutingTable: Sendable {
    public let localID: NodeID
    /// Bucket size (K).
    public let bucketSize: Int
    /// Failures after which a contact is dropped even with no replacement waiting.
    public let failureLimit: Int
    /// Contacts each full bucket keeps waiting for a place.
    public let replacementCapacity: Int
    /// Buckets `firstStored` through 159. The ones below hold nobody and no lookup has gone
    /// into them, so they are not stored: all but the last ~log2(N/K) of the 160 would be
    /// empty, and storing them cost every node 4 KiB.
    private var buckets: [KBucket] = []
    private var firstStored = NodeID.bitCount
    /// When the table began: the refresh time of a bucket not stored yet.
    private let createdAt: Timestamp
    public private(set) var count = 0
    /// The places hosts and networks may take.
    public let diversity: RoutingDiversity
    /// The hosts that hold places, for the per-host limit.
    private var hostFilter = HostFilter()
    /// The clock entries keep their last-seen times on.
    private var seenClock: SeenClock
    /// Every bucket below this index is empty. Buckets near our own id are empty in all but
    /// huge networks, so `closest`, which runs for every query answered, starts here.
    private var lowestOccupied = NodeID.bitCount

    public init(localID: NodeID, bucketSize: Int = 8, failureLimit: Int = 2, replacementCapacity: Int = 3,
                diversity: RoutingDiversity = .unlimited, now: Timestamp) {
        self.localID = localID
        self.diversity = diversity
        self.bucketSize = bucketSize
        self.failureLimit = failureLimit
        self.replacementCapacity = replacementCapacity
        createdAt = now
        seenClock = SeenClock(base: now)
    }

    /// How many buckets are stored: those from the lowest in use (or looked up) to 159.
    package var storedBuckets: Int { buckets.count }

    /// The entries of bucket `index`.
    private func entries(_ index: Int) -> ArraySlice<StoredEntry> {
        index >= firstStored ? buckets[index - firstStored].entries : []
    }

    /// The most a bucket holds: its contacts and its replacements.
    private var bucketCapacity: Int { bucketSize + replacementCapacity }

    /// The tick `now` falls in on the entries' clock, moving the clock on first if it is near its end.
    private mutating func seenTick(_ now: Timestamp) -> UInt32 {
        while seenClock.tick(of: now) >= SeenClock.rebaseAfter {
            seenClock.advance()
            for position in buckets.indices { buckets[position].advanceTicks() }
        }
        return seenClock.tick(of: now)
    }

    /// The position of bucket `index` in `buckets`, storing it (and the empty ones between)
    /// first if need be: for a change to it.
    private mutating func stored(_ index: Int) -> Int {
        if index < firstStored {
            buckets.insert(contentsOf: repeatElement(KBucket(now: createdAt), count: firstStored - index), at: 0)
            firstStored = index
        }
        return index - firstStored
    }

    /// Offers a contact that answered us or sent us a valid query; `speaksOurMethods`: it
    /// said (in `v`) that it is one of ours.
    public mutating func insert(_ contact: Contact, now: Timestamp, speaksOurMethods: Bool = false) -> InsertOutcome {
        guard let index = localID.bucketIndex(of: contact.id) else { return .ignored }
        let tick = seenTick(now)
        if index >= firstStored {
            if buckets[index - firstStored].refresh(contact, seenTick: tick, speaksOurMethods: speaksOurMethods) { return .refreshed }
            if buckets[index - firstStored].index(of: contact.id) != nil { return .ignored }
        }
        if !hasRoom(for: contact.address, in: index) { return .refused }
        let position = stored(index)
        if buckets[position].entries.count < bucketSize {
            buckets[position].append(StoredEntry(contact: contact, seenTick: tick, speaksOurMethods: speaksOurMethods),
                                     most: bucketCapacity)
            addHost(of: contact)
            count += 1
            lowestOccupied = min(lowestOccupied, index)
            return .added
        }
        buckets[position].cacheReplacement(contact, seenTick: tick, capacity: replacementCapacity, most: bucketCapacity)
        guard let oldest = buckets[position].entries.first else { return .refused }
        return .full(oldest: oldest.entry(on: seenClock))
    }

    /// pymdht's `nice_rtt`: in a full bucket, trades the slowest contact for `contact`, which
    /// just answered in `roundTrip`, when the slowest's round trip is more than twice that
    /// and 50 ms more (so the jitter of a LAN or loopback never churns a bucket). The slow
    /// one waits in the replacement cache. Returns whether the trade was made.
    public mutating func tradeForFaster(_ contact: Contact, roundTrip: Duration, now: Timestamp, speaksOurMethods: Bool = false) -> Bool {
        // Cheapest test first: it runs for every reply, and most buckets hold nobody that slow.
        guard let index = localID.bucketIndex(of: contact.id), index >= firstStored else { return false }
        let position = index - firstStored
        guard buckets[position].entries.count >= bucketSize,
              let slowest = buckets[position].slowest(slowerThan: max(roundTrip * 2, roundTrip + .milliseconds(50))),
              buckets[position].index(of: contact.id) == nil, hasRoom(for: contact.address, in: index) else { return false }
        let slow = buckets[position].entries[slowest].contact
        let entry = StoredEntry(contact: contact, seenTick: seenTick(now), roundTrip: roundTrip, speaksOurMethods: speaksOurMethods)
        buckets[position].trade(slowest, for: entry, capacity: replacementCapacity, most: bucketCapacity)
        removeHost(of: slow)
        addHost(of: contact)
        return true
    }

    /// Records an unanswered query; returns whether the contact was dropped.
    @discardableResult
    public mutating func recordFailure(of id: NodeID) -> Bool {
        guard let index = localID.bucketIndex(of: id), index >= firstStored else { return false }
        let replaceable = replacementToPromote(in: index) != nil
        guard let removed = buckets[index - firstStored].recordFailure(of: id, limit: failureLimit, replaceable: replaceable) else {
            return false
        }
        noteRemoval(of: removed, from: index)
        return true
    }

    /// Removes a contact outright, promoting a replacement if one waits.
    @discardableResult
    public mutating func remove(_ id: NodeID) -> Bool {
        guard let index = localID.bucketIndex(of: id), index >= firstStored,
              let removed = buckets[index - firstStored].remove(id) else { return false }
        noteRemoval(of: removed, from: index)
        return true
    }

    /// The host `address` counts as.
    private func host(_ address: SocketAddress) -> TrafficSource {
        .host(address, relaxLoopback: diversity.relaxLoopback)
    }

    /// Whether a newcomer at `address` may take a place in bucket `index`.
    private func hasRoom(for address: SocketAddress, in index: Int) -> Bool {
        if diversity.perHost < .max {
            guard placesHeld(by: host(address)) < diversity.perHost else { return false }
        }
        guard diversity.perNetworkPerBucket < bucketSize else { return true }
        let network = TrafficSource.network(address, relaxLoopback: diversity.relaxLoopback)
        let sameNetwork = entries(index).count {
            TrafficSource.network($0.contact.address, relaxLoopback: diversity.relaxLoopback) == network
        }
        return sameNetwork < diversity.perNetworkPerBucket
    }

    /// The places `source` holds in the table: none if the filter says so, else counted.
    private func placesHeld(by source: TrafficSource) -> Int {
        guard hostFilter.mayContain(source.bits) else { return 0 }
        return buckets.reduce(0) { held, bucket in held + bucket.entries.count { host($0.contact.address).bits == source.bits } }
    }

    /// Counts a place taken by `contact`'s host.
    private mutating func addHost(of contact: Contact) {
        hostFilter.insert(host(contact.address).bits)
    }

    /// Gives back a place `contact`'s host held; after enough, builds the filter afresh from the contacts left.
    private mutating func removeHost(of contact: Contact) {
        hostFilter.noteRemoval()
        guard hostFilter.removalsSinceBuilt >= HostFilter.staleAfter else { return }
        hostFilter.clear()
        for bucket in buckets {
            for entry in bucket.entries { hostFilter.insert(host(entry.contact.address).bits) }
        }
    }

    /// After `removed` left bucket `index`: promotes the newest replacement that may take a
    /// place as a newcomer could (its host may have taken one elsewhere since it waited),
    /// and brings `count`, the hosts and `lowestOccupied` up to date.
    private mutating func noteRemoval(of removed: Contact, from index: Int) {
        removeHost(of: removed)
        let position = index - firstStored
        if let chosen = replacementToPromote(in: index) {
            addHost(of: buckets[position].promote(chosen))
            return
        }
        count -= 1
        noteEmptied(index)
    }

    /// The newest replacement in bucket `index` that may take a place as a newcomer could.
    private func replacementToPromote(in index: Int) -> Int? {
        buckets[index - firstStored].replacements.lastIndex { hasRoom(for: $0.contact.address, in: index) }
    }

    /// Moves `lowestOccupied` up past bucket `index` if a removal left it empty.
    private mutating func noteEmptied(_ index: Int) {
        guard index == lowestOccupied, entries(index).isEmpty else { return }
        lowestOccupied = (index..<NodeID.bitCount).first { !entries($0).isEmpty } ?? NodeID.bitCount
    }

    /// How many contacts lie in the buckets below `bucket`, nearer this node than any id in
    /// it: to every target in those buckets they are all nearer than such an id.
    public func count(below bucket: Int) -> Int {
        let end = min(bucket, NodeID.bitCount) - firstStored
        guard end > 0 else { return 0 }
        return buckets[..<end].reduce(0) { $0 + $1.entries.count }
    }

    public func contains(_ id: NodeID) -> Bool {
        guard let index = localID.bucketIndex(of: id), index >= firstStored else { return false }
        return buckets[index - firstStored].index(of: id) != nil
    }

    /// The entry for an id, if the table holds it.
    public func entry(for id: NodeID) -> RoutingEntry? {
        guard let index = localID.bucketIndex(of: id), index >= firstStored,
              let position = buckets[index - firstStored].index(of: id) else { return nil }
        return buckets[index - firstStored].entries[position].entry(on: seenClock)
    }

    /// The `limit` contacts closest to `target` by XOR distance, closest first.
    ///
    /// Seen from the target, bucket `b` (the target's own) holds everything nearer than
    /// 2^b, every lower bucket lies in [2^b, 2^(b+1)), and each higher bucket i in
    /// [2^i, 2^(i+1)); so sorting those groups separately and concatenating them in that
    /// order is the global order, and we can stop once enough are gathered.
    public func closest(to target: NodeID, limit: Int) -> [Contact] {
        var result = [Contact]()
        result.reserveCapacity(limit)
        // Every query answered runs this, so one scratch buffer serves all the groups.
        var group: [(distance: Distance, contact: Contact)] = []
        group.reserveCapacity(bucketSize * 2)
        func take(_ bucketRange: Range<Int>) {
            guard result.count < limit else { return }
            group.removeAll(keepingCapacity: true)
            for index in bucketRange {
                for entry in buckets[index - firstStored].entries { group.append((entry.contact.id.distance(to: target), entry.contact)) }
            }
            if group.count > 1 { group.sort { $0.distance < $1.distance } }
            for member in group.prefix(limit - result.count) { result.append(member.contact) }
        }
        let own = localID.bucketIndex(of: target) ?? -1
        // Everything occupied is stored (lowestOccupied >= firstStored), and only that is read.
        if own >= lowestOccupied {
            take(own..<own + 1)
            if lowestOccupied < own { take(lowestOccupied..<own) }
        }
        var index = max(own + 1, lowestOccupied)
        while index < NodeID.bitCount, result.count < limit {
            take(index..<index + 1)
            index += 1
        }
        return result
    }

    /// Up to `limit` contacts quiet for `after` or longer, least recently seen first, leaving
    /// out `skipping` (those already being pinged): the ones to ping before relying on them.
    public func questionable(now: Timestamp, after: Duration, limit: Int, skipping: Set<NodeID> = []) -> [Contact] {
        // Quiet since `cutoff` or longer is a tick at most `lastQuiet`: every maintenance pass
        // of every node runs this, so the test per entry is one comparison of integers.
        let cutoff = now - after
        guard cutoff >= seenClock.base else { return [] }
        let lastQuiet = seenClock.tick(of: cutoff)
        var quiet: [StoredEntry] = []
        for bucket in buckets[max(lowestOccupied - firstStored, 0)...] {
            for entry in bucket.entries where entry.seenTick <= lastQuiet && !skipping.contains(entry.contact.id) {
                quiet.append(entry)
            }
        }
        return quiet.sorted { $0.seenTick < $1.seenTick }.prefix(limit).map(\.contact)
    }

    /// Every contact in the table.
    public var contacts: [Contact] { buckets.flatMap { $0.entries.map(\.contact) } }

    /// Every entry with its bucket index, by ascending bucket, least recently seen first.
    public var entriesByBucket: [(bucket: Int, entry: RoutingEntry)] {
        buckets.indices.flatMap { position in buckets[position].entries.map { (firstStored + position, $0.entry(on: seenClock)) } }
    }

    /// Notes the round trip of an answer from `id`, if the table holds it, and whether it
    /// said it is one of ours (see `RoutingEntry`).
    public mutating func noteRoundTrip(_ roundTrip: Duration, of id: NodeID, speaksOurMethods: Bool = false) {
        guard let index = localID.bucketIndex(of: id), index >= firstStored else { return }
        buckets[index - firstStored].noteRoundTrip(roundTrip, of: id, speaksOurMethods: speaksOurMethods)
    }

    /// The number of contacts in each non-empty bucket, by ascending index.
    public var bucketCounts: [(index: Int, count: Int)] {
        buckets.indices.compactMap { buckets[$0].entries.isEmpty ? nil : (firstStored + $0, buckets[$0].entries.count) }
    }

    /// The number of replacements waiting in each bucket that has any, by ascending index.
    public var replacementCounts: [(index: Int, count: Int)] {
        buckets.indices.compactMap { buckets[$0].replacements.isEmpty ? nil : (firstStored + $0, buckets[$0].replacements.count) }
    }

    /// Notes that a lookup went into the range of the bucket holding `target`.
    public mutating func noteLookup(toward target: NodeID, now: Timestamp) {
        guard let index = localID.bucketIndex(of: target) else { return }
        buckets[stored(index)].lastLookup = now
    }

    /// When the first non-empty bucket falls due for refresh, if any is non-empty.
    public func nextRefresh(interval: Duration) -> Timestamp? {
        buckets.lazy.filter { !$0.entries.isEmpty }.map { $0.lastLookup + interval }.min()
    }

    /// Indexes of non-empty buckets no lookup has gone into for `interval`. Empty
    /// buckets nearer than any contact are covered by the lookup of our own id.
    public func bucketsNeedingRefresh(now: Timestamp, interval: Duration) -> [Int] {
        buckets.indices.filter { !buckets[$0].entries.isEmpty && now - buckets[$0].lastLookup >= interval }.map { firstStored + $0 }
    }
}

extension RoutingTable {
    /// Heap bytes the table holds: its buckets, their entries and replacements.
    package var footprint: Int {
        buckets.reduce(Footprint.of(buckets)) { $0 + $1.footprint }
    }
}
