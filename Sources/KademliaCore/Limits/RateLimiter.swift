/// Token buckets per source, in a table of bounded size: a source may send `rate` a second
/// with bursts of `burst`; past that its datagrams are refused, and each refused one costs
/// a further token, so a source that keeps flooding sinks deeper and is refused entirely
/// until it has been quiet for a while. Pure: the caller passes `now`.
///
/// The table holds at most `capacity` sources in a queue; a new source beyond that replaces
/// the one at its front, so a flood of forged addresses costs O(1) each and bounded memory,
/// and at worst gives a forgotten source a fresh bucket. Below that, each new source first
/// looks at the two at the front: one whose bucket has refilled, or nearly (within
/// `forgivenShortfall` tokens), is forgotten, since a fresh bucket is the same or close; one
/// still in use goes to the back. So the table holds about the sources that spent more than
/// that within a refill time, not every host ever heard from (some 60 bytes each, kilobytes
/// for a node of a large network, and all of them where time stands still, as while a
/// simulated network is built).
public struct RateLimiter: Sendable {
    /// Tokens added per second.
    public let rate: Double
    /// The most tokens a quiet source holds.
    public let burst: Double
    /// How deep a flooding source's debt may go, in tokens: ten bursts.
    public var floor: Double { -10 * burst }
    /// Sources remembered at most.
    public let capacity: Int

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: Timestamp
    }

    private var buckets: [TrafficSource: Bucket] = [:]
    /// The sources remembered, oldest first from `front`; the slots before it are spent.
    private var arrivals: [TrafficSource] = []
    private var front = 0

    public init(rate: Double, burst: Double, capacity: Int) {
        self.rate = max(rate, 0)
        self.burst = max(burst, 1)
        self.capacity = max(capacity, 1)
    }

    /// Whether `source` may be served now; counts the attempt either way.
    public mutating func allow(_ source: TrafficSource, now: Timestamp) -> Bool {
        var bucket = buckets[source] ?? admitNew(source, now: now)
        let elapsed = max(0, (now - bucket.updated).seconds)
        bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
        bucket.updated = now
        let allowed = bucket.tokens >= 1
        bucket.tokens = max(floor, bucket.tokens - 1)
        buckets[source] = bucket
        return allowed
    }

    /// Spends one of `source`'s tokens if it has one and returns nil; else returns the
    /// tokens it holds, leaving them as they are (see `sink`).
    public mutating func take(_ source: TrafficSource, now: Timestamp) -> Double? {
        var bucket = buckets[source] ?? admitNew(source, now: now)
        let elapsed = max(0, (now - bucket.updated).seconds)
        bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
        bucket.updated = now
        defer { buckets[source] = bucket }
        guard bucket.tokens >= 1 else { return bucket.tokens }
        bucket.tokens -= 1
        return nil
    }

    /// Counts a refused attempt of `source`, just taken: a token of debt more, down to
    /// `floor` if given (never deeper than the limiter's own). Returns the tokens left.
    public mutating func sink(_ source: TrafficSource, floor givenFloor: Double? = nil) -> Double {
        guard let tokens = buckets[source]?.tokens else { return burst }
        var sunk = tokens - 1
        if let givenFloor, sunk < givenFloor { sunk = min(tokens, givenFloor) }
        sunk = max(floor, sunk)
        buckets[source]?.tokens = sunk
        return sunk
    }

    /// Clears any debt `source` ran up (its tokens back to at least zero), keeping what it has.
    public mutating func forgive(_ source: TrafficSource) {
        guard let bucket = buckets[source], bucket.tokens < 0 else { return }
        buckets[source]?.tokens = 0
    }

    /// The tokens `source` holds now (a full burst for a source not remembered), without
    /// counting an attempt; below zero, the refusals it has run up.
    public func tokens(of source: TrafficSource, now: Timestamp) -> Double {
        guard let bucket = buckets[source] else { return burst }
        return min(burst, bucket.tokens + max(0, (now - bucket.updated).seconds) * rate)
    }

    /// When a datagram to `source` may go out: `now` while tokens last, else once one has
    /// refilled, queued behind the earlier ones; nil when that is more than `maxDelay` away.
    public mutating func schedule(_ source: TrafficSource, now: Timestamp, maxDelay: Duration) -> Timestamp? {
        var bucket = buckets[source] ?? admitNew(source, now: now)
        let elapsed = max(0, (now - bucket.updated).seconds)
        bucket.tokens = min(burst, bucket.tokens + elapsed * rate)
        bucket.updated = now
        var sendAt = now
        if bucket.tokens < 1 {
            guard rate > 0 else { return nil }
            let wait = (1 - bucket.tokens) / rate
            guard wait <= maxDelay.seconds else {
                buckets[source] = bucket
                return nil
            }
            sendAt = now + .nanoseconds(Int64(wait * 1e9))
        }
        bucket.tokens -= 1
        buckets[source] = bucket
        return sendAt
    }

    /// Counts a datagram to `source` that cannot wait (a reply): it spends a token even when
    /// none is left (down to `floor`), so the queries after it wait the longer.
    public mutating func consume(_ source: TrafficSource, now: Timestamp) {
        var bucket = buckets[source] ?? admitNew(source, now: now)
        let elapsed = max(0, (now - bucket.updated).seconds)
        bucket.tokens = max(floor, min(burst, bucket.tokens + elapsed * rate) - 1)
        bucket.updated = now
        buckets[source] = bucket
    }

    /// Sources remembered now.
    public var count: Int { buckets.count }

    /// A full bucket for a source not in the table, making room first.
    private mutating func admitNew(_ source: TrafficSource, now: Timestamp) -> Bucket {
        for _ in 0..<Self.sourcesLookedAtPerArrival where front < arrivals.count {
            let first = arrivals[front]
            front += 1
            if let bucket = buckets[first], !isAsGoodAsNew(bucket, now: now) {
                arrivals.append(first)
            } else {
                buckets[first] = nil
            }
        }
        if buckets.count >= capacity, front < arrivals.count {
            buckets[arrivals[front]] = nil
            front += 1
        }
        // Spent slots are dropped once they are half the array, so each costs O(1) overall.
        if front > 32, front * 2 > arrivals.count {
            arrivals.removeFirst(front)
            front = 0
        }
        arrivals.append(source)
        return Bucket(tokens: burst, updated: now)
    }

    /// How many remembered sources each new one looks at: more than one, so the table
    /// shrinks when fewer sources arrive than went quiet.
    private static let sourcesLookedAtPerArrival = 2

    /// The tokens short of a full burst a source may be and still be forgotten: two, or a
    /// tenth of a small burst. Forgetting gives it back at most these, far less than the
    /// burst any new source gets.
    public var forgivenShortfall: Double { min(2, burst / 10) }

    /// Whether `bucket` has refilled to within `forgivenShortfall` of a full burst by `now`:
    /// it tells next to nothing more than none.
    private func isAsGoodAsNew(_ bucket: Bucket, now: Timestamp) -> Bool {
        bucket.tokens + max(0, (now - bucket.updated).seconds) * rate >= burst - forgivenShortfall
    }
}

extension RateLimiter {
    /// Heap bytes the table of sources holds.
    package var footprint: Int { Footprint.of(buckets) + Footprint.of(arrivals) }
}
