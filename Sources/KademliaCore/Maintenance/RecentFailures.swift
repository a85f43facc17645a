/// Contacts this node lately found bad, remembered for a while so that lookups skip them
/// when other nodes still advertise them, instead of each lookup waiting on them again.
/// Only our own unanswered queries put a contact here, so no peer can poison it; a
/// datagram from the contact takes it out. Bounded: the oldest entry goes first.
package struct RecentFailures: Sendable {
    /// How many contacts it remembers.
    package let capacity: Int
    private var failedAt: [NodeID: Timestamp] = [:]
    private var order: [NodeID] = []

    package init(capacity: Int = 512) {
        self.capacity = capacity
    }

    /// Remembers that `id` turned bad at `now`.
    package mutating func record(_ id: NodeID, now: Timestamp) {
        if failedAt.updateValue(now, forKey: id) == nil { order.append(id) }
        while order.count > capacity {
            failedAt[order.removeFirst()] = nil
        }
    }

    /// Forgets `id`, which has just been heard from.
    package mutating func forget(_ id: NodeID) {
        guard !failedAt.isEmpty, failedAt.removeValue(forKey: id) != nil else { return }
        order.removeAll { $0 == id }
    }

    /// Whether `id` turned bad within `window` of `now`.
    package func contains(_ id: NodeID, within window: Duration, now: Timestamp) -> Bool {
        guard let when = failedAt[id] else { return false }
        return now - when < window
    }

    package var isEmpty: Bool { failedAt.isEmpty }
}
