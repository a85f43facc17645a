import Synchronization
import Kademlia

extension MemoryNetwork {
    static let quietLooksBeforeTimePasses = 8

    /// Runs `operation` to completion on virtual time.
    ///
    /// On a modelled internet this is `simulate`. On the instant network, live nodes answer inline, so the only thing an operation can
    /// wait for is a query lost to a silent node. So virtual time moves (to the next requested wake-up, at most
    /// `step` on) only when the network has gone quiet and a datagram was lost within the
    /// last `waitHorizon` (a query's timeout, plus margin); otherwise the work takes no
    /// virtual time at all, and timers such as bucket refresh fire only when a caller
    /// advances the clock itself. The bounds keep a pause that only looked like waiting
    /// (a task between two awaits) from carrying virtual time far.
    public func run<Result: Sendable>(
        step: Duration = .milliseconds(100),
        waitHorizon: Duration = .milliseconds(2500),
        _ operation: @escaping @Sendable () async -> Result
    ) async -> Result {
        if internet != nil { return await simulate(operation) }
        let done = CompletionFlag()
        let task = Task {
            let result = await operation()
            done.set()
            return result
        }
        var lastDelivered = -1
        var quietLooks = 0
        while !done.isSet {
            let delivered = counts.delivered
            quietLooks = delivered == lastDelivered ? quietLooks + 1 : 0
            lastDelivered = delivered
            if quietLooks >= Self.quietLooksBeforeTimePasses {
                quietLooks = 0
                let now = clock.now()
                if let earliest = wakes.withLock({ $0.earliest }), earliest <= now {
                    // A wake-up for a moment the clock had passed (its asker read the clock,
                    // then waited for a thread while this loop moved time on) is due now,
                    // however long ago a datagram was lost: left, it waited forever.
                    tickDue(now: now)
                } else if let lost = lastDropTime, now < lost + waitHorizon {
                    let limit = min(now + step, lost + waitHorizon)
                    advance(to: min(wakes.withLock { $0.earliest } ?? limit, limit))
                } else if Task.isCancelled, let earliest = wakes.withLock({ $0.earliest }) {
                    // Cancelled (a test's time limit): time runs on to each wake-up, whatever
                    // the horizon, so the operation's own timeouts end it rather than this
                    // loop spinning for good.
                    task.cancel()
                    advance(to: earliest)
                }
            }
            await Task.yield()
        }
        return await task.value
    }
}

extension MemoryNetwork {
    /// Runs `operation` to completion on a modelled internet, as a discrete-event simulation:
    /// the operation and every task of the nodes run on `executor`, which is drained until
    /// all of them wait; only then does time move, to the next event (an arrival or a
    /// wake-up), whose work is drained in turn. Nothing races the clock, so a run replays
    /// event for event. Nodes must be configured with `executor` as their `taskExecutor`.
    /// Several callers may run at once: one drives, the others wait for their results.
    func simulate<Result: Sendable>(_ operation: @escaping @Sendable () async -> Result) async -> Result {
        let outcome = ResultSlot<Result>()
        Task(executorPreference: executor) { outcome.set(await operation()) }
        while true {
            if let result = outcome.value { return result }
            let waitingOutside = drivingStep { () -> Bool in
                guard executor.runUntilIdle() == 0, outcome.value == nil else { return false }
                guard let next = nextEvent else { return true }
                runInstant(next)
                return false
            }
            // Another caller drives; or nothing here is left to run or wait for, and the
            // operation waits on something outside the simulation (a real timer), which
            // needs this thread's turn.
            if waitingOutside ?? true { await Task.yield() }
        }
    }

    /// Runs `step` as the one caller driving the simulation; nil at once, without running
    /// it, while another caller drives.
    private func drivingStep<Value>(_ step: () -> Value) -> Value? {
        guard driving.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return nil }
        defer { driving.store(false, ordering: .releasing) }
        return step()
    }
}

extension MemoryNetwork {
    /// Lets the network run on its own for `duration` of virtual time: the nodes' upkeep
    /// and nothing else. On a modelled internet every event until then plays out in order,
    /// as `simulate` plays them; the instant network only moves its clock (`advance`).
    public func idle(for duration: Duration) async {
        let end = clock.now() + duration
        guard internet != nil else { return advance(to: end) }
        while true {
            let ended = drivingStep { () -> Bool in
                executor.runUntilIdle()
                if let next = nextEvent, next < end {
                    runInstant(next)
                    return false
                }
                runInstant(end)
                executor.runUntilIdle()
                return true
            }
            if ended == true { return }
            if ended == nil { await Task.yield() }
        }
    }
}

/// A result one task leaves and another picks up.
private final class ResultSlot<Value: Sendable>: Sendable {
    private let slot = Mutex<Value?>(nil)
    var value: Value? { slot.withLock { $0 } }
    func set(_ value: Value) { slot.withLock { $0 = value } }
}

/// A flag one task raises and another polls.
private final class CompletionFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    var isSet: Bool { raised.load(ordering: .acquiring) }
    func set() { raised.store(true, ordering: .releasing) }
}

extension MemoryNetwork {
    /// Joins each node through its seed address, all at once, on virtual time: arrivals that
    /// overlap, as a real network's do, and a build far quicker than one join after another.
    public func join(_ newcomers: [(node: DHTNode, seed: SocketAddress)]) async {
        await run {
            await withTaskGroup(of: Void.self) { group in
                for (node, seed) in newcomers { group.addTask { _ = try? await node.bootstrap([seed]) } }
            }
        }
    }
}
