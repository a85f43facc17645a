import Synchronization
import Kademlia

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
