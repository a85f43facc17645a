/// The simulated network's wake-up requests, so moving virtual time on ticks only the
/// endpoints that asked, not all of them. Duplicates are allowed; an extra tick is harmless.
package struct WakeQueue: Sendable {
    private var heap = DeadlineHeap<SocketAddress>()

    /// No wake-ups asked for.
    package init() {}

    package var earliest: Timestamp? { heap.earliest }

    package mutating func push(_ time: Timestamp, _ address: SocketAddress) {
        heap.push(time, address)
    }

    /// Removes and returns every endpoint due at or before `now`, each once.
    package mutating func popDue(now: Timestamp) -> [SocketAddress] {
        var due: [SocketAddress] = []
        var seen: Set<SocketAddress> = []
        while let next = heap.popDue(now: now) {
            if seen.insert(next.target).inserted { due.append(next.target) }
        }
        return due
    }
}
