/// The result of a put.
public struct PutResult: Sendable, Equatable {
    /// How many nodes accepted the value, this node included when it is among the K closest.
    public var storedAt: Int
    /// The version written.
    public var seq: Int64
}

/// Why a put stored nothing.
public enum PutError: Error, Equatable, Sendable {
    case valueTooLarge(size: Int, limit: Int)
    /// No node, not even this one, accepted the value.
    case notStored
}

extension DHTNode {
    /// Stores `value` under `key` on the K closest nodes: a find_value lookup collects
    /// tokens and the current `seq`, then every one of the K closest that answered (this
    /// node too, when it is among them) is sent a `store` with `seq` one higher.
    public func put(key: String, value: [UInt8], ttl: Duration? = nil) async throws(PutError) -> PutResult {
        guard value.count <= Self.maxValueSize else { throw .valueTooLarge(size: value.count, limit: Self.maxValueSize) }
        let target = NodeID(key: key)
        let outcome = await lookup(target, for: .write)
        let localSeq = state.withLock { $0.store.value(for: target, now: clock.now())?.seq }
        // Saturating: a peer may report seq Int64.max, and a put must not trap on it.
        let seq = [outcome.value?.seq, localSeq].compactMap { $0 }.max().map { $0 == .max ? .max : $0 + 1 } ?? 0
        let holders = (outcome.closest.filter { outcome.tokens[$0.id] != nil } + [contact])
            .sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }
            .prefix(configuration.k)
        let keyBytes = Array(key.utf8)
        let ttlSeconds = ttl.map { Int64($0.seconds.rounded(.up)) }

        let stores = holders.compactMap { holder -> OutboundQuery? in
            guard holder.id != id, let token = outcome.tokens[holder.id] else { return nil }
            let request = StoreRequest(token: token, target: target, value: value, seq: seq, key: keyBytes, ttl: ttlSeconds)
            return OutboundQuery(query: .store(request), address: holder.address, expectedID: holder.id)
        }
        let stored = await requestAll(stores).count { if case .success = $0 { true } else { false } }
        var storedHere = false
        if holders.contains(where: { $0.id == id }) {
            let now = clock.now()
            let expiry = state.withLock { state -> Timestamp? in
                guard state.store.store(value, seq: seq, for: target, key: keyBytes, ttl: ttl, now: now) == .stored else { return nil }
                return state.store.value(for: target, now: now)?.expiresAt
            }
            if let expiry {
                storedHere = true
                scheduleMaintenance(by: expiry)
            }
        }
        let total = stored + (storedHere ? 1 : 0)
        log(.info, "put '\(key)' seq \(seq): stored at \(total) nodes after \(outcome.queries) queries")
        guard total > 0 else { throw .notStored }
        return PutResult(storedAt: total, seq: seq)
    }

    /// Finds the value stored under `key`: the highest `seq` among the nodes a find_value
    /// lookup heard from and this node's own store. The lookup ends as soon as the closest
    /// node standing, with nothing nearer left to ask, has answered with a value; when it
    /// has none, the lookup runs on until the K closest have all answered.
    public func get(key: String) async -> FoundValue? {
        let target = NodeID(key: key)
        let outcome = await lookup(target, for: .read)
        let local = state.withLock { $0.store.value(for: target, now: clock.now()) }.map { FoundValue(value: $0.value, seq: $0.seq) }
        log(.info, "get '\(key)': \(outcome.value == nil ? "not found" : "found") after \(outcome.queries) queries")
        switch (outcome.value, local) {
        case (let remote?, let local?): return local.supersedes(remote) ? local : remote
        case (let remote?, nil): return remote
        case (nil, let local): return local
        }
    }

    /// Joins the network through `seeds`: pings each, then looks up our own id and
    /// refreshes every bucket farther than our closest neighbour (the paper's join).
    /// Returns how many seeds answered.
    public func bootstrap(_ seeds: [SocketAddress]) async -> Int {
        let pings = seeds.filter { $0 != address }.map { OutboundQuery(query: .ping, address: $0, expectedID: nil) }
        let answered = await requestAll(pings).count { if case .success = $0 { true } else { false } }
        guard answered > 0 || state.withLock({ $0.routingTable.count }) > 0 else {
            log(.warning, "no bootstrap node answered")
            return answered
        }
        let closest = await lookup(id, for: .nodes).closest.first
        if let nearest = closest.flatMap({ id.bucketIndex(of: $0.id) }), nearest + 1 < NodeID.bitCount {
            await refresh(buckets: Array(nearest + 1..<NodeID.bitCount))
        }
        log(.info, "joined: \(state.withLock { $0.routingTable.count }) contacts known")
        return answered
    }

    /// Looks up a random id in each of these buckets, one after another.
    func refresh(buckets: [Int]) async {
        for index in buckets {
            let target = state.withLock { id.randomID(inBucket: index, using: &$0.random) }
            _ = await lookup(target, for: .nodes)
        }
    }
}

extension DHTNode {
    /// Deletes `key`: writes a tombstone with a higher `seq` to the K closest nodes, so
    /// no older copy can come back. `storedAt` counts the nodes that took the tombstone.
    public func delete(key: String) async throws(PutError) -> PutResult {
        throw .notStored
    }

    /// Leaves gracefully: hands every value held here to the nearest node outside its
    /// K closest that lacks it, within `leaveTimeout`, then stops.
    public func leave() async {
        stop()
    }
}
