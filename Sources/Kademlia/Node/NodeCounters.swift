import Synchronization

/// Running totals of what a node has done, for benchmarks and `status`.
final class NodeCounters: Sendable {
    let sent = Atomic<Int>(0)
    let received = Atomic<Int>(0)
    let timeouts = Atomic<Int>(0)
}

/// Totals of a node's traffic since it started.
public struct TrafficCounts: Sendable, Equatable {
    public var datagramsSent: Int
    public var datagramsReceived: Int
    public var queriesTimedOut: Int
}

extension DHTNode {
    /// Totals of this node's traffic since it started.
    public var traffic: TrafficCounts {
        TrafficCounts(
            datagramsSent: counters.sent.load(ordering: .relaxed),
            datagramsReceived: counters.received.load(ordering: .relaxed),
            queriesTimedOut: counters.timeouts.load(ordering: .relaxed))
    }
}
