/// One reading of both clocks, to turn the node's monotonic deadlines into the wall-clock
/// times a journal keeps, and back after a restart.
package struct WallTime: Sendable {
    /// The monotonic time.
    package var now: Timestamp
    /// The wall-clock time at `now`, in milliseconds since 1970.
    package var milliseconds: Int64

    package init(now: Timestamp, milliseconds: Int64) {
        self.now = now
        self.milliseconds = milliseconds
    }

    /// `instant` on the wall clock.
    package func wall(_ instant: Timestamp) -> Int64 {
        let (sum, overflow) = milliseconds.addingReportingOverflow((instant - now).totalNanoseconds / 1_000_000)
        return overflow ? .max : max(0, sum)
    }

    /// The wall-clock time `milliseconds` on the monotonic clock.
    package func monotonic(_ wall: Int64) -> Timestamp {
        now + .milliseconds(wall - milliseconds)
    }
}

/// The node's state as journal entries, and back: pure, so what a restart restores is
/// tested without a disk. The shell (`NodeStorage`) writes and reads the bytes.
extension NodeState {
    /// How long after a restart restored values fall due for replication and overdue
    /// publications for republishing: time to rejoin first, so they reach the K closest.
    package static let restartGrace: Duration = .seconds(60)

    /// Starts noting every change to the store, the publications, the BEP 44 items and the table's contacts.
    package mutating func startJournaling() {
        store.tracksChanges = true
        publications.tracksChanges = true
        items.tracksChanges = true
        isJournaled = true
    }

    /// Puts back what a journal held: values and tombstones with the lifetime they had left
    /// (never more than a full one), publications due again when they were. Restored values
    /// replicate after the grace, staggered over a tenth of the interval so a network started
    /// again all at once does not replicate in lockstep.
    package mutating func restore(from snapshot: JournalSnapshot, at time: WallTime) {
        let now = time.now
        externalAddress = snapshot.externalAddress
        for record in snapshot.held.values {
            let expiresAt = min(time.monotonic(record.expiresAt), now + store.maximumLifetime)
            guard expiresAt > now else { continue }
            let stored = StoredValue(value: record.value, seq: record.seq, key: record.key, isTombstone: record.isTombstone,
                                     storedAt: now, expiresAt: expiresAt)
            store.restore(stored, for: record.target, isReplica: record.isReplica,
                          replicateAt: now + Self.restartGrace + replicationJitter())
        }
        for record in snapshot.published.values {
            let due = max(record.republishAt.map(time.monotonic) ?? now, now + Self.restartGrace)
            let publication = Publication(key: record.key, value: record.value, seq: record.seq,
                                          endsAt: record.expiresAt.map(time.monotonic), republishAt: due)
            publications.restore(publication, for: record.target)
        }
        for record in snapshot.items.values {
            let item = StoredItem(value: record.value, mutable: record.mutable, expiresAt: time.monotonic(record.expiresAt))
            items.restore(item, for: record.target, now: now)
        }
    }

    /// Whether a value or publication changed, which an acknowledgement waits on: checked
    /// on every change, so it is cheap.
    package var hasDurableJournalChanges: Bool {
        isJournaled && (!store.changedTargets.isEmpty || !publications.changedTargets.isEmpty || !items.changedTargets.isEmpty)
    }

    /// Whether anything changed that `takeJournalEntries` would record, contacts and the
    /// external address included.
    package var hasJournalChanges: Bool {
        hasDurableJournalChanges || (isJournaled && (!journalContacts.isEmpty || externalAddressUnsaved))
    }

    /// The entries that record what changed since the last call, and whether any of them
    /// is a value or publication (which an acknowledgement waits on; contacts need not).
    package mutating func takeJournalEntries(at time: WallTime) -> (entries: [JournalEntry], durable: Bool) {
        guard isJournaled else { return ([], false) }
        var entries = journalContacts.map(JournalEntry.contact)
        journalContacts = []
        if externalAddressUnsaved, let externalAddress {
            entries.append(.externalAddress(ip: externalAddress))
            externalAddressUnsaved = false
        }
        let held = store.takeChangedTargets()
        let published = publications.takeChangedTargets()
        let changedItems = items.takeChangedTargets()
        for target in held {
            entries.append(heldEntry(target, at: time) ?? .dropped(target: target))
        }
        for target in published {
            entries.append(publications.publication(for: target).map { .published(Self.record($0, for: target, at: time)) }
                ?? .withdrawn(target: target))
        }
        for target in changedItems {
            entries.append(itemEntry(target, at: time) ?? .itemDropped(target: target))
        }
        return (entries, !held.isEmpty || !published.isEmpty || !changedItems.isEmpty)
    }

    /// The fewest entries that rebuild the state now, for compaction: id, the table's
    /// contacts, what is held, what is published.
    package func journalImage(at time: WallTime) -> [JournalEntry] {
        var entries: [JournalEntry] = [.identity(localID), .signingKey(seed: signingSeed.bytes)]
        entries += externalAddress.map { [.externalAddress(ip: $0)] } ?? []
        entries += routingTable.contacts.map(JournalEntry.contact)
        entries += store.all(now: time.now).compactMap { heldEntry($0.target, at: time) }
        entries += publications.all.map { .published(Self.record($0.publication, for: $0.target, at: time)) }
        entries += items.items.keys.compactMap { itemEntry($0, at: time) }
        return entries
    }

    /// How many entries `journalImage` would hold, without building it.
    package var journalImageCount: Int { 3 + routingTable.count + store.count + publications.count + items.count }

    private func itemEntry(_ target: NodeID, at time: WallTime) -> JournalEntry? {
        guard let item = items.item(at: target, now: time.now) else { return nil }
        return .item(JournalEntry.ItemRecord(target: target, value: item.value, mutable: item.mutable,
                                             expiresAt: time.wall(item.expiresAt)))
    }

    private func heldEntry(_ target: NodeID, at time: WallTime) -> JournalEntry? {
        guard let (stored, isReplica) = store.journaled(target), stored.expiresAt > time.now else { return nil }
        return .held(JournalEntry.HeldRecord(target: target, key: stored.key, value: stored.value, seq: stored.seq,
                                             isTombstone: stored.isTombstone, isReplica: isReplica,
                                             expiresAt: time.wall(stored.expiresAt)))
    }

    private static func record(_ publication: Publication, for target: NodeID, at time: WallTime) -> JournalEntry.PublishedRecord {
        JournalEntry.PublishedRecord(target: target, key: publication.key, value: publication.value, seq: publication.seq,
                                     expiresAt: publication.endsAt.map(time.wall), republishAt: time.wall(publication.republishAt))
    }
}
