/// A min-heap of (time, endpoint) wake-up requests for the simulated network, so
/// moving virtual time on ticks only the endpoints that asked, not all of them.
/// Duplicates are allowed; an extra tick is harmless.
struct WakeQueue: Sendable {
    private var heap: [(time: Timestamp, address: SocketAddress)] = []

    var earliest: Timestamp? { heap.first?.time }

    mutating func push(_ time: Timestamp, _ address: SocketAddress) {
        heap.append((time, address))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].time < heap[parent].time else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns every endpoint due at or before `now`, each once.
    mutating func popDue(now: Timestamp) -> [SocketAddress] {
        var due: [SocketAddress] = []
        var seen: Set<SocketAddress> = []
        while let first = heap.first, first.time <= now {
            if seen.insert(first.address).inserted { due.append(first.address) }
            removeFirst()
        }
        return due
    }

    private mutating func removeFirst() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].time < heap[smallest].time { smallest = left }
            if right < heap.count, heap[right].time < heap[smallest].time { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
