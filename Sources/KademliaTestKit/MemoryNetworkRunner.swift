import Synchronization
import Kademlia

extension MemoryNetwork {
    static let quietLooksBeforeTimePasses = 8

    /// Runs `operation` to completion on virtual time.
    ///
    /// Live nodes answer inline, so the only thing an operation can wait for is a query
    /// lost to a silent node. So virtual time moves (to the next requested wake-up, at most
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
                if let lost = lastDropTime, now < lost + waitHorizon {
                    let limit = min(now + step, lost + waitHorizon)
                    advance(to: min(wakes.withLock { $0.earliest } ?? limit, limit))
                }
            }
            await Task.yield()
        }
        return await task.value
    }
}

/// A flag one task raises and another polls.
private final class CompletionFlag: Sendable {
    private let raised = Atomic<Bool>(false)
    var isSet: Bool { raised.load(ordering: .acquiring) }
    func set() { raised.store(true, ordering: .releasing) }
}
