/// When a node whose routing table is empty, or holds fewer than K contacts, joins again
/// through its bootstrap addresses: after `initialDelay`, doubling up to `maximumDelay`, so
/// nodes started in any order find each other, and one that joined through a node that
/// knew little keeps looking, without a storm of pings. Pure: the node asks it and carries
/// out the answer.
public struct RejoinSchedule: Sendable, Equatable {
    public let initialDelay: Duration
    public let maximumDelay: Duration
    /// The addresses to rejoin through.
    public private(set) var seeds: [SocketAddress] = []
    /// The wait before the next try after this one.
    public private(set) var delay: Duration
    /// When the next try is due; nil while there is nothing to retry.
    public private(set) var nextAttempt: Timestamp?

    public init(initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60)) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        delay = initialDelay
    }

    /// Remembers `addresses` as seeds (keeping earlier ones) and restarts the backoff.
    public mutating func remember(_ addresses: [SocketAddress], now: Timestamp) {
        for address in addresses where !seeds.contains(address) { seeds.append(address) }
        delay = initialDelay
        nextAttempt = seeds.isEmpty ? nil : now + delay
    }

    /// Whether to try now, given whether the routing table is short of contacts; a try
    /// moves the next one a doubled delay on. A well-filled table resets the backoff and
    /// asks for no wake-up; one found short again is retried at once.
    public mutating func shouldAttempt(now: Timestamp, tableIsShort: Bool) -> Bool {
        guard !seeds.isEmpty else { return false }
        guard tableIsShort else {
            delay = initialDelay
            nextAttempt = nil
            return false
        }
        if let due = nextAttempt, now < due { return false }
        nextAttempt = now + delay
        delay = min(delay * 2, maximumDelay)
        return true
    }
}
