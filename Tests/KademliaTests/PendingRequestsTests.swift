import Synchronization
import Testing
@testable import Kademlia

private let start = Timestamp(nanoseconds: 1_000_000_000)
private let responder = NodeID(high: 1, middle: 2, low: 3)

/// The table shared between the waiting tasks and the test, as the node shares it.
private final class SharedTable: Sendable {
    let lock: Mutex<PendingRequests>
    init(_ table: sending PendingRequests) { lock = Mutex(table) }
}

/// Counts how often a stall callback ran.
private final class StallCounter: Sendable {
    let calls = Atomic<Int>(0)
    var callback: @Sendable () -> Void { { self.calls.add(1, ordering: .relaxed) } }
}

private func address(_ index: Int) -> SocketAddress {
    SocketAddress(ip: 0x0A00_0000 + UInt32(index), port: 6881)
}

/// Resumes whatever is still waiting, so a failing expectation fails the test instead of hanging it.
private func releaseAll(_ pending: inout PendingRequests) {
    for leftover in pending.removeAll() { leftover.resume(returning: .failure(.cancelled)) }
}

@Suite struct PendingRequestsTests {
    @Test func reserveNeverHandsOutAKeyInUse() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 1)
        // 60,000 of the 65,536 transaction ids toward one address: random draws collide
        // constantly near the end, so any reuse would show.
        var seen = Set<PendingRequests.Key>()
        for _ in 0..<60_000 {
            let key = pending.reserve(to: address(1), using: &generator)
            #expect(key.address == address(1))
            #expect(seen.insert(key).inserted, "key \(key.transactionID) handed out twice")
        }
        #expect(pending.count == 60_000)
        #expect(Set(pending.keys) == seen)
    }

    @Test func sameTransactionIDMayGoToDifferentAddresses() {
        var pending = PendingRequests()
        var first = SeededGenerator(seed: 7)
        var second = SeededGenerator(seed: 7)
        let toOne = pending.reserve(to: address(1), using: &first)
        let toTwo = pending.reserve(to: address(2), using: &second)
        #expect(toOne.transactionID == toTwo.transactionID)
        #expect(toOne != toTwo)
        #expect(pending.count == 2)
    }

    @Test func removeOfUnknownOrUnattachedKeys() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 2)
        #expect(pending.remove(PendingRequests.Key(transactionID: 42, address: address(3))) == nil)
        let reserved = pending.reserve(to: address(3), using: &generator)
        let wrongAddress = PendingRequests.Key(transactionID: reserved.transactionID, address: address(4))
        #expect(pending.remove(wrongAddress) == nil)
        #expect(pending.count == 1, "a reply from another address leaves the entry alone")
        let unattached = pending.remove(reserved)
        #expect(unattached != nil)
        #expect(unattached?.continuation == nil, "nothing attached yet")
        #expect(pending.count == 0)
        #expect(pending.remove(reserved) == nil)
    }

    @Test func sweepNeverRemovesUnattachedEntries() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 3)
        for index in 0..<5 { _ = pending.reserve(to: address(index), using: &generator) }
        let due = pending.sweep(now: Timestamp(nanoseconds: .max))
        #expect(due.expired.isEmpty && due.stalled.isEmpty)
        #expect(pending.count == 5)
        #expect(pending.removeAll().isEmpty)
        #expect(pending.count == 0)
    }

    @Test func attachAfterCancellationFailsAndReplyResumesWaiter() async {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 4)
        let cancelled = pending.reserve(to: address(1), using: &generator)
        _ = pending.remove(cancelled)
        let refused = await withCheckedContinuation { (continuation: CheckedContinuation<RPCResult, Never>) in
            let attached = pending.attach(continuation, to: cancelled, now: start, deadline: start + .seconds(2))
            #expect(!attached)
            // Resume exactly once whichever way attach went.
            if attached { releaseAll(&pending) } else { continuation.resume(returning: .failure(.cancelled)) }
        }
        #expect(refused == .failure(.cancelled))

        let key = pending.reserve(to: address(2), using: &generator)
        let answered = await withCheckedContinuation { (continuation: CheckedContinuation<RPCResult, Never>) in
            let attached = pending.attach(continuation, to: key, now: start, deadline: start + .seconds(2))
            #expect(attached)
            guard attached else { return continuation.resume(returning: .failure(.cancelled)) }
            #expect(pending.sweep(now: start + .seconds(1)).expired.isEmpty)
            let entry = pending.remove(key)
            #expect(entry?.sentAt == start)
            #expect(entry?.hasStalled == false)
            #expect(pending.remove(key) == nil, "a duplicate reply finds nothing")
            entry?.continuation?.resume(returning: .success(Response(id: responder)))
            releaseAll(&pending)
        }
        #expect(answered == .success(Response(id: responder)))
        #expect(pending.count == 0)
    }

    @Test func sweepRemovesAtDeadlineNotBefore() async {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 5)
        let key = pending.reserve(to: address(1), using: &generator)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<RPCResult, Never>) in
            let attached = pending.attach(continuation, to: key, now: start, deadline: start + .seconds(2))
            #expect(attached)
            guard attached else { return continuation.resume(returning: .failure(.cancelled)) }
            #expect(pending.sweep(now: start + .seconds(2) - .nanoseconds(1)).expired.isEmpty)
            #expect(pending.count == 1)
            let due = pending.sweep(now: start + .seconds(2))
            #expect(due.expired.count == 1)
            #expect(due.stalled.isEmpty, "no stall callback was given")
            #expect(pending.count == 0)
            #expect(pending.remove(key) == nil, "a late reply finds nothing")
            for waiter in due.expired { waiter.resume(returning: .failure(.timedOut)) }
            releaseAll(&pending)
        }
        #expect(result == .failure(.timedOut))
    }

    @Test func stallIsReportedOnceAndTheQueryKeepsWaiting() async {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 8)
        let counter = StallCounter()
        let key = pending.reserve(to: address(1), using: &generator)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<RPCResult, Never>) in
            let attached = pending.attach(continuation, to: key, now: start, deadline: start + .seconds(2),
                                          stallDeadline: start + .milliseconds(500), onStall: counter.callback)
            guard attached else { return continuation.resume(returning: .failure(.cancelled)) }
            #expect(pending.sweep(now: start + .milliseconds(499)).stalled.isEmpty)
            let stall = pending.sweep(now: start + .milliseconds(500))
            #expect(stall.stalled.count == 1)
            #expect(stall.expired.isEmpty)
            for onStall in stall.stalled { onStall() }
            #expect(counter.calls.load(ordering: .relaxed) == 1)
            #expect(pending.count == 1, "a stalled query still waits for its answer")
            #expect(pending.sweep(now: start + .seconds(1)).stalled.isEmpty, "reported once")
            #expect(pending.sweep(now: start + .seconds(2) - .nanoseconds(1)).expired.isEmpty)
            let entry = pending.remove(key)
            #expect(entry?.hasStalled == true)
            entry?.continuation?.resume(returning: .success(Response(id: responder)))
            releaseAll(&pending)
        }
        #expect(result == .success(Response(id: responder)), "a stalled query may still be answered")
    }

    @Test func hardTimeoutSupersedesAnUnreportedStall() async {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 9)
        let counter = StallCounter()
        let key = pending.reserve(to: address(1), using: &generator)
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<RPCResult, Never>) in
            let attached = pending.attach(continuation, to: key, now: start, deadline: start + .seconds(2),
                                          stallDeadline: start + .seconds(1), onStall: counter.callback)
            guard attached else { return continuation.resume(returning: .failure(.cancelled)) }
            let due = pending.sweep(now: start + .seconds(3))
            #expect(due.expired.count == 1)
            #expect(due.stalled.isEmpty)
            for waiter in due.expired { waiter.resume(returning: .failure(.timedOut)) }
            releaseAll(&pending)
        }
        #expect(result == .failure(.timedOut))
        #expect(pending.count == 0)
    }

    @Test(.timeLimit(.minutes(1)))
    func sweepResumesOnlyDueWaitersAndRepliesResumeTheRest() async throws {
        var generator = SeededGenerator(seed: 6)
        var initial = PendingRequests()
        let deadlines: [Int64] = [20, 5, 10, 30, 10]
        let keys = deadlines.indices.map { initial.reserve(to: address($0), using: &generator) }
        let table = SharedTable(initial)
        let (attached, signal) = AsyncStream.makeStream(of: Void.self)

        let results = await withTaskGroup(of: (Int, RPCResult).self) { group in
            for (index, deadline) in deadlines.enumerated() {
                let key = keys[index]
                group.addTask {
                    let result = await withCheckedContinuation { continuation in
                        let ok = table.lock.withLock {
                            $0.attach(continuation, to: key, now: start, deadline: start + .seconds(deadline))
                        }
                        if !ok { continuation.resume(returning: .failure(.cancelled)) }
                        signal.yield()
                    }
                    return (index, result)
                }
            }
            var attachedCount = 0
            for await _ in attached {
                attachedCount += 1
                if attachedCount == deadlines.count { break }
            }
            let due = table.lock.withLock { $0.sweep(now: start + .seconds(10)) }
            #expect(due.expired.count == 3)
            for waiter in due.expired { waiter.resume(returning: .failure(.timedOut)) }
            #expect(table.lock.withLock { $0.sweep(now: start + .seconds(15)) }.expired.isEmpty)
            // The 20 s query is answered; the 30 s one is cut off by shutdown.
            table.lock.withLock { $0.remove(keys[0]) }?.continuation?.resume(returning: .success(Response(id: responder)))
            let remaining = table.lock.withLock { $0.removeAll() }
            #expect(remaining.count == 1)
            for waiter in remaining { waiter.resume(returning: .failure(.cancelled)) }

            var collected = [Int: RPCResult]()
            for await (index, result) in group { collected[index] = result }
            return collected
        }
        #expect(results[0] == .success(Response(id: responder)))
        #expect(results[1] == .failure(.timedOut))
        #expect(results[2] == .failure(.timedOut))
        #expect(results[3] == .failure(.cancelled))
        #expect(results[4] == .failure(.timedOut))
        #expect(table.lock.withLock { $0.count } == 0)
    }
}

extension PendingRequests {
    /// Attaches and arms in one step: a query whose send did not settle it inline.
    mutating func attach(
        _ continuation: CheckedContinuation<RPCResult, Never>, to key: Key, now: Timestamp, deadline: Timestamp,
        stallDeadline: Timestamp? = nil, onStall: (@Sendable () -> Void)? = nil
    ) -> Bool {
        guard attach(continuation, to: key, sentAt: now) else { return false }
        arm(key, deadline: deadline, stallDeadline: stallDeadline, onStall: onStall)
        return true
    }
}
