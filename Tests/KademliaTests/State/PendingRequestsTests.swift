import Synchronization
import Testing
@testable import Kademlia
@testable import KademliaCore

private let responder = NodeID(high: 1, middle: 2, low: 3)

/// Collects what completions and stall callbacks were called with.
private final class Recorder: Sendable {
    let results = Mutex<[Int: RPCResult]>([:])
    let stalls = Atomic<Int>(0)

    func completion(_ index: Int) -> PendingRequests.Completion {
        { result in self.results.withLock { $0[index] = result } }
    }

    var onStall: @Sendable () -> Void { { self.stalls.add(1, ordering: .relaxed) } }

    func result(_ index: Int) -> RPCResult? { results.withLock { $0[index] } }
}

private func address(_ index: Int) -> SocketAddress {
    SocketAddress(ip: 0x0A00_0000 + UInt32(index), port: 6881)
}

private let ignore: PendingRequests.Completion = { _ in }

@Suite struct PendingRequestsTests {
    @Test func reserveNeverHandsOutAKeyInUse() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 1)
        // 60,000 of the 65,536 transaction ids toward one address: random draws collide
        // constantly near the end, so any reuse would show.
        var seen = Set<PendingRequests.Key>()
        for _ in 0..<60_000 {
            let key = pending.reserve(to: address(1), sentAt: start, using: &generator, completion: ignore)
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
        let toOne = pending.reserve(to: address(1), sentAt: start, using: &first, completion: ignore)
        let toTwo = pending.reserve(to: address(2), sentAt: start, using: &second, completion: ignore)
        #expect(toOne.transactionID == toTwo.transactionID)
        #expect(toOne != toTwo)
        #expect(pending.count == 2)
    }

    @Test func aReplyMustMatchTransactionIDAndAddress() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 2)
        #expect(pending.remove(PendingRequests.Key(transactionID: 42, address: address(3))) == nil)
        let reserved = pending.reserve(to: address(3), sentAt: start, using: &generator, completion: ignore)
        let wrongAddress = PendingRequests.Key(transactionID: reserved.transactionID, address: address(4))
        #expect(pending.remove(wrongAddress) == nil)
        #expect(pending.count == 1, "a reply from another address leaves the entry alone")
        let entry = pending.remove(reserved)
        #expect(entry?.sentAt == start, "the send time is known before the query is armed")
        #expect(entry?.hasStalled == false)
        #expect(pending.count == 0)
        #expect(pending.remove(reserved) == nil, "a duplicate reply finds nothing")
    }

    @Test func sweepNeverTimesOutUnarmedEntries() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 3)
        for index in 0..<5 { _ = pending.reserve(to: address(index), sentAt: start, using: &generator, completion: ignore) }
        let due = pending.sweep(now: Timestamp(nanoseconds: .max - 1))
        #expect(due.expired.isEmpty && due.stalled.isEmpty)
        #expect(pending.count == 5)
        #expect(pending.removeAll().count == 5)
        #expect(pending.count == 0)
    }

    @Test func armingASettledQueryFails() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 4)
        let key = pending.reserve(to: address(1), sentAt: start, using: &generator, completion: ignore)
        _ = pending.remove(key)
        let armed = pending.arm(key, deadline: start + .seconds(2))
        #expect(!armed)
        #expect(pending.nextDue == nil, "nothing left to wake for")
    }

    @Test func sweepRemovesAtDeadlineNotBefore() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 5)
        let recorder = Recorder()
        let key = pending.reserve(to: address(1), sentAt: start, using: &generator, completion: recorder.completion(0))
        pending.arm(key, deadline: start + .seconds(2))
        #expect(pending.nextDue == start + .seconds(2))
        #expect(pending.sweep(now: start + .seconds(2) - .nanoseconds(1)).expired.isEmpty)
        #expect(pending.count == 1)
        let due = pending.sweep(now: start + .seconds(2))
        #expect(due.expired.count == 1)
        #expect(due.stalled.isEmpty, "no stall callback was given")
        #expect(pending.count == 0)
        #expect(pending.remove(key) == nil, "a late reply finds nothing")
        for completion in due.expired { completion(.failure(.timedOut)) }
        #expect(recorder.result(0) == .failure(.timedOut))
    }

    @Test func stallIsReportedOnceAndTheQueryKeepsWaiting() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 8)
        let recorder = Recorder()
        let key = pending.reserve(to: address(1), sentAt: start, using: &generator, completion: recorder.completion(0))
        pending.arm(key, deadline: start + .seconds(2), stallDeadline: start + .milliseconds(500), onStall: recorder.onStall)
        #expect(pending.nextDue == start + .milliseconds(500))
        #expect(pending.sweep(now: start + .milliseconds(499)).stalled.isEmpty)
        let stall = pending.sweep(now: start + .milliseconds(500))
        #expect(stall.stalled.count == 1)
        #expect(stall.expired.isEmpty)
        for onStall in stall.stalled { onStall() }
        #expect(recorder.stalls.load(ordering: .relaxed) == 1)
        #expect(pending.count == 1, "a stalled query still waits for its answer")
        #expect(pending.nextDue == start + .seconds(2))
        #expect(pending.sweep(now: start + .seconds(1)).stalled.isEmpty, "reported once")
        #expect(pending.sweep(now: start + .seconds(2) - .nanoseconds(1)).expired.isEmpty)
        let entry = pending.remove(key)
        #expect(entry?.hasStalled == true)
        entry?.completion(.success(Response(id: responder)))
        #expect(recorder.result(0) == .success(Response(id: responder)), "a stalled query may still be answered")
    }

    @Test func hardTimeoutSupersedesAnUnreportedStall() {
        var pending = PendingRequests()
        var generator = SeededGenerator(seed: 9)
        let recorder = Recorder()
        let key = pending.reserve(to: address(1), sentAt: start, using: &generator, completion: recorder.completion(0))
        pending.arm(key, deadline: start + .seconds(2), stallDeadline: start + .seconds(1), onStall: recorder.onStall)
        let due = pending.sweep(now: start + .seconds(3))
        #expect(due.expired.count == 1)
        #expect(due.stalled.isEmpty)
        #expect(pending.count == 0)
    }

    @Test func sweepTimesOutOnlyDueQueries() {
        var generator = SeededGenerator(seed: 6)
        var pending = PendingRequests()
        let recorder = Recorder()
        let deadlines: [Int64] = [20, 5, 10, 30, 10]
        let keys = deadlines.enumerated().map { index, deadline in
            let key = pending.reserve(to: address(index), sentAt: start, using: &generator, completion: recorder.completion(index))
            pending.arm(key, deadline: start + .seconds(deadline))
            return key
        }
        let due = pending.sweep(now: start + .seconds(10))
        #expect(due.expired.count == 3)
        for completion in due.expired { completion(.failure(.timedOut)) }
        #expect(pending.sweep(now: start + .seconds(15)).expired.isEmpty)
        #expect(pending.nextDue == start + .seconds(20))
        // The 20 s query is answered; the 30 s one is cut off by shutdown.
        pending.remove(keys[0])?.completion(.success(Response(id: responder)))
        let remaining = pending.removeAll()
        #expect(remaining.count == 1)
        for completion in remaining { completion(.failure(.cancelled)) }
        #expect(recorder.result(0) == .success(Response(id: responder)))
        #expect(recorder.result(1) == .failure(.timedOut))
        #expect(recorder.result(2) == .failure(.timedOut))
        #expect(recorder.result(3) == .failure(.cancelled))
        #expect(recorder.result(4) == .failure(.timedOut))
        #expect(pending.count == 0)
    }
}
