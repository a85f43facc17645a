/// What one maintenance pass found due: the node carries it out and asks to be woken at
/// `nextDue`. A value, so the decisions are tested without a network (`MaintenanceDecisionTests`).
package struct MaintenanceDirective: Sendable {
    /// Values whose replication interval came round (every value after a long gap).
    package var replications: [NodeID] = []
    /// Replicate even where a nearer holder seemed to be doing it: the node was away.
    package var resync = false
    /// The user's own values due to be published again.
    package var republications: [(target: NodeID, publication: Publication)] = []
    /// Hand-offs cut short, due to be sent again (`HandOffDebts`).
    package var handOffRetries: [HandOffDebts.Debt] = []
    /// Contacts quiet long enough to be pinged; they are marked challenged.
    package var questionable: [Contact] = []
    /// Buckets no lookup has passed through for the refresh interval.
    package var staleBuckets: [Int] = []
    /// Bootstrap addresses to rejoin through: the table is short of contacts.
    package var rejoinThrough: [SocketAddress] = []
    /// Values and tombstones whose lifetime ran out in this pass.
    package var expired = 0
    /// When the next pass is due; nil when this pass was not (or the node stopped).
    package var nextDue: Timestamp?

    package init() {}
}

extension NodeState {
    /// The longest maintenance sleeps, so buckets that fill later are still refreshed on
    /// time and quiet contacts are pinged within a minute of turning questionable.
    package static let maintenanceCeiling: Duration = .seconds(60)
    /// The most quiet contacts pinged in one maintenance pass.
    package static let questionablePingsPerPass = 16
    /// A gap this long between maintenance passes means the node was suspended or cut
    /// off: what it holds may be stale, so it checks every value with the K closest at once.
    package static let resyncAfter: Duration = .seconds(300)
    /// The least time between two walks over the replicas held for their quiet K closest:
    /// passes come as often as replications fall due, which for thousands of values is
    /// several a second, and each walk looks up the K closest of every value.
    package static let replicaNeighbourCheckSpacing: Duration = .seconds(10)

    /// Takes whatever upkeep is due at `now`: drops what expired, and returns what to send.
    /// Before `nextMaintenance`, or once stopped, it returns an empty directive.
    package mutating func takeDueMaintenance(now: Timestamp) -> MaintenanceDirective {
        guard now >= nextMaintenance, !stopped else { return MaintenanceDirective() }
        var due = MaintenanceDirective()
        let held = store.count
        store.removeExpired(now: now)
        due.expired = held - store.count
        peers.removeExpired(now: now)
        items.removeExpired(now: now)
        due.replications = store.dueForReplication(now: now)
        if now - lastMaintenance >= Self.resyncAfter {
            due.resync = true
            due.replications = store.all(now: now).map(\.target)
        }
        lastMaintenance = now
        due.republications = publications.takeDue(now: now)
        due.handOffRetries = dueHandOffRetries(now: now)
        due.questionable = contactsToChallenge(now: now)
        if store.count > 0, replicaNeighboursCheckedAt.map({ now - $0 >= Self.replicaNeighbourCheckSpacing }) ?? true {
            replicaNeighboursCheckedAt = now
            due.questionable += quietReplicaNeighbours(now: now, skipping: Set(due.questionable.map(\.id)))
        }
        for contact in due.questionable { challenged.insert(contact.id) }
        if !refreshing {
            due.staleBuckets = routingTable.bucketsNeedingRefresh(now: now, interval: configuration.bucketRefreshInterval)
            refreshing = !due.staleBuckets.isEmpty
        }
        if rejoin.shouldAttempt(now: now, tableIsShort: routingTable.count < configuration.k) {
            due.rejoinThrough = rejoin.seeds
        }
        let candidates = [
            now + Self.maintenanceCeiling,
            storeDeadline,
            routingTable.nextRefresh(interval: configuration.bucketRefreshInterval),
            rejoin.nextAttempt,
            handOffDebts.nextDue,
        ]
        nextMaintenance = max(candidates.compactMap { $0 }.min() ?? now, now + .milliseconds(1))
        due.nextDue = nextMaintenance
        return due
    }

    /// Quiet contacts to ping: those past `questionableAfter`, and, while this node holds
    /// values, its K nearest neighbours past `neighbourQuietLimit`. They hold the same keys,
    /// so a dead one's place among a key's K closest is refilled sooner.
    private func contactsToChallenge(now: Timestamp) -> [Contact] {
        let quiet = routingTable.questionable(now: now, after: configuration.questionableAfter,
                                              limit: Self.questionablePingsPerPass, skipping: challenged)
        guard store.count > 0 else { return quiet }
        var seen = challenged.union(quiet.map(\.id))
        return quiet + quietNeighbours(routingTable.closest(to: localID, limit: configuration.k), now: now, seen: &seen)
    }

    /// The K closest this node knows of each replica it holds, quiet past
    /// `neighbourQuietLimit` and not in `skipping` or being challenged: a key's K closest
    /// are not all this node's own nearest, and a dead one outside them would otherwise
    /// hold its place among the key's K closest, unrepaired, for `questionableAfter`.
    private func quietReplicaNeighbours(now: Timestamp, skipping: Set<NodeID>) -> [Contact] {
        var seen = challenged.union(skipping)
        return store.all(now: now).filter { store.isReplica($0.target) }.flatMap { held in
            quietNeighbours(routingTable.closest(to: held.target, limit: configuration.k), now: now, seen: &seen)
        }
    }

    /// Those of `contacts` not in `seen` and quiet past `neighbourQuietLimit`; every one
    /// looked at joins `seen`, so a contact near several keys is pinged once.
    private func quietNeighbours(_ contacts: [Contact], now: Timestamp, seen: inout Set<NodeID>) -> [Contact] {
        contacts.filter { contact in
            guard seen.insert(contact.id).inserted, let entry = routingTable.entry(for: contact.id) else { return false }
            return now - entry.lastSeen >= neighbourQuietLimit
        }
    }

    /// Brings maintenance forward to `instant`; true if that is sooner than it was due.
    package mutating func scheduleMaintenance(by instant: Timestamp) -> Bool {
        guard instant < nextMaintenance else { return false }
        nextMaintenance = instant
        return true
    }
}
