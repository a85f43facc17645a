/// A retry after failure: the first waits `initial`, each failure after doubles the wait up
/// to `maximum`, and success starts over. Pure: the node asks `isDue(now:)` and reports.
package struct Backoff: Sendable, Equatable {
    package let initial: Duration
    package let maximum: Duration
    /// The wait after the next failure.
    package private(set) var delay: Duration
    /// When the next try is due; nil when nothing has failed.
    package private(set) var nextAttempt: Timestamp?

    package init(initial: Duration, maximum: Duration) {
        self.initial = initial
        self.maximum = maximum
        delay = initial
    }

    /// Whether a try may run at `now`.
    package func isDue(now: Timestamp) -> Bool { nextAttempt.map { now >= $0 } ?? true }

    /// Notes a try at `now`: the next waits the current delay, and the delay doubles.
    package mutating func attempted(now: Timestamp) {
        nextAttempt = now + delay
        delay = min(delay * 2, maximum)
    }

    /// Notes that the last try worked: the next failure waits `initial` again.
    package mutating func succeeded() {
        delay = initial
        nextAttempt = nil
    }
}
