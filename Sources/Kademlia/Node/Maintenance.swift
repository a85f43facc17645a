/// Background upkeep, driven by the transport's tick: expiry and bucket refresh.
extension DHTNode {
    /// How often the tick does more than sweep timeouts.
    static let maintenanceInterval: Duration = .seconds(1)

    func runMaintenanceIfDue() {
        let now = clock.now()
        let staleBuckets: [Int]? = state.withLock { state in
            guard now - state.lastMaintenance >= Self.maintenanceInterval else { return nil }
            state.lastMaintenance = now
            state.store.removeExpired(now: now)
            guard !state.refreshing else { return nil }
            let stale = state.routingTable.bucketsNeedingRefresh(now: now, interval: configuration.bucketRefreshInterval)
            state.refreshing = !stale.isEmpty
            return stale
        }
        guard let staleBuckets, !staleBuckets.isEmpty else { return }
        log(.debug, "refreshing \(staleBuckets.count) buckets")
        Task {
            await refresh(buckets: staleBuckets)
            state.withLock { $0.refreshing = false }
        }
    }
}
