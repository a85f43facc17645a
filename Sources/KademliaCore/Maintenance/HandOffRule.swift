/// The paper's hand-off (section 2.5): when a node learns of a newcomer that belongs among
/// the K closest of a key it holds, a holder stores the key at the newcomer. Pure, so it is
/// checked against a brute-force oracle.
///
/// Which holder: the paper says the one nearest the key, but that one may never hear of
/// the newcomer, whose join asks the nodes nearest *itself*. So the holder nearest the
/// newcomer does it: every holder can tell which that is from its own table, and the
/// newcomer's join is sure to have reached it. Under churn a table's entry is often a node
/// that has just died, not yet known to have: so only holders known live count, and one
/// that died unnoticed leaves the hand-off to the next, not to nobody.
package enum HandOffRule {
    /// Whether the local node should hand `target` to `newcomer`.
    ///
    /// `known` are the other contacts the local node knows nearest the target (the newcomer
    /// left out), at least K of them when the table has them. The holders are the K closest
    /// to the target of those and the local node. The local node hands off when it is one of
    /// them, fewer than `holders` of the others that `isLive` are nearer the newcomer than
    /// it, and the newcomer ranks among the K closest of everyone known.
    package static func shouldHandOff(_ target: NodeID, to newcomer: NodeID, localID: NodeID, known: [NodeID], k: Int,
                                      holders: Int = 1, isLive: (NodeID) -> Bool = { _ in true }) -> Bool {
        guard isAmongClosest(target, localID: newcomer, known: known + [localID], k: k) else { return false }
        let holderSet = (known + [localID]).sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(k)
        guard holderSet.contains(localID) else { return false }
        let own = localID.distance(to: newcomer)
        return holderSet.count { $0 != localID && $0.distance(to: newcomer) < own && isLive($0) } < holders
    }

    /// Which holder hands `target` to `newcomer` with one holder doing it, as the local node
    /// sees it: the holder nearest the newcomer of those that `isLive` and the local node;
    /// nil when the newcomer is not among the K closest or the local node is not a holder.
    package static func designee(_ target: NodeID, to newcomer: NodeID, localID: NodeID, known: [NodeID], k: Int,
                                 isLive: (NodeID) -> Bool) -> NodeID? {
        guard isAmongClosest(target, localID: newcomer, known: known + [localID], k: k) else { return nil }
        let holderSet = (known + [localID]).sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(k)
        guard holderSet.contains(localID) else { return nil }
        return holderSet.filter { $0 == localID || isLive($0) }.min { $0.distance(to: newcomer) < $1.distance(to: newcomer) }
    }

    /// Whether a holder does a duty the nearest live holder does (a repair): when none of
    /// `nearerHolders`, the contacts nearer the key that it takes to hold the value, is live.
    /// A newcomer still waiting for its hand-off is not among them: its hand-off may have
    /// fallen to a holder that had died unnoticed, and deferring to it would leave the
    /// repair to a node that lacks the value.
    package static func isOnDuty(nearerHolders: [NodeID], isLive: (NodeID) -> Bool) -> Bool {
        !nearerHolders.contains(where: isLive)
    }

    /// Whether the local node is among the K closest to `target` of itself and `known`.
    package static func isAmongClosest(_ target: NodeID, localID: NodeID, known: [NodeID], k: Int) -> Bool {
        rank(of: localID, among: known, for: target) < k
    }

    /// How many of `known` are nearer `target` than `id`: its rank among them, 0 the nearest.
    package static func rank(of id: NodeID, among known: [NodeID], for target: NodeID) -> Int {
        let own = id.distance(to: target)
        return known.count { $0.distance(to: target) < own }
    }
}
