/// Background upkeep, driven by the transport's tick: expiry and bucket refresh.
extension DHTNode {
    /// The longest maintenance sleeps, so buckets that fill later are still refreshed on time.
    static let maintenanceCeiling: Duration = .seconds(60)

    /// Expires values and starts a refresh of stale buckets when maintenance is due, then
    /// asks the transport to wake the node when it is next due.
    func runMaintenanceIfDue() {
        let now = clock.now()
        let (staleBuckets, nextDue): ([Int], Timestamp?) = state.withLock { state in
            guard now >= state.nextMaintenance else { return ([], nil) }
            state.store.removeExpired(now: now)
            var stale: [Int] = []
            if !state.refreshing {
                stale = state.routingTable.bucketsNeedingRefresh(now: now, interval: configuration.bucketRefreshInterval)
                state.refreshing = !stale.isEmpty
            }
            let candidates = [
                now + Self.maintenanceCeiling,
                state.store.earliestExpiry,
                state.routingTable.nextRefresh(interval: configuration.bucketRefreshInterval),
            ]
            state.nextMaintenance = max(candidates.compactMap { $0 }.min() ?? now, now + .milliseconds(1))
            return (stale, state.nextMaintenance)
        }
        if let nextDue { transport.wake(at: nextDue) }
        guard !staleBuckets.isEmpty else { return }
        log(.debug, "refreshing \(staleBuckets.count) buckets")
        Task {
            await refresh(buckets: staleBuckets)
            state.withLock { $0.refreshing = false }
        }
    }

    /// Brings maintenance forward to `instant` (a value stored now expires then).
    func scheduleMaintenance(by instant: Timestamp) {
        let earlier = state.withLock { state -> Bool in
            guard instant < state.nextMaintenance else { return false }
            state.nextMaintenance = instant
            return true
        }
        if earlier { transport.wake(at: instant) }
    }
}
