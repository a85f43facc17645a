/// A value this node's user put, which this node republishes while it runs.
public struct Publication: Sendable, Equatable {
    public var key: [UInt8]
    public var value: [UInt8]
    public var seq: Int64
    /// When the user's TTL runs out; nil when the value lives as long as it is republished.
    public var endsAt: Timestamp?
    /// When the next republication is due.
    public var republishAt: Timestamp

    /// A put to republish at `republishAt`, until `endsAt` if its TTL ends.
    package init(key: [UInt8], value: [UInt8], seq: Int64, endsAt: Timestamp? = nil, republishAt: Timestamp) {
        self.key = key
        self.value = value
        self.seq = seq
        self.endsAt = endsAt
        self.republishAt = republishAt
    }

    /// The lifetime a republication at `now` gives the value: the full `lifetime`,
    /// cut short by the TTL; nil once the TTL has passed.
    public func lifetime(_ lifetime: Duration, now: Timestamp) -> Duration? {
        guard let endsAt else { return lifetime }
        guard endsAt > now else { return nil }
        return min(lifetime, endsAt - now)
    }
}

/// The publisher's side of a value's life: what this node put, and when each is due to be
/// stored afresh. Republishing is the only thing that extends a value's life, so it
/// happens here and nowhere else; holders only pass on what remains.
public struct Publications: Sendable {
    /// How long after a publication the value is published again.
    public let interval: Duration
    private var entries: [NodeID: Publication] = [:]
    private var schedule = DeadlineHeap<NodeID>()
    /// Whether to note the targets whose publication changed, for the journal to record.
    package var tracksChanges = false
    /// Targets published, moved on or withdrawn since `takeChangedTargets`.
    package private(set) var changedTargets: Set<NodeID> = []

    public init(interval: Duration = .seconds(86_400)) {
        self.interval = interval
    }

    /// Records a put of `value` at `now`; `ttl` bounds its whole life.
    public mutating func publish(key: [UInt8], value: [UInt8], seq: Int64, ttl: Duration?, for target: NodeID, now: Timestamp) {
        restore(Publication(key: key, value: value, seq: seq, endsAt: ttl.map { now + $0 }, republishAt: now + interval), for: target)
        noteChange(target)
    }

    /// Puts back a publication the journal recorded, due again at its `republishAt`.
    package mutating func restore(_ publication: Publication, for target: NodeID) {
        entries[target] = publication
        schedule.push(publication.republishAt, target)
        schedule.compact(limit: 2 * entries.count + 64) { [entries] in entries[$1]?.republishAt == $0 }
    }

    /// Stops republishing `target` (deleted, overwritten by someone else, or past its TTL).
    public mutating func withdraw(_ target: NodeID) {
        guard entries.removeValue(forKey: target) != nil else { return }
        noteChange(target)
    }

    /// The targets changed since the last call, and forgets them.
    package mutating func takeChangedTargets() -> Set<NodeID> {
        defer { changedTargets = [] }
        return changedTargets
    }

    private mutating func noteChange(_ target: NodeID) {
        if tracksChanges { changedTargets.insert(target) }
    }

    /// The publication for `target`, if this node republishes it.
    public func publication(for target: NodeID) -> Publication? { entries[target] }

    /// Publications due at `now`, each moved on one interval. Ones whose TTL has passed
    /// are withdrawn instead of returned.
    public mutating func takeDue(now: Timestamp) -> [(target: NodeID, publication: Publication)] {
        var due: [(NodeID, Publication)] = []
        while let next = schedule.popDue(now: now) {
            guard var entry = entries[next.target], entry.republishAt == next.deadline else { continue }
            // Past its TTL: the journal drops it at load without being told.
            if let endsAt = entry.endsAt, endsAt <= now {
                entries[next.target] = nil
                continue
            }
            due.append((next.target, entry))
            entry.republishAt = now + interval
            entries[next.target] = entry
            schedule.push(entry.republishAt, next.target)
            noteChange(next.target)
        }
        return due
    }

    /// When the next republication may fall due (never late, maybe early).
    public var earliest: Timestamp? { schedule.earliest }

    /// How many values this node publishes.
    public var count: Int { entries.count }

    /// Every publication, by target.
    package var all: [(target: NodeID, publication: Publication)] { entries.map { ($0.key, $0.value) } }
}
