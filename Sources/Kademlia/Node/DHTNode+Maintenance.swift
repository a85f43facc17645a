/// Background upkeep, driven by the transport's tick: expiry, replication, republishing,
/// pinging quiet contacts, bucket refresh and rejoining. The decisions are the pure parts'
/// (`ValueStore`, `Publications`, `RoutingTable`, `RejoinSchedule`); this only carries them out.
extension DHTNode {
    /// How many values one background batch replicates at a time.
    static let replicationWidth = 8

    /// Runs whatever upkeep is due (`NodeState.takeDueMaintenance`), then asks the
    /// transport to wake the node when more is.
    func runMaintenanceIfDue() {
        let now = clock.now()
        let due = mutate { $0.takeDueMaintenance(now: now) }
        if let next = due.nextDue { transport.wake(at: next) }
        carryOut(due)
    }

    private func carryOut(_ due: MaintenanceDirective) {
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
        for debt in due.handOffRetries {
            log(.debug, .maintenance, "handing \(debt.targets.count) values again to \(debt.newcomer.id.hex.prefix(8)), try \(debt.attempt)")
            inBackground { node in await node.handOff(debt.targets, to: debt.newcomer, attempt: debt.attempt) }
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
                node.mutate { $0.refreshing = false }
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
        let earlier = mutate { $0.scheduleMaintenance(by: instant) }
        if earlier { transport.wake(at: instant) }
    }
}
