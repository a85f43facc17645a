/// Why a query was sent, so maintenance traffic can be told from what users asked for.
public enum QueryCause: Sendable {
    /// A put, get, delete or join someone asked for.
    case user
    /// Keeping the routing table alive: bucket refresh, pings of quiet contacts, rejoining.
    case routing
    /// Keeping values alive: replication, hand-off, republishing, leaving, caching.
    case data
}

/// When an outgoing query may go: pacing per destination host, the bound on queries
/// waiting for replies, and the backoff after a "busy" answer. Pure: the node asks and
/// sends at the time it is told.
extension NodeState {
    /// How many times a query answered "busy" is sent again, each after twice the wait (up
    /// to `busyBackoffCeiling`): a user's query gives up sooner than upkeep, which its
    /// window paces anyway and which has no one waiting on it.
    package static func busyRetries(for cause: QueryCause) -> Int { cause == .data ? 50 : 6 }
    /// The wait before the first resend of a query answered "busy", and the longest.
    package static let busyBackoff: Duration = .milliseconds(25)
    package static let busyBackoffCeiling: Duration = .seconds(2)

    /// Reserves a transaction for a query to `address` and says when it may be sent: not
    /// before `notBefore`, and (when `paced`) when the host's budget allows. Nil when the
    /// node stopped, too many queries wait, or the host's budget is spent for longer than
    /// `maxPacingDelay`: the query fails at once rather than growing memory or flooding one host.
    package mutating func reserveQuery(to address: SocketAddress, paced: Bool, notBefore: Timestamp?, now: Timestamp,
                                       completion: @escaping PendingRequests.Completion)
        -> (key: PendingRequests.Key, sendAt: Timestamp)? {
        let limits = configuration.limits
        guard !stopped, pending.count < limits.maxPendingQueries else { return nil }
        let pacedAt = paced ? outboundPacer.schedule(.host(address, relaxLoopback: false), now: now,
                                                     maxDelay: limits.maxPacingDelay) : now
        guard let pacedAt else { return nil }
        let sendAt = max(pacedAt, notBefore ?? pacedAt)
        return (pending.reserve(to: address, sentAt: sendAt, using: &random, completion: completion), sendAt)
    }

    /// The wait before resending, as attempt `attempt + 1`, a query `address` answered
    /// "busy": doubling, capped, jittered by half either way. Upkeep also narrows the
    /// destination's window.
    package mutating func busyRetryDelay(after attempt: Int, to address: SocketAddress, cause: QueryCause) -> Duration {
        if cause == .data { upkeep.noteBusy(address) }
        return min(Self.busyBackoff * (1 << attempt), Self.busyBackoffCeiling) * Double.random(in: 0.5...1.5, using: &random)
    }
}
