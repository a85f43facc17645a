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

/// A clock that only moves when told to: the virtual time of simulations and tests.
public final class ManualClock: NodeClock {
    private let current: Mutex<Timestamp>
    /// The wall-clock time at virtual time zero, in milliseconds since 1970.
    public let wallOrigin: Int64

    /// A clock at `start`; its wall clock reads `wallOrigin` plus the virtual time, so a
    /// node restarted on a clock with a later `start` sees that time pass while it was down.
    public init(start: Timestamp = Timestamp(nanoseconds: 1_000_000_000), wallOrigin: Int64 = 1_800_000_000_000) {
        current = Mutex(start)
        self.wallOrigin = wallOrigin
    }

    public func now() -> Timestamp { current.withLock { $0 } }

    public func wallMilliseconds() -> Int64 { wallOrigin + now().nanoseconds / 1_000_000 }

    /// Moves the clock forward to `instant`, if that is later than now; returns the new time.
    @discardableResult
    public func advance(to instant: Timestamp) -> Timestamp {
        current.withLock { now in
            now = max(now, instant)
            return now
        }
    }

    /// Moves the clock forward and returns the new time.
    @discardableResult
    public func advance(by duration: Duration) -> Timestamp {
        current.withLock { now in
            now = now + duration
            return now
        }
    }
}

extension WallTime {
    /// Reads both of `clock`'s clocks.
    init(_ clock: any NodeClock) {
        self.init(now: clock.now(), milliseconds: clock.wallMilliseconds())
    }
}
