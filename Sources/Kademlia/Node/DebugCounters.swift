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
