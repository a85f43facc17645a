/// A repair of one held value after a contact among its K closest turned bad, decided from
/// the holder's routing table and what it knows of who holds the value: whom to offer the
/// value to. Pure, so the choice is tested without a network (`RepairPlanTests`).
///
/// Two kinds of member may lack the value. The contact now last of the K closest moved up
/// from outside when the bad one left, and nobody told it. A contact nearer the key than
/// this holder, not known to hold the value, may be a newcomer whose hand-off fell to a
/// holder that had died unnoticed; since the duty rule passes over it, nobody else would
/// tell it either. The nearest such contact is offered it too: each later repair reaches
/// the next, and the hourly round the rest, so one repair costs at most two probes.
package struct RepairPlan: Sendable, Equatable {
    /// The members to offer the value to, nearest the key first; empty when this node is
    /// not among the K closest or every candidate is known to hold it.
    package let toOffer: [Contact]

    /// Plans the repair of `target` from `known`, the K contacts the table has nearest it,
    /// and `confirmed`, those known to hold this node's version.
    package init(target: NodeID, localID: NodeID, known: [Contact], k: Int, confirmed: Set<NodeID>) {
        let round = ReplicationPlan(target: target, localID: localID, known: known, k: k)
        guard round.localIsAmongClosest, let last = round.closest.last else {
            toOffer = []
            return
        }
        let own = localID.distance(to: target)
        let unconfirmedNearer = round.closest.first {
            $0.id != last.id && $0.id.distance(to: target) < own && !confirmed.contains($0.id)
        }
        toOffer = (unconfirmedNearer.map { [$0] } ?? []) + (confirmed.contains(last.id) ? [] : [last])
    }
}
