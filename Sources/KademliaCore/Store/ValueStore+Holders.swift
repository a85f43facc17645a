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

    /// Forgets confirmations from contacts not in `keep`, so the record stays K-sized.
    public mutating func pruneHolders(of target: NodeID, keeping keep: Set<NodeID>) {
        guard let holders = entries[target]?.holders else { return }
        entries[target]?.holders = holders.filter { keep.contains($0.key) }
    }
}
