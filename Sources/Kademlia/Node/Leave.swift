import Synchronization

/// Leaving gracefully: before it stops, a node hands each value it holds to the nearest
/// node outside the value's K closest that lacks it, the one that takes its place among
/// them. A crash skips this; replication covers it.
extension DHTNode {
    /// Hands every value and tombstone held here on (bounded by `leaveTimeout`), then stops.
    /// Returns how many were handed to a node that lacked them.
    @discardableResult
    public func leave() async -> Int {
        let now = clock.now()
        let plans = read { $0.leavePlan(now: now) }
        let handed = HandedCount()
        let work = Task { [self] in
            await forEach(plans, width: Self.replicationWidth) { [self] plan in
                if await handOnward(plan.target, plan.candidates) { handed.add() }
            }
        }
        let timer = Task { [configuration] in
            try? await Task.sleep(for: configuration.leaveTimeout)
            work.cancel()
        }
        await work.value
        timer.cancel()
        log(.info, .membership, "left: handed \(handed.value) of \(plans.count) values on")
        stop()
        return handed.value
    }

    /// Offers one value to the nearest candidate that lacks it; true if one took it.
    private func handOnward(_ target: NodeID, _ candidates: [Contact]) async -> Bool {
        let now = clock.now()
        guard let held = read({ $0.store.entry(for: target, now: now) }), !candidates.isEmpty else { return false }
        let ours = FoundValue(held)
        let probes = candidates.map { OutboundQuery(query: .findValue(target: target), address: $0.address, expectedID: $0.id) }
        let replies = await requestAll(probes, for: .data)
        for (candidate, reply) in zip(candidates, replies) {
            guard case .success(let response) = reply else { continue }
            if let theirs = response.foundValue, theirs == ours || theirs.supersedes(ours) { continue }
            guard let token = response.token else { continue }
            let write = Write(passingOn: held, for: target, now: clock.now())
            guard write.ttl ?? 0 > 0 else { return false }
            let request = write.request(token: token)
            if case .success = await self.request(.store(request), to: candidate.address, expecting: candidate.id, for: .data) {
                return true
            }
        }
        return false
    }
}

/// A count several tasks add to.
private final class HandedCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
