/// What a holder knows of who else holds each value: the contacts confirmed holding its
/// version (by a store, a probe or an offer), and when.
extension ValueStore {
    /// Records that `holder` holds the version of `target` held here.
    public mutating func confirm(_ holder: NodeID, holds target: NodeID, now: Timestamp) {
        entries[target]?.holders[holder] = now
    }

    /// The contacts confirmed to hold this node's version of `target` since `since`.
    public func confirmedHolders(of target: NodeID, since: Timestamp) -> Set<NodeID> {
        Set((entries[target]?.holders ?? [:]).compactMap { $0.value >= since ? $0.key : nil })
    }

    /// Whether `holder` is remembered as confirmed, at any time, to hold this node's version
    /// of `target` (no set is built, as `confirmedHolders` does: this runs per held value).
    public func isKnownHolder(_ holder: NodeID, of target: NodeID) -> Bool {
        entries[target]?.holders[holder] != nil
    }

    /// Notes that `newcomer` was presumably handed `target` by another holder at `now`:
    /// rounds do not offer it the value while that is recent, though nothing else counts it
    /// a holder. At most `limit` are kept, the oldest forgotten first.
    public mutating func presume(_ newcomer: NodeID, holds target: NodeID, now: Timestamp, limit: Int) {
        guard let presumed = entries[target]?.presumedHolders else { return }
        let evicted = presumed.count >= limit && presumed[newcomer] == nil ? presumed.min { $0.value < $1.value }?.key : nil
        // Written in place: a copy taken out and written back copied the whole table each time.
        if let evicted { entries[target]?.presumedHolders[evicted] = nil }
        entries[target]?.presumedHolders[newcomer] = now
    }

    /// The newcomers presumed holding `target` since `since`; older presumptions are forgotten.
    public mutating func presumedHolders(of target: NodeID, since: Timestamp) -> Set<NodeID> {
        guard let presumed = entries[target]?.presumedHolders, !presumed.isEmpty else { return [] }
        let recent = presumed.filter { $0.value >= since }
        if recent.count < presumed.count { entries[target]?.presumedHolders = recent }
        return Set(recent.keys)
    }

    /// Forgets confirmations from contacts not in `keep`, so the record stays K-sized.
    public mutating func pruneHolders(of target: NodeID, keeping keep: Set<NodeID>) {
        guard let holders = entries[target]?.holders else { return }
        entries[target]?.holders = holders.filter { keep.contains($0.key) }
    }
}
