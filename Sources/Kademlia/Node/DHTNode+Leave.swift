import Synchronization

/// Leaving gracefully: before it stops, a node hands each value it holds to the nearest
/// node outside the value's K closest that lacks it, the one that takes its place among
/// them. A crash skips this; replication covers it.
extension DHTNode {
    /// Leaves the network politely: hands every value and tombstone held here to the node
    /// that takes this one's place among its K closest (bounded by `leaveTimeout`), then
    /// calls `stop()`. Returns how many were handed to a node that lacked them. Use `stop()`
    /// alone to quit at once without handing anything on (tests, a crash-like exit).
    @discardableResult
    public func leave() async -> Int {
        let now = clock.now()
        let plans = read { $0.leavePlan(now: now) }
        let handed = HandedCount()
        let work = spawn { [self] in
            await forEach(plans, width: Self.replicationWidth) { [self] plan in
                if await !offer(plan.target, to: plan.candidates, as: .leaving).took.isEmpty { handed.add() }
            }
        }
        let timer = Task { [configuration] in
            try? await Task.sleep(for: configuration.leaveTimeout)
            work.cancel()
        }
        await work.value
        timer.cancel()
        log(.info, .membership, "left: handed \(handed.value) of \(plans.count) values on",
            fields: [.count("handed", handed.value), .count("values", plans.count)])
        stop()
        return handed.value
    }
}

/// A count several tasks add to.
private final class HandedCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
