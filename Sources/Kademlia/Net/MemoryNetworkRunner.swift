import Synchronization

extension MemoryNetwork {
    static let quietLooksBeforeTimePasses = 4

    /// Runs `operation` to completion on virtual time.
    ///
    /// Live nodes answer inline, so the only thing an operation can wait for is a query
    /// lost to a silent node. So virtual time moves (to the next requested wake-up, or on
    /// by `step`) only when the network has gone quiet and a datagram was lost within the
    /// last `waitHorizon`; otherwise the work takes no virtual time at all, and timers
    /// such as bucket refresh fire only when a caller advances the clock itself.
    public func run<Result: Sendable>(
        step: Duration = .milliseconds(100),
        waitHorizon: Duration = .seconds(30),
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
                if let lost = lastDropTime, clock.now() < lost + waitHorizon, !advanceToNextWake() {
                    advance(by: step)
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
