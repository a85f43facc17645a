/// Latencies of one phase and what they add up to.
struct PhaseResult {
    var latenciesSeconds: [Double] = []
    var successes = 0
    var wallSeconds = 0.0
    /// CPU time the whole process used during the phase, user and system.
    var cpuSeconds = 0.0
    var traffic = TrafficDelta()
    var hops: [Int] = []

    var operations: Int { latenciesSeconds.count }

    /// The `fraction` quantile of the latencies in milliseconds (nearest rank).
    func percentileMilliseconds(_ fraction: Double) -> Double {
        guard !latenciesSeconds.isEmpty else { return 0 }
        let sorted = latenciesSeconds.sorted()
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)] * 1000
    }

    /// The median of the lookup hop counts.
    var medianHops: Int {
        guard !hops.isEmpty else { return 0 }
        return hops.sorted()[hops.count / 2]
    }
}

/// Queries sent during a phase, by method.
struct TrafficDelta {
    var pings = 0
    var findNodes = 0
    var findValues = 0
    var stores = 0
    var timeouts = 0
    var datagrams = 0

    var total: Int { pings + findNodes + findValues + stores }
}
