/// The node's two doors to its state: `read` to look, `mutate` to change. Every change goes
/// through `mutate`, which writes a changed value or publication to the journal before it
/// returns, so whatever depends on a change, such as the acknowledgement of a `store`,
/// goes out only once the journal has it; new contacts follow within a tick.
/// `PureCoreTests` checks that nothing else takes the lock.
extension DHTNode {
    /// Runs `body` on the state under its lock, changing nothing.
    func read<Result: Sendable>(_ body: (borrowing NodeState) -> Result) -> Result {
        stateLock.withLock { body($0) }
    }

    /// Runs `body` under the state lock, then writes what it changed to the journal: when
    /// this returns, the changes are on disk as the fsync policy promises. A change that
    /// touched no value or publication (nearly all of them) costs the journal nothing; new
    /// contacts, which nothing waits on, go with the next value written or the next tick.
    @discardableResult
    func mutate<Result: Sendable>(_ body: (inout NodeState) -> Result) -> Result {
        change(journalingContacts: false, body).result
    }

    /// `mutate` for what is acknowledged: also says whether the journal has the change (true
    /// without a data directory, or when nothing journaled changed), so a `store` whose
    /// record could not be written (a full disk) is not acknowledged.
    func mutateReportingJournal<Result: Sendable>(_ body: (inout NodeState) -> Result) -> (result: Result, journaled: Bool) {
        change(journalingContacts: false, body)
    }

    /// `mutate` for the tick: writes new contacts too, so none waits longer than a tick.
    @discardableResult
    func mutateWritingContacts<Result: Sendable>(_ body: (inout NodeState) -> Result) -> Result {
        change(journalingContacts: true, body).result
    }

    @inline(__always)
    private func change<Result: Sendable>(journalingContacts: Bool, _ body: (inout NodeState) -> Result)
        -> (result: Result, journaled: Bool) {
        // A new version of a key someone listens to leaves notifications, sent once the lock
        // is let go. Gathered into a local rather than returned beside `Result`, and checked on
        // a stored property, so the common case costs what it did before watches existed.
        var notices: [(address: SocketAddress, query: Query)]?
        guard let storage else {
            let result = stateLock.withLock { state in
                let result = body(&state)
                if !state.store.newVersions.isEmpty { notices = state.takeNotifications(now: clock.now()) }
                return result
            }
            if let notices { sendNotifications(notices) }
            return (result, true)
        }
        let (result, ticket) = stateLock.withLock { state -> (Result, Int?) in
            let result = body(&state)
            if !state.store.newVersions.isEmpty { notices = state.takeNotifications(now: clock.now()) }
            let due = journalingContacts ? state.hasJournalChanges : state.hasDurableJournalChanges
            guard due, !state.stopped else { return (result, nil) }
            // Taken under the lock, so changes queue in the order they were made.
            let (entries, durable) = state.takeJournalEntries(at: WallTime(clock))
            return (result, storage.enqueue(entries, durable: durable))
        }
        if let notices { sendNotifications(notices) }
        guard let ticket else { return (result, true) }
        commitJournal()
        return (result, storage.isWritten(ticket))
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
            // The tick retries, rewriting the journal whole once there is room.
            transport.wake(at: clock.now() + .seconds(1))
        case .recovered?:
            log(.warning, .data, "the journal is written again, with every value kept in memory meanwhile")
        case nil:
            break
        }
    }
}
