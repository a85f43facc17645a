/// A value held for a target, with its version and lifetime.
public struct StoredValue: Sendable, Equatable {
    public var value: [UInt8]
    public var seq: Int64
    /// The user key the target was hashed from, when the writer sent it.
    public var key: [UInt8]?
    public var storedAt: Timestamp
    public var expiresAt: Timestamp
}

/// What a store request did.
public enum StoreOutcome: Sendable, Equatable {
    /// The value is now the one held (new, newer, or the same one refreshed).
    case stored
    /// An equal `seq` whose bytes sort lower: the held value wins and stays.
    case keptExisting
    /// A lower `seq` than the one held: refused (error 302), nothing changed.
    case rejectedOlder(current: Int64)
}

/// The in-memory store of values keyed by target, honouring the versioning rules:
/// higher `seq` wins; on equal `seq` the bytes that sort higher win, so every
/// replica converges on the same value whatever order the writes arrive in.
public struct ValueStore: Sendable {
    /// The longest a value lives after its last store, and the default.
    public let maximumLifetime: Duration
    private var entries: [NodeID: StoredValue] = [:]

    public init(maximumLifetime: Duration = .seconds(86_400)) {
        self.maximumLifetime = maximumLifetime
    }

    /// Stores a value unless the versioning rules keep the held one.
    public mutating func store(
        _ value: [UInt8], seq: Int64, for target: NodeID, key: [UInt8]? = nil,
        ttl: Duration? = nil, now: Timestamp
    ) -> StoreOutcome {
        let lifetime = min(ttl ?? maximumLifetime, maximumLifetime)
        if let held = self.value(for: target, now: now) {
            if seq < held.seq { return .rejectedOlder(current: held.seq) }
            if seq == held.seq, held.value.lexicographicallyPrecedes(value) == false {
                guard held.value == value else { return .keptExisting }
            }
        }
        entries[target] = StoredValue(
            value: value, seq: seq, key: key ?? entries[target]?.key,
            storedAt: now, expiresAt: now + lifetime)
        return .stored
    }

    /// The live value for a target, if any.
    public func value(for target: NodeID, now: Timestamp) -> StoredValue? {
        guard let held = entries[target], held.expiresAt > now else { return nil }
        return held
    }

    /// Drops every value whose lifetime has passed; returns how many.
    @discardableResult
    public mutating func removeExpired(now: Timestamp) -> Int {
        let before = entries.count
        entries = entries.filter { $0.value.expiresAt > now }
        return before - entries.count
    }

    /// Removes the value for a target.
    public mutating func remove(_ target: NodeID) {
        entries[target] = nil
    }

    /// When the first held value expires, if any is held.
    public var earliestExpiry: Timestamp? { entries.values.lazy.map(\.expiresAt).min() }

    /// The number of values held, live or not yet swept.
    public var count: Int { entries.count }

    /// Every target with a live value.
    public func targets(now: Timestamp) -> [NodeID] {
        entries.compactMap { $0.value.expiresAt > now ? $0.key : nil }
    }
}
