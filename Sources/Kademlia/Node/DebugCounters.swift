import Synchronization
enum Debug {
    static let handOffs = Atomic<Int>(0)
    static let handOffTargets = Atomic<Int>(0)
    static let replications = Atomic<Int>(0)
    static let offered = Atomic<Int>(0)
    static let lacking = Atomic<Int>(0)
    static let handOffProbes = Atomic<Int>(0)
    public static func dump() -> String { "handOffs \(handOffs.load(ordering: .relaxed)) targets \(handOffTargets.load(ordering: .relaxed)) replications \(replications.load(ordering: .relaxed)) offered \(offered.load(ordering: .relaxed)) lacking \(lacking.load(ordering: .relaxed)) handOffProbes \(handOffProbes.load(ordering: .relaxed))" }
}
public func debugDump() -> String { Debug.dump() }
extension DHTNode {
    public func debugView(_ key: String, oracle: [NodeID]) -> String {
        let target = NodeID(key: key)
        let now = clock.now()
        return state.withLock { state in
            let interval = configuration.replicationInterval
            let known = state.routingTable.closest(to: target, limit: configuration.k + 3)
            let plan = ReplicationPlan(target: target, localID: id, known: known, k: configuration.k,
                                       fresh: state.store.confirmedHolders(of: target, since: now - interval * 3 / 2),
                                       lasting: state.store.confirmedHolders(of: target, since: now - interval * 5 / 2))
            let view = known.prefix(9).map { c -> String in
                let rank = oracle.firstIndex(of: c.id).map(String.init) ?? "x"
                let e = state.routingTable.entry(for: c.id)
                return "\(rank)\(state.store.confirmedHolders(of: target, since: now - interval * 5 / 2).contains(c.id) ? "*" : "")(\(e.map { Int((now - $0.lastSeen).seconds) } ?? -1)s f\(e?.failures ?? -1))"
            }.joined(separator: " ")
            return "among \(plan.localIsAmongClosest) defers \(plan.defersToNearerHolder) replica \(state.store.isReplica(target)) view: \(view)"
        }
    }
}
