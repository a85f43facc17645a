import Synchronization

/// A task executor that runs nothing until told: the simulation drains it on its own
/// thread, one job at a time in the order they came, and knows that when it is empty every
/// task on it waits for the network. That makes time safe to move, and a run repeatable.
public final class SimulationExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])

    public init() {}

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
    }

    /// Runs jobs until none is left, those they enqueue included; returns how many ran.
    @discardableResult
    func runUntilIdle() -> Int {
        var ran = 0
        while true {
            let batch = jobs.withLock { queue -> [UnownedJob] in
                defer { queue.removeAll(keepingCapacity: true) }
                return queue
            }
            if batch.isEmpty { return ran }
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
            ran += batch.count
        }
    }

    /// Whether a job waits to run.
    var hasWork: Bool { jobs.withLock { !$0.isEmpty } }
}
