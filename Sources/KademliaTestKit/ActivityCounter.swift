import Synchronization
import Kademlia

/// Background tasks under way across every node that shares it, so a simulation of
/// thousands of nodes asks one counter, not each node, whether the network is quiet.
public final class ActivityCounter: BackgroundActivity {
    private let running = Atomic<Int>(0)

    public init() {}

    /// Whether no background task of any node sharing this counter is under way.
    public var isIdle: Bool { running.load(ordering: .acquiring) == 0 }

    /// A background task began.
    public func started() { running.add(1, ordering: .relaxed) }
    /// A background task ended.
    public func finished() { running.subtract(1, ordering: .releasing) }

    /// Runs `work` as a task of its own, counted until it ends.
    public func track(_ work: @escaping @Sendable () async -> Void) {
        started()
        Task {
            await work()
            finished()
        }
    }
}

extension MemoryNetwork {
    /// Waits until `activity` is idle, moving virtual time only as far as the queries the
    /// background tasks wait on need (a query to a vanished node waits for its timeout).
    public func settle(_ activity: ActivityCounter) async {
        guard !activity.isIdle else { return }
        await run { while !activity.isIdle { await Task.yield() } }
    }

    /// Lets `duration` of virtual time pass in steps of `step`: each step ticks every node
    /// whose wake-up falls within it, then waits for the work that set off to finish.
    public func pass(_ duration: Duration, step: Duration = .seconds(1), settling activity: ActivityCounter) async {
        let end = clock.now() + duration
        while clock.now() < end {
            advance(to: min(clock.now() + step, end))
            await settle(activity)
        }
    }
}
