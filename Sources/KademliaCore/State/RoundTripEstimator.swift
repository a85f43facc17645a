/// A smoothed round-trip time and its variation (the RFC 6298 estimator), so the
/// stall timeout follows the network: tens of milliseconds on a LAN, about a second
/// on a slow path, instead of one guess for both.
public struct RoundTripEstimator: Sendable {
    private var smoothed: Double?
    private var variation = 0.0

    public init() {}

    /// Folds in one measured round trip.
    public mutating func record(_ sample: Duration) {
        let seconds = sample.seconds
        guard let current = smoothed else {
            smoothed = seconds
            variation = seconds / 2
            return
        }
        variation = 0.75 * variation + 0.25 * abs(current - seconds)
        smoothed = 0.875 * current + 0.125 * seconds
    }

    /// How long a query may stay silent before it counts as stalled: the smoothed round
    /// trip plus four deviations, kept within `floor...ceiling`; `ceiling` before any sample.
    public func stallTimeout(floor: Duration, ceiling: Duration) -> Duration {
        guard let smoothed else { return ceiling }
        let seconds = smoothed + 4 * variation
        // Compared as a Double first: converting an enormous estimate to Int64 would trap.
        guard seconds < ceiling.seconds else { return ceiling }
        return max(.nanoseconds(Int64(seconds * 1e9)), floor)
    }
}
