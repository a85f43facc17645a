/// Which incoming queries a node answers: every host its own share (`RateLimiter`), and
/// while the node is not busy, whatever it has to spare on top, for hosts it knows are real.
///
/// An idle node thus serves an honest peer (a client writing into it, a holder handing it
/// values) as fast as it asks, while a flood only ever takes the spare capacity, never
/// another host's share: every query, in share or not, spends the spare pool, so a node
/// whose total load exceeds it lends nothing and each host is back to its fair share.
/// Spare capacity goes only to *verified* hosts, those that have answered a ping this node
/// sent them when they first went over their share, so a forged source cannot draw on it. A refused
/// verified host is answered "busy", however often and at no further cost, so it slows
/// down and never takes the node for gone; any other host gets `busyAnswers` of those,
/// then silence, its datagrams dropped before they are decoded. The node asks a refused
/// host to prove itself (a ping, which the shell sends); answering verifies it and clears
/// its debt. Pure: the caller passes `now`.
public struct InboundAdmission: Sendable {
    /// What to do with one query.
    public enum Verdict: Sendable, Equatable {
        /// Answer it.
        case answer
        /// Refuse it with a "busy" error: its host is over its share while the node is busy.
        case busy
        /// Drop it unanswered: its host ignored the busy answers.
        case drop
    }

    /// Each host's own share.
    public private(set) var shares: RateLimiter
    /// The capacity lent beyond the shares.
    public private(set) var spare: TokenBucket
    /// Hosts that answered a verification ping, at most `verifiedCapacity`; the first
    /// verified is forgotten first.
    private var verified: Set<TrafficSource> = []
    private var verifiedOrder: [TrafficSource] = []
    private var oldestVerified = 0

    public init(limits: NodeLimits) {
        shares = RateLimiter(rate: limits.queriesPerSecondPerHost, burst: limits.queryBurstPerHost,
                             capacity: limits.rateLimiterHosts)
        spare = TokenBucket(rate: limits.spareQueriesPerSecond, burst: limits.spareQueryBurst)
    }

    /// How many refusals in a row a host is told "busy" before it is dropped silently: one burst.
    public var busyAnswers: Double { shares.burst }

    /// Decides one query from `source`, and counts it.
    public mutating func admit(_ source: TrafficSource, now: Timestamp) -> Verdict {
        spare.refill(now: now)
        // In share, lent or refused, every query is load: a busy node has nothing to lend.
        defer { spare.spend() }
        guard shares.take(source, now: now) != nil else { return .answer }
        // Only a host over its share is looked up among the verified.
        let known = verified.contains(source)
        if known && spare.tokens >= 1 { return .answer }
        // A verified host's refusals cost it nothing more: it backs off when told busy, and a
        // debt would turn its retries away long after its share had come back.
        let tokens = shares.sink(source, floor: known ? 0 : nil)
        return known || tokens > -busyAnswers ? .busy : .drop
    }

    /// Notes that `source` answered a ping this node sent it: its address is real, so it
    /// may borrow spare capacity, is never dropped unread, and any debt it ran up is cleared.
    public mutating func noteAnswer(from source: TrafficSource) {
        guard !verified.contains(source) else { return }
        verified.insert(source)
        if verifiedOrder.count < Self.verifiedCapacity {
            verifiedOrder.append(source)
        } else {
            verified.remove(verifiedOrder[oldestVerified])
            verifiedOrder[oldestVerified] = source
            oldestVerified = (oldestVerified + 1) % Self.verifiedCapacity
        }
        shares.forgive(source)
    }

    /// Whether `source` has answered one of this node's queries (and is still remembered).
    public func isVerified(_ source: TrafficSource) -> Bool { verified.contains(source) }

    /// Whether a datagram from `source` can be dropped before decoding: the host kept
    /// sending after its busy answers, and nothing it sends is answered for a while.
    public func shouldDropUndecoded(_ source: TrafficSource, now: Timestamp) -> Bool {
        shares.tokens(of: source, now: now) <= -busyAnswers
    }

    /// Verified hosts remembered at most: only hosts that went over their share are verified,
    /// so this bounds what a node keeps for the few that write into it hard.
    public static let verifiedCapacity = 1024
}

/// One token bucket: `rate` tokens a second up to `burst`, spent down to `-burst` (a load
/// above the rate keeps it empty). Pure: the caller passes `now`.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    /// Tokens now; below one, nothing to spend.
    public private(set) var tokens: Double
    private var updated: Timestamp?

    public init(rate: Double, burst: Double) {
        self.rate = max(rate, 0)
        self.burst = max(burst, 0)
        tokens = self.burst
    }

    /// Adds the tokens earned since the last refill.
    public mutating func refill(now: Timestamp) {
        if let updated { tokens = min(burst, tokens + max(0, (now - updated).seconds) * rate) }
        updated = now
    }

    /// Spends one token, into debt down to `-burst`.
    public mutating func spend() {
        tokens = max(-burst, tokens - 1)
    }
}

extension InboundAdmission {
    /// Heap bytes the shares and the verified hosts hold.
    package var footprint: Int { shares.footprint + Footprint.of(verified) + Footprint.of(verifiedOrder) }
}
