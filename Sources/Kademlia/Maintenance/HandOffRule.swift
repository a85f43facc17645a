/// The paper's hand-off (section 2.5): when a node learns of a newcomer that belongs among
/// the K closest of a key it holds, the holder closest to the key stores the key at the
/// newcomer. Pure, so it is checked against a brute-force oracle.
///
/// The node uses the two nearest holders, not one: under churn the nearest entry in a
/// table is often a node that has just died and is not yet known to have, and with one
/// responsible holder no newcomer near that key would be handed anything until it is.
enum HandOffRule {
    /// Whether the local node should hand `target` to `newcomer`.
    ///
    /// `known` are the other contacts the local node knows nearest the target (the newcomer
    /// left out), at least K of them when the table has them. The local node hands off when
    /// fewer than `holders` of them are nearer the target than it, and the newcomer ranks
    /// among the K closest of everyone known, the local node included.
    static func shouldHandOff(_ target: NodeID, to newcomer: NodeID, localID: NodeID, known: [NodeID], k: Int,
                              holders: Int = 1) -> Bool {
        let own = localID.distance(to: target)
        guard known.count(where: { $0.distance(to: target) < own }) < holders else { return false }
        let theirs = newcomer.distance(to: target)
        let nearer = (own < theirs ? 1 : 0) + known.count { $0.distance(to: target) < theirs }
        return nearer < k
    }

    /// Whether the local node is among the K closest to `target` of itself and `known`.
    static func isAmongClosest(_ target: NodeID, localID: NodeID, known: [NodeID], k: Int) -> Bool {
        let own = localID.distance(to: target)
        return known.count { $0.distance(to: target) < own } < k
    }
}
