/// The checks every user operation makes before it sends anything, and the tally a write
/// returns, so put, delete and get tell the caller the truth about what happened.
extension DHTNode {
    /// Whether `stop()` has been called; every operation then fails with `.stopped`.
    public var isStopped: Bool { read { $0.stopped } }

    /// Refuses a write on a stopped node or with a key too long for a `store` to fit a datagram.
    func checkWritable(key: String) throws(PutError) {
        guard !isStopped else { throw .stopped }
        let size = key.utf8.count
        guard size <= Self.maxKeySize else { throw .keyTooLarge(size: size, limit: Self.maxKeySize) }
    }

    /// Whether a lookup that heard from nobody means this node is cut off rather than alone:
    /// it asked someone, or it has bootstrap nodes it is still trying to reach.
    func isCutOff(queried: Int) -> Bool {
        queried > 0 || read { !$0.rejoin.seeds.isEmpty }
    }
}

/// Who took a write: the other nodes that answered its `store`, and this node.
struct StoreTally: Sendable {
    /// Other nodes that accepted the store.
    var remote: Int
    /// Whether this node stored it too.
    var here: Bool
    /// Contacts in the routing table when the stores were answered.
    var contactsKnown: Int
    /// Why this node holds it in memory only, when its journal failed.
    var notKeptHere: String? = nil
    /// Whether bootstrap nodes were given, so others are expected.
    var hasBootstrapNodes = false

    /// Every node that took it.
    var count: Int { remote + (here ? 1 : 0) }

    /// The caller's view of this tally for version `seq`.
    func result(seq: Int64, hadValue: Bool = false) -> PutResult {
        PutResult(storedAt: count, seq: seq, storedHere: here, contactsKnown: contactsKnown, notKeptHere: notKeptHere,
                  hasBootstrapNodes: hasBootstrapNodes, hadValue: hadValue)
    }
}
