import Synchronization
import Kademlia

/// Background tasks under way across every node that shares it, so a simulation of
/// thousands of nodes asks one counter, not each node, whether the network is quiet.
public final class ActivityCounter: BackgroundActivity {
    private let running = Atomic<Int>(0)
    /// Those waiting for the count to reach zero (`untilIdle`).
    private let idleWaiters = Mutex<[CheckedContinuation<Void, Never>]>([])

    public init() {}

    /// Whether no background task of any node sharing this counter is under way.
    public var isIdle: Bool { running.load(ordering: .acquiring) == 0 }

    /// A background task began.
    public func started() { running.add(1, ordering: .relaxed) }
    /// A background task ended; the last one wakes those waiting for quiet.
    public func finished() {
        guard running.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 else { return }
        for waiter in idleWaiters.withLock({ waiters in defer { waiters = [] }; return waiters }) { waiter.resume() }
    }

    /// Returns once no background task is under way, without polling: a poll spinning on
    /// one of the two cores took a share of the time the simulated work needed.
    public func untilIdle() async {
        await withCheckedContinuation { continuation in
            let idle = idleWaiters.withLock { waiters in
                guard !isIdle else { return true }
                waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Runs `work` as a task of its own, counted until it ends; on `executor` if given (a
    /// modelled internet's, whose simulation runs only the tasks on it).
    public func track(on executor: (any TaskExecutor)? = nil, _ work: @escaping @Sendable () async -> Void) {
        started()
        Task(executorPreference: executor) { [self] in
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
        await run { await activity.untilIdle() }
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
