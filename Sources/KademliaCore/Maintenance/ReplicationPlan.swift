/// One holder's replication round for one value, decided from its routing table alone (the
/// paper's second optimization: a holder knows its own neighbourhood, so it needs no lookup):
/// whom to offer the value to, and whether this node may let its own copy go afterwards.
package struct ReplicationPlan: Sendable, Equatable {
    /// The K closest to the target of everyone known, this node left out.
    package let closest: [Contact]
    /// Whether this node is itself among the K closest.
    package let localIsAmongClosest: Bool
    /// Whether a holder nearer the key than this node was heard from lately: it is the
    /// one replicating, and this node skips its round (it is asked every fourth round).
    package let defersToNearerHolder: Bool
    /// The members of `closest` to offer the value to: those not confirmed lately.
    package let toOffer: [Contact]
    /// The next nearest known past `closest`, nearest first: when members do not answer
    /// (gone, though the table does not know it yet), as many of these stand in.
    package let spares: [Contact]

    /// Plans the round from `known`: the table's contacts nearest the target, at least K+1
    /// when it has them. `fresh` holds the contacts confirmed (or presumed) to hold the
    /// version lately (`NodeState.holdersSparedOffers`), which are not offered it this round;
    /// `lasting` those confirmed a round longer, long enough to span the nearer holder's
    /// rounds that skip this node.
    package init(target: NodeID, localID: NodeID, known: [Contact], k: Int, fresh: Set<NodeID> = [], lasting: Set<NodeID> = []) {
        let others = known.filter { $0.id != localID }
            .sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }
        let own = localID.distance(to: target)
        localIsAmongClosest = HandOffRule.isAmongClosest(target, localID: localID, known: others.map(\.id), k: k)
        closest = Array(others.prefix(localIsAmongClosest ? k - 1 : k))
        spares = Array(others.dropFirst(closest.count))
        defersToNearerHolder = closest.contains { lasting.contains($0.id) && $0.id.distance(to: target) < own }
        toOffer = closest.filter { !fresh.contains($0.id) }
    }

    /// Whether, with `confirmed` holding the value, this node (no longer among the K
    /// closest) has handed it on and may drop its copy.
    package func mayDrop(confirmed: Set<NodeID>) -> Bool {
        !localIsAmongClosest && !closest.isEmpty && closest.allSatisfy { confirmed.contains($0.id) }
    }
}

/// The lifetime of a copy cached along a lookup's path (paper, section 2.3): the value's
/// remaining life, halved for each node nearer the key than the cache beyond the K closest,
/// so copies far from the key, which lookups reach first, fade fast.
package enum CachePolicy {
    /// About how many nodes lie nearer `key` than `cache`: a lookup that stops early has
    /// heard from only `answered` of them, so the count is also estimated from distances.
    /// Ids are uniform, so each bit by which the cache's distance exceeds the nearest
    /// holder's doubles the nodes between them.
    package static func nodesNearer(than cache: NodeID, holder: NodeID, key: NodeID, answered: Int) -> Int {
        let bits = (key.bucketIndex(of: cache) ?? 0) - (key.bucketIndex(of: holder) ?? 0)
        guard bits > 0 else { return answered }
        return max(answered, bits >= 30 ? 1 << 30 : (1 << bits) - 1)
    }

    /// The cached copy's lifetime for a node with `nearer` answering nodes nearer the key.
    package static func lifetime(remaining: Duration, nearer: Int, k: Int) -> Duration {
        let halvings = max(0, nearer - (k - 1))
        guard halvings > 0 else { return remaining }
        guard halvings < 62 else { return .zero }
        return .nanoseconds(remaining.totalNanoseconds >> halvings)
    }
}
