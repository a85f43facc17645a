import Testing
@testable import Kademlia
@testable import KademliaCore

private typealias Pair = (deadline: Timestamp, target: NodeID)

private func at(_ seconds: Int64) -> Timestamp { Timestamp(nanoseconds: seconds * 1_000_000_000) }

/// Removes one pair equal to `pair` from `pairs`; false when there is none.
private func removeOne(_ pair: Pair, from pairs: inout [Pair]) -> Bool {
    guard let index = pairs.firstIndex(where: { $0.deadline == pair.deadline && $0.target == pair.target }) else { return false }
    pairs.remove(at: index)
    return true
}

/// Pops everything due at `now`, in the order the heap gives it.
private func drain(_ heap: inout DeadlineHeap<NodeID>, now: Timestamp) -> [Pair] {
    var popped: [Pair] = []
    while let next = heap.popDue(now: now) { popped.append(next) }
    return popped
}

@Suite struct DeadlineHeapTests {
    @Test func emptyHeapHasNothingDue() {
        var heap = DeadlineHeap<NodeID>()
        #expect(heap.earliest == nil)
        #expect(heap.count == 0)
        #expect(heap.popDue(now: Timestamp(nanoseconds: .max)) == nil)
        heap.compact(limit: 0) { _, _ in true }
        #expect(heap.count == 0)
    }

    @Test func randomPushesAndPopsMatchASortedArray() throws {
        var generator = SeededGenerator(seed: 0xD1)
        var heap = DeadlineHeap<NodeID>()
        var model: [Pair] = []
        let targets = (0..<12).map { _ in NodeID.random(using: &generator) }
        for _ in 0..<3000 {
            if model.isEmpty || Int.random(in: 0..<5, using: &generator) < 3 {
                // A narrow range of deadlines, so ties are common.
                let pair = (at(Int64.random(in: 0..<200, using: &generator)), targets.randomElement(using: &generator)!)
                heap.push(pair.0, pair.1)
                model.append(pair)
            } else {
                let minimum = try #require(model.map(\.deadline).min())
                #expect(heap.earliest == minimum)
                let next = heap.popDue(now: Timestamp(nanoseconds: .max))
                let popped = try #require(next)
                #expect(popped.deadline == minimum)
                #expect(removeOne(popped, from: &model), "popped a pair that was never pushed")
            }
            #expect(heap.count == model.count)
        }
        let rest = drain(&heap, now: Timestamp(nanoseconds: .max))
        #expect(rest.map(\.deadline) == model.map(\.deadline).sorted())
        for pair in rest { #expect(removeOne(pair, from: &model)) }
        #expect(model.isEmpty && heap.count == 0 && heap.earliest == nil)
    }

    @Test(arguments: [0, 1, 57, 100, 199, 250] as [Int64])
    func popDueReturnsOnlyDuePairsInDeadlineOrder(nowSeconds: Int64) throws {
        var generator = SeededGenerator(seed: UInt64(nowSeconds) &+ 7)
        var heap = DeadlineHeap<NodeID>()
        var pairs: [Pair] = []
        for _ in 0..<400 {
            let pair = (at(Int64.random(in: 0..<200, using: &generator)), NodeID.random(using: &generator))
            heap.push(pair.0, pair.1)
            pairs.append(pair)
        }
        let now = at(nowSeconds)
        let due = drain(&heap, now: now)
        let expected = pairs.filter { $0.deadline <= now }
        #expect(due.count == expected.count)
        #expect(due.map(\.deadline) == expected.map(\.deadline).sorted())
        #expect(Set(due.map(\.target)) == Set(expected.map(\.target)))
        #expect(heap.count == pairs.count - expected.count)
        if let earliest = heap.earliest {
            #expect(earliest > now)
            #expect(earliest == pairs.map(\.deadline).filter { $0 > now }.min())
        } else {
            #expect(expected.count == pairs.count)
        }
        // Exactly at a deadline counts as due.
        if let earliest = heap.earliest {
            #expect(heap.popDue(now: earliest - .nanoseconds(1)) == nil)
            #expect(heap.popDue(now: earliest)?.deadline == earliest)
        }
    }

    @Test func compactKeepsOnlyCurrentPairsInHeapOrder() {
        var generator = SeededGenerator(seed: 0xC0)
        var heap = DeadlineHeap<NodeID>()
        var current: [NodeID: Timestamp] = [:]
        var pushed: [Pair] = []
        let targets = (0..<30).map { _ in NodeID.random(using: &generator) }
        for _ in 0..<500 {
            let target = targets.randomElement(using: &generator)!
            let deadline = at(Int64.random(in: 0..<10_000, using: &generator))
            heap.push(deadline, target)
            pushed.append((deadline, target))
            current[target] = deadline  // a reschedule: the earlier pair goes stale
        }
        // Under the limit nothing is dropped, stale or not.
        heap.compact(limit: 500) { current[$1] == $0 }
        #expect(heap.count == 500)
        heap.compact(limit: 499) { current[$1] == $0 }
        let live = pushed.filter { current[$0.target] == $0.deadline }
        #expect(heap.count == live.count)
        #expect(live.count < 500)
        let order = drain(&heap, now: Timestamp(nanoseconds: .max))
        #expect(order.map(\.deadline) == live.map(\.deadline).sorted())
        #expect(order.allSatisfy { current[$0.target] == $0.deadline })
        #expect(Set(order.map(\.target)) == Set(current.keys))
    }

    @Test(arguments: [1, 2, 3, 4, 7, 8, 15, 16, 33])
    func compactRestoresHeapOrderAtEverySize(size: Int) {
        var generator = SeededGenerator(seed: UInt64(size))
        var heap = DeadlineHeap<NodeID>()
        var keep: [Pair] = []
        // Pushed in descending order, with every other pair stale, so the kept ones need re-heaping.
        for index in (0..<(2 * size)).reversed() {
            let pair = (at(Int64(index)), NodeID.random(using: &generator))
            heap.push(pair.0, pair.1)
            if index % 2 == 0 { keep.append(pair) }
        }
        let kept = Set(keep.map(\.target))
        heap.compact(limit: 0) { kept.contains($1) }
        #expect(heap.count == size)
        #expect(heap.earliest == at(0))
        #expect(drain(&heap, now: Timestamp(nanoseconds: .max)).map(\.deadline) == keep.map(\.deadline).sorted())
    }
}
