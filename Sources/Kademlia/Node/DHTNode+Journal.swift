/// The journal's upkeep (compaction, batched fsync) and restoring a node from it. Changes
/// reach the journal through `mutate` (`DHTNode+State.swift`).
extension DHTNode {
    /// The tick's share: writes the contacts learned since the last tick, compacts the
    /// journal once it holds more dead records than live ones or rewrites it whole after
    /// records were lost, and fsyncs a batch that is due. Values and publications are
    /// written by `mutate` as they change.
    func journalTick() {
        guard let storage else { return }
        let time = WallTime(clock)
        let rewrite = storage.needsRewrite
        // In one hold of the lock, so the image has every change queued before it and none after.
        let imaged = mutateWritingContacts { state -> Bool in
            guard !state.stopped else { return false }
            if rewrite {
                // Records were lost (a full disk): only an image of the whole state restores
                // them, tried again with backoff until there is room.
                guard state.journalRewrite.isDue(now: time.now) else { return false }
                state.journalRewrite.attempted(now: time.now)
            } else {
                guard storage.needsCompaction(liveRecords: state.journalImageCount) else { return false }
            }
            storage.enqueueCompaction(state.journalImage(at: time))
            return true
        }
        if imaged {
            commitJournal()
            if rewrite && !storage.needsRewrite { mutate { $0.journalRewrite.succeeded() } }
        }
        if storage.needsRewrite, let next = read({ $0.journalRewrite.nextAttempt }) { transport.wake(at: max(next, time.now)) }
        // Off the transport's thread, which has datagrams to answer.
        if storage.hasUnsyncedWrites { Task.detached { storage.flushIfDue() } }
    }

    /// Restores what `storage` held into a new node's state and starts journaling; called
    /// once, from `init`, before the node answers anything.
    static func restoring(_ state: inout NodeState, from storage: NodeStorage, snapshot: JournalSnapshot, clock: any NodeClock) {
        state.startJournaling()
        state.restore(from: snapshot, at: WallTime(clock))
        if snapshot.id != state.localID { storage.enqueue([.identity(state.localID)], durable: true) }
        if let seed = snapshot.signingKeySeed.flatMap(Ed25519Seed.init) {
            state.signingSeed = seed
        } else {
            storage.enqueue([.signingKey(seed: state.signingSeed.bytes)], durable: true)
        }
    }

    /// Where a restarted node rejoins: the most recently saved contacts first, at most this many.
    static let savedContactsToRejoin = 64

    /// The saved contacts' addresses to try when joining, newest first.
    var rejoinAddresses: [SocketAddress] {
        guard let storage else { return [] }
        return storage.savedContacts.suffix(Self.savedContactsToRejoin).reversed().map(\.address)
    }
}
