/// One value a leaving node hands on, and the nodes it offers it to, nearest first.
package struct LeaveHandOff: Sendable {
    /// The value's target.
    package var target: NodeID
    /// The nearest known nodes outside the value's K closest: one of them takes this
    /// node's place among them.
    package var candidates: [Contact]
}

extension NodeState {
    /// How many nodes past the K closest a leaving node asks, in parallel, for each value.
    package static let leaveCandidates = 3

    /// What a graceful leave hands on at `now`: every value and tombstone held, each to
    /// the nearest nodes that will be among its K closest once this one is gone.
    package func leavePlan(now: Timestamp) -> [LeaveHandOff] {
        let k = configuration.k
        return store.all(now: now).map { held in
            let known = routingTable.closest(to: held.target, limit: 2 * k)
            let among = HandOffRule.isAmongClosest(held.target, localID: localID, known: known.map(\.id), k: k)
            let outside = known.dropFirst(among ? k - 1 : k)
            return LeaveHandOff(target: held.target, candidates: Array(outside.prefix(Self.leaveCandidates)))
        }
    }
}
