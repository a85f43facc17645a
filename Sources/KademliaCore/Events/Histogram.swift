/// Observations counted into buckets by upper bound, as a Prometheus histogram reports
/// them: fixed memory whatever is observed.
public struct Histogram: Sendable, Equatable {
    /// The buckets' upper bounds, ascending; one more bucket takes everything above the last.
    public let bounds: [Double]
    /// Observations per bucket (not cumulative), the last for those above every bound.
    public private(set) var counts: [Int]
    /// The sum of every observation.
    public private(set) var sum = 0.0
    /// How many observations.
    public private(set) var count = 0

    /// An empty histogram with these upper bounds (sorted here).
    public init(bounds: [Double]) {
        self.bounds = bounds.sorted()
        counts = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Counts `value` in the first bucket whose bound it does not exceed.
    public mutating func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 } ?? bounds.count
        counts[index] += 1
        sum += value
        count += 1
    }

    /// Observations at or under each bound, cumulative as Prometheus's `_bucket` series are;
    /// the last, with a nil bound, is `+Inf` and equals `count`.
    public var cumulative: [(bound: Double?, count: Int)] {
        var running = 0
        return counts.enumerated().map { index, bucketCount in
            running += bucketCount
            return (index < bounds.count ? bounds[index] : nil, running)
        }
    }
}
