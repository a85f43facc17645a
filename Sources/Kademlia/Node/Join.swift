/// Joining a network, and staying joined: the bootstrap, bucket refresh, and retrying the
/// bootstrap addresses while the routing table is empty.
extension DHTNode {
    /// Joins the network through `seeds`: pings each, then looks up our own id and
    /// refreshes every bucket farther than our closest neighbour (the paper's join).
    /// The seeds are remembered: while the table is empty the node retries them with
    /// backoff, so nodes started in any order find each other. Returns how many answered.
    public func bootstrap(_ seeds: [SocketAddress]) async -> Int {
        let now = clock.now()
        let others = seeds.filter { $0 != address }
        let retryAt = state.withLock { state -> Timestamp? in
            state.rejoin.remember(others, now: now)
            return state.rejoin.nextAttempt
        }
        if let retryAt { scheduleMaintenance(by: retryAt) }
        return await join(through: others, cause: .user)
    }

    /// Pings `seeds`, and if any answered (or the table has contacts) runs the join lookups.
    func join(through seeds: [SocketAddress], cause: QueryCause) async -> Int {
        let pings = seeds.map { OutboundQuery(query: .ping, address: $0, expectedID: nil) }
        let answered = await requestAll(pings, for: cause).count { if case .success = $0 { true } else { false } }
        guard answered > 0 || state.withLock({ $0.routingTable.count }) > 0 else {
            log(cause == .user ? .warning : .debug, "no bootstrap node answered")
            return answered
        }
        let closest = await lookup(id, for: .join, cause: cause).closest.first
        if let nearest = closest.flatMap({ id.bucketIndex(of: $0.id) }), nearest + 1 < NodeID.bitCount {
            await refresh(buckets: Array(nearest + 1..<NodeID.bitCount), cause: cause)
        }
        log(.info, "joined: \(state.withLock { $0.routingTable.count }) contacts known")
        return answered
    }

    /// A write token for `address`, as this node hands out in find_value replies.
    func grant(to address: SocketAddress) -> [UInt8] {
        let now = clock.now()
        return state.withLock { state in state.tokens.token(for: address, now: now, using: &state.random) }
    }

    /// Looks up a random id in each of these buckets, one after another.
    func refresh(buckets: [Int], cause: QueryCause = .routing) async {
        for index in buckets {
            let target = state.withLock { id.randomID(inBucket: index, using: &$0.random) }
            _ = await lookup(target, for: .nodes, cause: cause)
        }
    }
}
