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
        change(journalingContacts: false, body)
    }

    /// `mutate` for the tick: writes new contacts too, so none waits longer than a tick.
    @discardableResult
    func mutateWritingContacts<Result: Sendable>(_ body: (inout NodeState) -> Result) -> Result {
        change(journalingContacts: true, body)
    }

    private func change<Result: Sendable>(journalingContacts: Bool, _ body: (inout NodeState) -> Result) -> Result {
        guard let storage else { return stateLock.withLock { body(&$0) } }
        let (result, queued) = stateLock.withLock { state -> (Result, Bool) in
            let result = body(&state)
            let due = journalingContacts ? state.hasJournalChanges : state.hasDurableJournalChanges
            guard due, !state.stopped else { return (result, false) }
            // Taken under the lock, so changes queue in the order they were made.
            let (entries, durable) = state.takeJournalEntries(at: WallTime(clock))
            storage.enqueue(entries, durable: durable)
            return (result, true)
        }
        if queued { commitJournal() }
        return result
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
}
