/// Hand-offs that did not finish: values a holder set out to store at a newcomer that the
/// newcomer did not take (it was silent, or shed them), to be sent again after a backoff.
///
/// One holder hands each key to a newcomer (`HandOffRule`), so a hand-off cut short (two
/// silences in a row make the upkeep window drop what waits for a destination) has nobody
/// else to finish it until the next replication round, an interval later. Pure: the node
/// notes what failed, and maintenance takes what is due.
package struct HandOffDebts: Sendable {
    /// What one newcomer is still owed.
    package struct Debt: Sendable, Equatable {
        package var newcomer: Contact
        package var targets: [NodeID]
        /// Tries already made after the first hand-off: 1 for the first retry.
        package var attempt: Int
        package var due: Timestamp
    }

    /// The wait before the first retry; each further one waits twice as long.
    package static let firstRetryDelay: Duration = .seconds(15)
    /// Retries after which the debt is dropped, to replication: 15 s + 30 s + … ≈ 8 minutes.
    package static let maximumAttempts = 5

    private var debts: [NodeID: Debt] = [:]

    package init() {}

    /// Newcomers owed values now.
    package var count: Int { debts.count }

    /// Notes that `newcomer` did not take `targets` on try `attempt` (0 for the hand-off
    /// itself): they are sent again after the backoff, merged with anything still owed to it.
    /// Past `maximumAttempts` the values are left to replication.
    package mutating func owe(_ targets: [NodeID], to newcomer: Contact, afterAttempt attempt: Int, now: Timestamp) {
        guard !targets.isEmpty, attempt < Self.maximumAttempts else { return }
        let next = attempt + 1
        let due = now + Self.firstRetryDelay * (1 << attempt)
        if var debt = debts[newcomer.id] {
            let owed = Set(debt.targets)
            debt.targets += targets.filter { !owed.contains($0) }
            debt.attempt = max(debt.attempt, next)
            debt.due = min(debt.due, due)
            debt.newcomer = newcomer
            debts[newcomer.id] = debt
        } else {
            debts[newcomer.id] = Debt(newcomer: newcomer, targets: targets, attempt: next, due: due)
        }
    }

    /// Drops what `newcomer` is owed: it is being handed everything afresh.
    package mutating func forget(_ newcomer: NodeID) {
        guard !debts.isEmpty else { return }
        debts[newcomer] = nil
    }

    /// Removes and returns the debts due at `now`, soonest first.
    package mutating func takeDue(now: Timestamp) -> [Debt] {
        guard !debts.isEmpty else { return [] }
        let due = debts.values.filter { $0.due <= now }.sorted { $0.due < $1.due }
        for debt in due { debts[debt.newcomer.id] = nil }
        return due
    }

    /// The newcomers owed values now.
    package var newcomers: Set<NodeID> { Set(debts.keys) }

    /// When the next retry falls due, if any is owed.
    package var nextDue: Timestamp? { debts.values.map(\.due).min() }

    /// Heap bytes the record holds.
    package var footprint: Int { debts.values.reduce(Footprint.of(debts)) { $0 + Footprint.of($1.targets) } }
}
