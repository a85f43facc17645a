import Synchronization

extension MemoryNetwork {
    /// Runs `operation` to completion, moving virtual time on by `step` whenever the
    /// network has gone quiet (no datagram delivered since the last look), so queries to
    /// silent nodes time out while the rest of the work takes no virtual time at all.
    public func run<Result: Sendable>(
        step: Duration = .milliseconds(100),
        _ operation: @escaping @Sendable () async -> Result
    ) async -> Result {
        let done = CompletionFlag()
        let task = Task {
            let result = await operation()
            done.set()
            return result
        }
        var lastDelivered = -1
        while !done.isSet {
            let delivered = counts.delivered
            if delivered == lastDelivered { advance(by: step) }
            lastDelivered = delivered
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
