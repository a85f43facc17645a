/// Keeping the data directory's journal in step with the node: changes are taken from the
/// state under its lock (so they queue in the order they were made) and written before
/// whatever depends on them, such as the acknowledgement of a `store`, goes out.
extension DHTNode {
    /// Runs `body` under the state lock, then writes what it changed to the journal: when
    /// this returns, the changes are on disk as the fsync policy promises.
    func mutate<Result: Sendable>(_ body: (inout NodeState) -> Result) -> Result {
        guard storage != nil else { return state.withLock { body(&$0) } }
        let time = WallTime(clock)
        let result = state.withLock { state in
            let result = body(&state)
            queueJournal(&state, at: time)
            return result
        }
        commitJournal()
        return result
    }

    /// Queues the changes noted in `state` for the journal; call under the state lock.
    /// Returns whether there were any, so a caller with nothing to write skips the commit.
    @discardableResult
    func queueJournal(_ state: inout NodeState, at time: WallTime) -> Bool {
        guard let storage, !state.stopped else { return false }
        let (entries, durable) = state.takeJournalEntries(at: time)
        storage.enqueue(entries, durable: durable)
        return !entries.isEmpty
    }

    /// Writes what is queued, and logs when writes start or stop failing. Under `.batch`
    /// the fsync follows on a tick asked for within its 100 ms.
    func commitJournal() {
        guard let storage else { return }
        let event = storage.commit()
        if storage.fsync == .batch, storage.hasUnsyncedWrites { transport.wake(at: clock.now() + JournalFile.batchInterval) }
        switch event {
        case .failing(let reason)?:
            log(.error, .data, "cannot write the journal (\(reason)); values are kept in memory only until it works again")
        case .recovered?:
            log(.warning, .data, "the journal is written again")
        case nil:
            break
        }
    }

    /// The tick's share: takes changes made outside `mutate`, compacts the journal once it
    /// holds more dead records than live ones, and fsyncs a batch that is due.
    func journalTick() {
        guard let storage else { return }
        let time = WallTime(clock)
        state.withLock { state in
            queueJournal(&state, at: time)
            if !state.stopped, storage.needsCompaction(liveRecords: state.journalImageCount) {
                storage.enqueueCompaction(state.journalImage(at: time))
            }
        }
        commitJournal()
        // Off the transport's thread, which has datagrams to answer.
        if storage.hasUnsyncedWrites { Task.detached { storage.flushIfDue() } }
    }

    /// Restores what `storage` held into a new node's state and starts journaling; called
    /// once, from `init`, before the node answers anything.
    static func restoring(_ state: inout NodeState, from storage: NodeStorage, snapshot: JournalSnapshot, clock: any NodeClock) {
        state.startJournaling()
        state.restore(from: snapshot, at: WallTime(clock))
        if snapshot.id != state.localID { storage.enqueue([.identity(state.localID)], durable: true) }
        if let seed = snapshot.signingKeySeed, let key = try? Ed25519PrivateKey(seed: seed) {
            state.signingKey = key
        } else {
            storage.enqueue([.signingKey(seed: state.signingKey.seed)], durable: true)
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
