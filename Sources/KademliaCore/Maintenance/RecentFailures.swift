/// Contacts this node lately found bad, remembered for a while so that lookups skip them
/// when other nodes still advertise them, instead of each lookup waiting on them again.
/// Only our own unanswered queries put a contact here, so no peer can poison it; a
/// datagram from the contact takes it out. Bounded: the oldest entry goes first.
package struct RecentFailures: Sendable {
    /// How many contacts it remembers.
    package let capacity: Int
    /// How long a failure counts: lookups skip the contact that long, and then it is let go
    /// (a node in heavy churn would otherwise keep all `capacity`, some 30 KiB).
    package let lifetime: Duration
    private var failedAt: [NodeID: Timestamp] = [:]
    private var order: [NodeID] = []

    /// Remembers up to `capacity` failures, each for `lifetime`.
    package init(capacity: Int = 512, lifetime: Duration) {
        self.capacity = capacity
        self.lifetime = lifetime
    }

    /// Remembers that `id` turned bad at `now`.
    package mutating func record(_ id: NodeID, now: Timestamp) {
        if failedAt.updateValue(now, forKey: id) == nil { order.append(id) }
        var spent = max(order.count - capacity, 0)
        // Renewed failures keep their place, so this stops early at worst, never wrongly.
        while spent < order.count, let when = failedAt[order[spent]], now - when >= lifetime { spent += 1 }
        guard spent > 0 else { return }
        for id in order[..<spent] { failedAt[id] = nil }
        order.removeFirst(spent)
    }

    /// Forgets `id`, which has just been heard from.
    package mutating func forget(_ id: NodeID) {
        guard !failedAt.isEmpty, failedAt.removeValue(forKey: id) != nil else { return }
        order.removeAll { $0 == id }
    }

    /// Whether `id` turned bad less than `lifetime` before `now`.
    package func contains(_ id: NodeID, now: Timestamp) -> Bool {
        guard let when = failedAt[id] else { return false }
        return now - when < lifetime
    }

    package var isEmpty: Bool { failedAt.isEmpty }

    /// Failures remembered now.
    package var count: Int { failedAt.count }
}

extension RecentFailures {
    /// Heap bytes the failures and their order hold.
    package var footprint: Int { Footprint.of(failedAt) + Footprint.of(order) }
}
