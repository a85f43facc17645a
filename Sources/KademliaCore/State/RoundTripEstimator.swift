/// The round trips this node has seen lately, as a histogram over log-spaced bins, so the
/// stall timeout is a high quantile of them: a query still silent after 80% of answers
/// would have come is more likely lost than slow, and the lookup asks someone else.
///
/// On the internet a node's round trips span two orders of magnitude (a neighbour in
/// 10 ms, the far side of the world in 300), so the RFC 6298 estimator (mean plus four
/// deviations) sat near its ceiling and a silent node held a lookup up for most of half a
/// second. The quantile follows the spread instead of being widened by it. Old samples
/// fade: all bins halve once they hold `memory` samples.
public struct RoundTripEstimator: Sendable {
    /// Four bins per octave from 2^-12 s (about 0.24 ms) to 2 s; the first also holds
    /// anything faster, the last anything slower.
    private var bins = [UInt16](repeating: 0, count: 52)
    private var total = 0
    private static let lowestOctave = -12
    /// Where each quarter of an octave starts, as a significand in 1..<2 (2^(i/4)).
    private static let quarters: [Double] = [1, 1.189_207_115, 1.414_213_562, 1.681_792_830]
    private static let memory = 512
    /// Samples needed before the quantile is trusted over the ceiling: one will do, since
    /// a host far from everyone must not stall on every query of its first lookup.
    private static let minimumSamples = 1
    /// The share of answers that come before a query counts as stalled.
    public static let stallQuantile = 0.8

    /// Recent queries answered and left unanswered (timed out), halved together every 512.
    private var answered = 0.0
    private var unanswered = 0.0

    public init() {}

    /// The share of recent queries that went unanswered, 0 until any has been sent.
    public var unansweredShare: Double {
        answered + unanswered > 0 ? unanswered / (answered + unanswered) : 0
    }

    /// Counts a query that timed out.
    public mutating func recordUnanswered() {
        unanswered += 1
        decayOutcomes()
    }

    /// Spares a write's final round should ask past the K closest (at most `limit`): as many
    /// as the unanswered share predicts silent among K + spares, none where all answer (a
    /// spare is one more query, worth it only if it saves waiting on a silent one).
    public func spares(k: Int, limit: Int) -> Int {
        let share = min(unansweredShare, 0.5)
        guard share >= 0.01 else { return 0 }
        return min(limit, Int((Double(k) * share / (1 - share)).rounded(.up)))
    }

    private mutating func decayOutcomes() {
        guard answered + unanswered >= Double(Self.memory) else { return }
        answered /= 2
        unanswered /= 2
    }

    /// Folds in one measured round trip.
    public mutating func record(_ sample: Duration) {
        answered += 1
        decayOutcomes()
        bins[Self.bin(of: sample.seconds)] += 1
        total += 1
        guard total >= Self.memory else { return }
        total = 0
        for bin in bins.indices {
            bins[bin] /= 2
            total += Int(bins[bin])
        }
    }

    /// How long a query may stay silent before it counts as stalled: the upper edge of the
    /// bin holding the `stallQuantile` of recent round trips, kept within `floor...ceiling`;
    /// `ceiling` until a few samples are in.
    public func stallTimeout(floor: Duration, ceiling: Duration) -> Duration {
        guard total >= Self.minimumSamples else { return ceiling }
        let wanted = Int((Double(total) * Self.stallQuantile).rounded(.up))
        var seen = 0
        for bin in bins.indices {
            seen += Int(bins[bin])
            guard seen >= wanted else { continue }
            guard bin < bins.count - 1 else { return ceiling }
            let edge = Self.lowerEdge(of: bin + 1)
            guard edge < ceiling.seconds else { return ceiling }
            return max(.nanoseconds(Int64(edge * 1e9)), floor)
        }
        return ceiling
    }

    /// The bin a round trip of `seconds` falls in: its octave from the binary exponent,
    /// its quarter from the significand, with no logarithm (the core has no libm).
    private static func bin(of seconds: Double) -> Int {
        guard seconds.isFinite, seconds > 0 else { return 0 }
        let octave = Int(seconds.exponent) - lowestOctave
        guard octave >= 0 else { return 0 }
        let quarter = quarters.lastIndex { seconds.significand >= $0 } ?? 0
        return min(octave * 4 + quarter, 51)
    }

    /// Where bin `index` starts, in seconds.
    private static func lowerEdge(of index: Int) -> Double {
        Double(sign: .plus, exponent: index / 4 + lowestOctave, significand: quarters[index % 4])
    }
}

extension RoundTripEstimator {
    /// Heap bytes the histogram holds.
    package var footprint: Int { Footprint.of(bins) }
}
