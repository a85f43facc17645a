/// Background upkeep, driven by the transport's tick: expiry, replication, republishing,
/// pinging quiet contacts, bucket refresh and rejoining. The decisions are the pure parts'
/// (`ValueStore`, `Publications`, `RoutingTable`, `RejoinSchedule`); this only carries them out.
extension DHTNode {
    /// The longest maintenance sleeps, so buckets that fill later are still refreshed on
    /// time and quiet contacts are pinged within a minute of turning questionable.
    static let maintenanceCeiling: Duration = .seconds(60)
    /// The most quiet contacts pinged in one maintenance pass.
    static let questionablePingsPerPass = 16
    /// How many values one background batch replicates at a time.
    static let replicationWidth = 8
    /// A gap this long between maintenance passes means the node was suspended or cut
    /// off: what it holds may be stale, so it checks every value with the K closest at once.
    static let resyncAfter: Duration = .seconds(300)

    /// What one maintenance pass found due.
    private struct DueWork {
        var replications: [NodeID] = []
        /// Replicate even where a nearer holder seemed to be doing it: the node was away.
        var resync = false
        var republications: [(target: NodeID, publication: Publication)] = []
        var questionable: [Contact] = []
        var staleBuckets: [Int] = []
        var rejoinThrough: [SocketAddress] = []
        /// Values and tombstones whose lifetime ran out in this pass.
        var expired = 0
        var nextDue: Timestamp?
    }

    /// Runs whatever upkeep is due, then asks the transport to wake the node when more is.
    func runMaintenanceIfDue() {
        let now = clock.now()
        let due = state.withLock { state -> DueWork in
            guard now >= state.nextMaintenance, !state.stopped else { return DueWork() }
            var due = DueWork()
            let held = state.store.count
            state.store.removeExpired(now: now)
            due.expired = held - state.store.count
            state.peers.removeExpired(now: now)
            state.items.removeExpired(now: now)
            due.replications = state.store.dueForReplication(now: now)
            if now - state.lastMaintenance >= Self.resyncAfter {
                due.resync = true
                due.replications = state.store.all(now: now).map(\.target)
            }
            state.lastMaintenance = now
            due.republications = state.publications.takeDue(now: now)
            due.questionable = state.routingTable.questionable(now: now, after: configuration.questionableAfter,
                                                               limit: Self.questionablePingsPerPass,
                                                               skipping: state.challenged)
            if state.store.count > 0 {
                // The nearest neighbours hold the same keys: a holder checks them three times
                // as often, so a dead one's place among a key's K closest is refilled sooner.
                let skip = state.challenged.union(due.questionable.map(\.id))
                due.questionable += state.routingTable.closest(to: id, limit: configuration.k).filter { neighbour in
                    !skip.contains(neighbour.id) && state.routingTable.entry(for: neighbour.id).map {
                        now - $0.lastSeen >= configuration.questionableAfter / 3
                    } == true
                }
            }
            for contact in due.questionable { state.challenged.insert(contact.id) }
            if !state.refreshing {
                due.staleBuckets = state.routingTable.bucketsNeedingRefresh(now: now, interval: configuration.bucketRefreshInterval)
                state.refreshing = !due.staleBuckets.isEmpty
            }
            if state.rejoin.shouldAttempt(now: now, tableIsShort: state.routingTable.count < configuration.k) {
                due.rejoinThrough = state.rejoin.seeds
            }
            let candidates = [
                now + Self.maintenanceCeiling,
                state.storeDeadline,
                state.routingTable.nextRefresh(interval: configuration.bucketRefreshInterval),
                state.rejoin.nextAttempt,
            ]
            state.nextMaintenance = max(candidates.compactMap { $0 }.min() ?? now, now + .milliseconds(1))
            due.nextDue = state.nextMaintenance
            return due
        }
        if let next = due.nextDue { transport.wake(at: next) }
        carryOut(due)
    }

    private func carryOut(_ due: DueWork) {
        if due.expired > 0 { log(.debug, .maintenance, "expired \(due.expired) values") }
        if !due.questionable.isEmpty { log(.debug, .maintenance, "pinging \(due.questionable.count) quiet contacts") }
        for contact in due.questionable { challengeForPlace(contact) }
        if !due.replications.isEmpty {
            log(.debug, .maintenance, "\(due.resync ? "resyncing" : "replicating") \(due.replications.count) values")
            inBackground { node in
                await node.forEach(due.replications, width: Self.replicationWidth) {
                    await node.replicate($0, resync: due.resync)
                }
            }
        }
        if !due.republications.isEmpty {
            log(.debug, .maintenance, "republishing \(due.republications.count) values")
            inBackground { node in
                await node.forEach(due.republications, width: Self.replicationWidth) { await node.republish($0.target, $0.publication) }
            }
        }
        if !due.staleBuckets.isEmpty {
            log(.debug, .maintenance, "refreshing \(due.staleBuckets.count) buckets")
            inBackground { node in
                await node.refresh(buckets: due.staleBuckets)
                node.state.withLock { $0.refreshing = false }
            }
        }
        if !due.rejoinThrough.isEmpty {
            log(.debug, .maintenance, "routing table short of contacts: retrying \(due.rejoinThrough.count) bootstrap addresses")
            inBackground { node in _ = await node.join(through: due.rejoinThrough, cause: .routing) }
        }
    }

    /// Runs `body` on every item, at most `width` at a time.
    func forEach<Item: Sendable>(_ items: [Item], width: Int, _ body: @escaping @Sendable (Item) async -> Void) async {
        var start = 0
        while start < items.count {
            let batch = items[start..<min(start + width, items.count)]
            await withTaskGroup(of: Void.self) { group in
                for item in batch { group.addTask { await body(item) } }
            }
            start += width
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
