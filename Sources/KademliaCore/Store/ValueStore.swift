/// A value or tombstone held for a target, with its version and lifetime.
public struct StoredValue: Sendable, Equatable {
    public var value: [UInt8]
    public var seq: Int64
    /// The user key the target was hashed from, when the writer sent it.
    public var key: [UInt8]?
    /// A tombstone: the key was deleted as of `seq`, and `value` is empty.
    public var isTombstone: Bool
    public var storedAt: Timestamp
    public var expiresAt: Timestamp

    /// A version held from `storedAt` until `expiresAt`.
    package init(value: [UInt8], seq: Int64, key: [UInt8]? = nil, isTombstone: Bool, storedAt: Timestamp, expiresAt: Timestamp) {
        self.value = value
        self.seq = seq
        self.key = key
        self.isTombstone = isTombstone
        self.storedAt = storedAt
        self.expiresAt = expiresAt
    }

    /// Whole seconds left, rounded down, so a copy that carries it on never outlives this one.
    public func remainingSeconds(now: Timestamp) -> Int64 {
        max(0, (expiresAt - now).totalNanoseconds / 1_000_000_000)
    }

    /// Whether `other` is this very version: same seq, same kind, same bytes.
    package func isSameVersion(as other: StoredValue) -> Bool {
        seq == other.seq && isTombstone == other.isTombstone && value == other.value
    }
}

/// What a store request did.
public enum StoreOutcome: Sendable, Equatable {
    /// A version new to this node is now the one held.
    case stored
    /// The version held already; its expiry moved to the later of the two.
    case refreshed
    /// An equal `seq` that loses the tie: the held version wins and stays.
    case keptExisting
    /// A lower `seq` than the one held: refused (error 302), nothing changed.
    case rejectedOlder(current: Int64)

    /// Whether the node now holds the version that was offered.
    public var holdsOffered: Bool { self == .stored || self == .refreshed }
}

/// The in-memory store of values and tombstones keyed by target.
///
/// Versions: higher `seq` wins; on equal `seq` a tombstone beats a value and of two values
/// the bytes that sort higher win, so every replica converges whatever order writes arrive
/// in. Lifetimes: a store never shortens what is held, and is capped at `maximumLifetime`.
/// Expiry and replication are scheduled on heaps, so each costs O(log n) per value.
public struct ValueStore: Sendable {
    /// The largest value a node stores, in bytes (PROTOCOL.md).
    public static let maxValueSize = 1000

    /// The longest a value lives after its last store, and the default.
    public let maximumLifetime: Duration
    /// How long after a value last arrived or was replicated this holder replicates it.
    public let replicationInterval: Duration

    package struct Entry: Sendable {
        package var stored: StoredValue
        package var replicateAt: Timestamp
        /// Contacts known to hold this version, and when that was last confirmed.
        package var holders: [NodeID: Timestamp] = [:]
        /// Newcomers another holder was seen handing this value, and when: rounds do not
        /// offer it to them while a confirmation then would spare them, but nothing else
        /// counts them holders (`NodeState.presumeHandedOff`).
        package var presumedHolders: [NodeID: Timestamp] = [:]
        /// Whether this node has been among the K closest while holding it: a replica,
        /// which it replicates and hands on, rather than a copy cached along a lookup's
        /// path, which it only serves until it expires.
        package var isReplica = true
        /// Who stored this version, as the quotas count it; nil for this node's own writes.
        package var source: TrafficSource?

        /// What it is charged against the limits.
        package var cost: Int { StoreUsage.cost(of: stored) }
    }

    package internal(set) var entries: [NodeID: Entry] = [:]
    /// What is held, in all and per source, for the quotas (`StoreQuota.swift`).
    package private(set) var usage = StoreUsage()
    private var expiries = DeadlineHeap<NodeID>()
    private var replications = DeadlineHeap<NodeID>()
    /// Whether to note the targets whose entry changed, for the journal to record.
    package var tracksChanges = false
    /// Targets changed since `takeChangedTargets`; expiry needs no record, so it adds none.
    package private(set) var changedTargets: Set<NodeID> = []
    /// Targets someone listens to (`ListenerTable`); a new version of one is noted in
    /// `newVersions`. Empty, as nearly always, it costs each change one check.
    package var watched: Set<NodeID> = []
    /// Watched targets that took a new version (not a refreshed copy) since `takeNewVersions`.
    package private(set) var newVersions: [NodeID] = []

    public init(maximumLifetime: Duration = .seconds(86_400), replicationInterval: Duration = .seconds(3600)) {
        self.maximumLifetime = maximumLifetime
        self.replicationInterval = replicationInterval
    }

    /// Stores a value (or a tombstone) unless the versioning rules keep the held one.
    /// `from` is a contact that holds the version too (the sender of a `store`); the next
    /// replication is due one interval plus `replicationDelay` from now. `asReplica` is false
    /// when this node is not among the key's K closest, so the copy is a cache.
    public mutating func store(
        _ value: [UInt8], seq: Int64, for target: NodeID, key: [UInt8]? = nil, ttl: Duration? = nil,
        tombstone: Bool = false, now: Timestamp, from holder: NodeID? = nil, replicationDelay: Duration = .zero,
        asReplica: Bool = true, source: TrafficSource? = nil
    ) -> StoreOutcome {
        let lifetime = max(.zero, min(ttl ?? maximumLifetime, maximumLifetime))
        var offered = StoredValue(value: tombstone ? [] : value, seq: seq, key: key, isTombstone: tombstone,
                                  storedAt: now, expiresAt: now + lifetime)
        // A zero lifetime stores nothing, and must not displace what is held either.
        guard lifetime > .zero else { return .keptExisting }
        var entry: Entry
        let outcome: StoreOutcome
        let previous = entries[target]
        if var held = live(target, now: now) {
            if offered.isSameVersion(as: held.stored) {
                held.stored.expiresAt = max(held.stored.expiresAt, offered.expiresAt)
                held.stored.storedAt = now
                if held.stored.key == nil { held.stored.key = key }
                entry = held
                outcome = .refreshed
            } else if Self.wins(offered, over: held.stored) {
                offered.key = key ?? held.stored.key
                entry = Entry(stored: offered, replicateAt: now, source: source)
                outcome = .stored
            } else {
                return seq < held.stored.seq ? .rejectedOlder(current: held.stored.seq) : .keptExisting
            }
        } else {
            entry = Entry(stored: offered, replicateAt: now, source: source)
            outcome = .stored
        }
        entry.isReplica = asReplica || entries[target]?.isReplica == true
        entry.replicateAt = now + replicationInterval + replicationDelay
        if let holder { entry.holders[holder] = now }
        replace(target, with: entry)
        // Push only deadlines that moved: a pair equal to the current one would count as
        // current too, and could never be told apart and dropped.
        if previous?.stored.expiresAt != entry.stored.expiresAt { expiries.push(entry.stored.expiresAt, target) }
        if previous?.replicateAt != entry.replicateAt { replications.push(entry.replicateAt, target) }
        compactSchedules()
        return outcome
    }

    /// Whether `offered` beats `held` by the versioning rules.
    package static func wins(_ offered: StoredValue, over held: StoredValue) -> Bool {
        if offered.seq != held.seq { return offered.seq > held.seq }
        if offered.isTombstone != held.isTombstone { return offered.isTombstone }
        return held.value.lexicographicallyPrecedes(offered.value)
    }

    /// The live value or tombstone for a target, if any.
    public func entry(for target: NodeID, now: Timestamp) -> StoredValue? {
        live(target, now: now)?.stored
    }

    /// The live value for a target, if any; tombstones read as nothing.
    public func value(for target: NodeID, now: Timestamp) -> StoredValue? {
        guard let held = live(target, now: now)?.stored, !held.isTombstone else { return nil }
        return held
    }

    private func live(_ target: NodeID, now: Timestamp) -> Entry? {
        guard let held = entries[target], held.stored.expiresAt > now else { return nil }
        return held
    }

    /// Drops every value and tombstone whose lifetime has passed; returns how many.
    @discardableResult
    public mutating func removeExpired(now: Timestamp) -> Int {
        var removed = 0
        while let due = expiries.popDue(now: now) {
            guard let held = entries[due.target], held.stored.expiresAt == due.deadline else { continue }
            replace(due.target, with: nil, journaled: false)
            removed += 1
        }
        return removed
    }

    /// Removes what is held for a target.
    public mutating func remove(_ target: NodeID) {
        replace(target, with: nil)
    }

    /// The one place an entry comes or goes, so the quotas' tally and the journal always match.
    private mutating func replace(_ target: NodeID, with entry: Entry?, journaled: Bool = true) {
        let old = entries[target]
        if let old { usage.remove(old, target) }
        if !watched.isEmpty, let entry, watched.contains(target), old.map({ !$0.stored.isSameVersion(as: entry.stored) }) ?? true {
            newVersions.append(target)
        }
        entries[target] = entry
        if let entry { usage.add(entry, target) }
        if tracksChanges && journaled { changedTargets.insert(target) }
    }

    /// The watched targets that took a new version since the last call, and forgets them.
    package mutating func takeNewVersions() -> [NodeID] {
        defer { newVersions = [] }
        return newVersions
    }

    /// The targets changed since the last call, and forgets them.
    package mutating func takeChangedTargets() -> Set<NodeID> {
        defer { changedTargets = [] }
        return changedTargets
    }

    /// What is held for `target` with its replica flag, live or not yet swept, for the journal.
    package func journaled(_ target: NodeID) -> (stored: StoredValue, isReplica: Bool)? {
        entries[target].map { ($0.stored, $0.isReplica) }
    }

    /// Puts back a version the journal recorded, as it was: the journal's last word on a
    /// target is the truth, so no versioning rule or quota applies. Replication is due at
    /// `replicateAt`.
    package mutating func restore(_ stored: StoredValue, for target: NodeID, isReplica: Bool, replicateAt: Timestamp) {
        var entry = Entry(stored: stored, replicateAt: replicateAt)
        entry.isReplica = isReplica
        replace(target, with: entry, journaled: false)
        expiries.push(stored.expiresAt, target)
        replications.push(replicateAt, target)
    }

    /// Targets whose replication is due at `now`, each once. They are not due again until
    /// `markReplicated`, a deferral or a new store schedules them.
    public mutating func dueForReplication(now: Timestamp) -> [NodeID] {
        var due: [NodeID] = []
        var seen: Set<NodeID> = []
        while let next = replications.popDue(now: now) {
            guard let held = live(next.target, now: now), held.replicateAt == next.deadline,
                  seen.insert(next.target).inserted else { continue }
            due.append(next.target)
        }
        return due
    }

    /// Puts the next replication of `target` off until `instant`, if it was due sooner.
    public mutating func deferReplication(of target: NodeID, until instant: Timestamp) {
        guard let held = entries[target], held.replicateAt < instant else { return }
        // (Strictly later, so never a duplicate of the current pair.)
        entries[target]?.replicateAt = instant
        replications.push(instant, target)
        compactSchedules()
    }

    /// Schedules the next replication of `target` one interval after `now`.
    public mutating func markReplicated(_ target: NodeID, now: Timestamp) {
        let next = now + replicationInterval
        guard let held = entries[target], held.replicateAt != next else { return }
        entries[target]?.replicateAt = next
        replications.push(next, target)
    }

    /// Whether the copy of `target` held here is a replica rather than a cache.
    public func isReplica(_ target: NodeID) -> Bool { entries[target]?.isReplica ?? false }

    /// Marks the copy of `target` a replica: this node is among its K closest.
    public mutating func markReplica(_ target: NodeID) {
        guard entries[target]?.isReplica == false else { return }
        entries[target]?.isReplica = true
        usage.caches.remove(target)
        if tracksChanges { changedTargets.insert(target) }
    }

    /// When the next value or tombstone may expire, if any is held (never late, maybe early).
    public var earliestExpiry: Timestamp? { expiries.earliest }

    /// When the next replication may fall due, if any value is held (never late, maybe early).
    public var earliestReplication: Timestamp? { replications.earliest }

    /// The number of values and tombstones held, live or not yet swept.
    public var count: Int { entries.count }

    /// Every target with a live value (tombstones excluded).
    public func targets(now: Timestamp) -> [NodeID] {
        entries.compactMap { $0.value.stored.expiresAt > now && !$0.value.stored.isTombstone ? $0.key : nil }
    }

    /// Every live value and tombstone, in ascending order of target: what is sent for them
    /// then goes out in the same order in every process, where a dictionary's order changes
    /// with Swift's per-process hash seed (and a simulation's seed would not fix its run).
    public func all(now: Timestamp) -> [(target: NodeID, stored: StoredValue)] {
        var held: [(target: NodeID, stored: StoredValue)] = entries.compactMap {
            $0.value.stored.expiresAt > now ? ($0.key, $0.value.stored) : nil
        }
        held.sort { $0.target < $1.target }
        return held
    }

    /// Live tombstones held.
    public func tombstoneCount(now: Timestamp) -> Int {
        entries.values.count { $0.stored.isTombstone && $0.stored.expiresAt > now }
    }

    /// Live values (not tombstones) that expire before `now + window`.
    public func valuesExpiring(within window: Duration, now: Timestamp) -> Int {
        entries.values.count { !$0.stored.isTombstone && $0.stored.expiresAt > now && $0.stored.expiresAt <= now + window }
    }

    /// Keeps each schedule within a constant factor of the entries it covers.
    private mutating func compactSchedules() {
        let limit = 2 * entries.count + 64
        let entries = self.entries
        expiries.compact(limit: limit) { entries[$1]?.stored.expiresAt == $0 }
        replications.compact(limit: limit) { entries[$1]?.replicateAt == $0 }
    }
}

extension ValueStore {
    /// Heap bytes the store holds: its table, each value's bytes, key and holders (known
    /// and presumed), its schedules and its per-source usage.
    package var footprint: Int {
        let values = entries.values.reduce(0) { total, entry in
            total + Footprint.of(entry.stored.value) + Footprint.of(entry.stored.key ?? []) + Footprint.of(entry.holders)
                + Footprint.of(entry.presumedHolders)
        }
        return Footprint.of(entries) + values + expiries.footprint + replications.footprint + Footprint.of(changedTargets)
            + Footprint.of(watched) + Footprint.of(newVersions) + Footprint.of(usage.bySource) + Footprint.of(usage.caches)
    }
}
