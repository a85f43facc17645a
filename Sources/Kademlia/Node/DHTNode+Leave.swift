import Synchronization

/// Leaving gracefully: before it stops, a node hands each value it holds to the nearest
/// node outside the value's K closest that lacks it, the one that takes its place among
/// them. A crash skips this; replication covers it.
extension DHTNode {
    /// Leaves the network politely: hands every value and tombstone held here to the node
    /// that takes this one's place among its K closest (for at most `leaveTimeout` on the
    /// node's clock), then calls `stop()`. Returns how many were handed to a node that
    /// lacked them. Use `stop()` alone to quit at once without handing anything on (tests,
    /// a crash-like exit).
    @discardableResult
    public func leave() async -> Int {
        let now = clock.now()
        let plans = read { $0.leavePlan(now: now) }
        let handed = HandedCount()
        // Whichever ends first, the hand-offs or the time limit, ends the leave; `stop` then
        // fails the queries still out, so a silent candidate cannot hold it past the limit.
        let (ended, end) = AsyncStream.makeStream(of: Void.self)
        let work = spawn { [self] in
            await forEach(plans, width: Self.replicationWidth) { [self] plan in
                if await !offer(plan.target, to: plan.candidates, as: .leaving).took.isEmpty { handed.add() }
            }
            end.yield()
        }
        let timer = spawn { [self] in
            await sleep(until: now + configuration.leaveTimeout)
            end.yield()
        }
        for await _ in ended { break }
        work.cancel()
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
