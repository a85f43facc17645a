import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where a node reads the time; injected so tests can run on virtual time.
public protocol NodeClock: Sendable {
    /// The current time.
    func now() -> Timestamp
    /// The wall-clock time, in milliseconds since 1970: what a journal records, since the
    /// monotonic clock starts afresh with each process.
    func wallMilliseconds() -> Int64
}

extension NodeClock {
    /// The system's real-time clock (CLOCK_REALTIME).
    public func wallMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// The monotonic system clock (CLOCK_MONOTONIC).
public struct SystemClock: NodeClock {
    public init() {}

    public func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Timestamp(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }
}

extension WallTime {
    /// Reads both of `clock`'s clocks.
    init(_ clock: any NodeClock) {
        self.init(now: clock.now(), milliseconds: clock.wallMilliseconds())
    }
}
