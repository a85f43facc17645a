/// A min-heap of (deadline, item) pairs: the schedule behind expiry, replication and
/// republishing (items are targets) and the simulated network's wake-ups (addresses), so
/// finding what is due costs O(log n) per item rather than a scan.
///
/// Entries are never updated in place. Rescheduling pushes a new pair and leaves the old
/// one behind; whoever pops checks a pair against the item's current deadline and skips
/// stale ones. `compact(keeping:)` drops the stale pairs once they outnumber the live ones,
/// so the heap stays within a constant factor of the items it schedules.
package struct DeadlineHeap<Item: Sendable>: Sendable {
    private var heap: [(deadline: Timestamp, target: Item)] = []

    /// An empty schedule.
    package init() {}

    /// The earliest deadline held, stale or not; waking then is at worst early.
    package var earliest: Timestamp? { heap.first?.deadline }

    /// Pairs held, stale ones included.
    package var count: Int { heap.count }

    package mutating func push(_ deadline: Timestamp, _ target: Item) {
        heap.append((deadline, target))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest pair if it is due at `now`.
    package mutating func popDue(now: Timestamp) -> (deadline: Timestamp, target: Item)? {
        guard let first = heap.first, first.deadline <= now else { return nil }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        siftDown(from: 0)
        return first
    }

    /// Removes and returns, earliest first, every item due at `now`.
    package mutating func popAllDue(now: Timestamp) -> [Item] {
        var due: [Item] = []
        while let pair = popDue(now: now) { due.append(pair.target) }
        return due
    }

    /// Rebuilds the heap from the pairs `isCurrent` accepts when stale pairs have piled up
    /// past `limit`.
    package mutating func compact(limit: Int, keeping isCurrent: (Timestamp, Item) -> Bool) {
        guard heap.count > limit else { return }
        heap.removeAll { !isCurrent($0.deadline, $0.target) }
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(from: index) }
    }

    private mutating func siftDown(from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].deadline < heap[smallest].deadline { smallest = left }
            if right < heap.count, heap[right].deadline < heap[smallest].deadline { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

extension DeadlineHeap {
    /// Heap bytes the schedule holds.
    package var footprint: Int { Footprint.of(heap) }
}
