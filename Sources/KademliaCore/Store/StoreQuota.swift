/// What a store holds, in all and per source, so a quota check costs O(1).
package struct StoreUsage: Sendable {
    /// Values and bytes charged to one source.
    package struct Tally: Sendable, Equatable {
        package var values = 0
        package var bytes = 0
    }

    package private(set) var total = Tally()
    package private(set) var bySource: [TrafficSource: Tally] = [:]
    /// Held copies this node is not responsible for (caches): the first to go when full.
    package var caches: Set<NodeID> = []

    /// What a held version costs: its bytes, its key and the entry's own overhead.
    package static func cost(valueBytes: Int, keyBytes: Int) -> Int {
        valueBytes + keyBytes + NodeLimits.storedValueOverhead
    }

    /// What `stored` costs.
    package static func cost(of stored: StoredValue) -> Int {
        cost(valueBytes: stored.value.count, keyBytes: stored.key?.count ?? 0)
    }

    package mutating func add(_ entry: ValueStore.Entry, _ target: NodeID) {
        let cost = entry.cost
        total.values += 1
        total.bytes += cost
        if let source = entry.source { bySource[source, default: Tally()].values += 1; bySource[source, default: Tally()].bytes += cost }
        if !entry.isReplica { caches.insert(target) }
    }

    package mutating func remove(_ entry: ValueStore.Entry, _ target: NodeID) {
        let cost = entry.cost
        total.values -= 1
        total.bytes -= cost
        if let source = entry.source, var tally = bySource[source] {
            tally.values -= 1
            tally.bytes -= cost
            bySource[source] = tally.values > 0 ? tally : nil
        }
        caches.remove(target)
    }

    /// What `source` has stored here.
    package func tally(of source: TrafficSource) -> Tally { bySource[source] ?? Tally() }
}

/// Whether a store from the network may take space, decided before it is stored.
public enum StoreAdmission: Equatable, Sendable {
    /// It fits.
    case admit
    /// It fits once this cached copy (one this node is not responsible for) is dropped.
    case admitEvicting(NodeID)
    /// The source has used its share; the store is answered with error 202.
    case sourceOverQuota
    /// The store is full of values this node is responsible for; error 202.
    case full
}

extension ValueStore {
    /// Whether a store of `cost` for `target` from `source` fits the limits: a source may
    /// store past its share only while the store is less than half full. What is held for
    /// `target` is counted as freed, since a store replaces it; a value this node is
    /// responsible for (`asReplica`) may push out a cached copy, never a replica, so a
    /// flood never evicts what was stored before it.
    public func admission(cost: Int, for target: NodeID, from source: TrafficSource, asReplica: Bool,
                          limits: NodeLimits) -> StoreAdmission {
        let held = entries[target]
        let freedBytes = held?.cost ?? 0
        let freedValues = held == nil ? 0 : 1
        var mine = usage.tally(of: source)
        if held?.source == source {
            mine.values -= freedValues
            mine.bytes -= freedBytes
        }
        let values = usage.total.values - freedValues + 1
        let bytes = usage.total.bytes - freedBytes + cost
        let withinShare = mine.values + 1 <= limits.maxStoredValuesPerSource && mine.bytes + cost <= limits.maxStoredBytesPerSource
        let storeIsOpen = values <= limits.storeValuesOpenToAnySource && bytes <= limits.storeBytesOpenToAnySource
        guard withinShare || storeIsOpen else { return .sourceOverQuota }
        if values <= limits.maxStoredValues && bytes <= limits.maxStoredBytes { return .admit }
        guard asReplica, let victim = usage.caches.first(where: { $0 != target }), let victimCost = entries[victim]?.cost,
              values - 1 <= limits.maxStoredValues, bytes - victimCost <= limits.maxStoredBytes else { return .full }
        return .admitEvicting(victim)
    }

    /// Values and bytes held in all.
    public var heldTotals: (values: Int, bytes: Int) { (usage.total.values, usage.total.bytes) }
}
