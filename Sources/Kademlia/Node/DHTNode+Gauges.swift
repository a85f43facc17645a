/// What a node holds right now beyond `status`, for `/metrics`.
public struct NodeGauges: Sendable, Equatable {
    /// Queries sent and not yet answered or timed out.
    public var pendingQueries = 0
    /// Bytes the store charges for what it holds (values, keys and each entry's overhead).
    public var storedBytes = 0
    /// BEP 5: torrents with peers announced here, and those peers.
    public var torrents = 0
    public var torrentPeers = 0
    /// Contacts waiting to replace one in a full bucket, by bucket index.
    public var replacements: [BucketCount] = []
    /// `listen` registrations held for other nodes' watches.
    public var listeners = 0

    public init() {}
}

extension DHTNode {
    /// The gauges `/metrics` reports beside `status()`.
    public func gauges() -> NodeGauges {
        read { state in
            var gauges = NodeGauges()
            gauges.pendingQueries = state.pending.count
            gauges.storedBytes = state.store.usage.total.bytes
            gauges.torrents = state.peers.torrentCount
            gauges.torrentPeers = state.peers.peerCount
            gauges.replacements = state.routingTable.replacementCounts.map { BucketCount(index: $0.index, count: $0.count) }
            gauges.listeners = state.listeners.count
            return gauges
        }
    }
}

extension DHTNode {
    /// What this node's state holds, by structure: an estimate of heap bytes (`MemoryTally`).
    public func memoryTally() -> MemoryTally {
        read { $0.memoryTally() }
    }
}
