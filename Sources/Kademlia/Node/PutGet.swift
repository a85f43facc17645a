/// The result of a put or a delete.
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

/// One version to write under a target: the bytes (or a tombstone), its seq and lifetime.
struct Write: Sendable {
    var target: NodeID
    var key: [UInt8]
    var value: [UInt8]
    var seq: Int64
    var tombstone = false
    /// Whole seconds; nil means the protocol's full lifetime.
    var ttl: Int64?

    /// The version written, as lookups report versions.
    var version: FoundValue { FoundValue(value: value, seq: seq, isDeleted: tombstone) }
}

extension DHTNode {
    /// Stores `value` under `key` on the K closest nodes: a find_value lookup collects
    /// tokens and the current `seq`, then every one of the K closest that answered (this
    /// node too, when it is among them) is sent a `store` with `seq` one higher. This node
    /// then republishes the value every `republishInterval` until `ttl` runs out.
    public func put(key: String, value: [UInt8], ttl: Duration? = nil) async throws(PutError) -> PutResult {
        guard value.count <= Self.maxValueSize else { throw .valueTooLarge(size: value.count, limit: Self.maxValueSize) }
        let target = NodeID(key: key)
        let outcome = await lookup(target, for: .write)
        let ttlSeconds = ttl.map { Int64(max(1, $0.seconds.rounded(.up))) }
        let write = Write(target: target, key: Array(key.utf8), value: value, seq: nextSeq(after: outcome), ttl: ttlSeconds)
        let stored = await storeAtClosest(write, outcome)
        log(.info, "put '\(key)' seq \(write.seq): stored at \(stored) nodes after \(outcome.queries) queries")
        guard stored > 0 else { throw .notStored }
        let now = clock.now()
        state.withLock { $0.publications.publish(key: write.key, value: value, seq: write.seq, ttl: ttl, for: target, now: now) }
        scheduleMaintenance(by: now + configuration.republishInterval)
        return PutResult(storedAt: stored, seq: write.seq)
    }

    /// Deletes `key`: writes a tombstone with a higher `seq` to the K closest nodes. Holders
    /// keep and replicate it for a full value lifetime, longer than any older copy can
    /// live, so none can come back. This node stops republishing the key.
    public func delete(key: String) async throws(PutError) -> PutResult {
        let target = NodeID(key: key)
        let outcome = await lookup(target, for: .write)
        let write = Write(target: target, key: Array(key.utf8), value: [], seq: nextSeq(after: outcome), tombstone: true)
        state.withLock { $0.publications.withdraw(target) }
        let stored = await storeAtClosest(write, outcome)
        log(.info, "delete '\(key)' seq \(write.seq): tombstone at \(stored) nodes")
        guard stored > 0 else { throw .notStored }
        return PutResult(storedAt: stored, seq: write.seq)
    }

    /// Finds the value stored under `key`: the winning version among the nodes a find_value
    /// lookup heard from and this node's own store; nil when that is a tombstone. The lookup
    /// ends as soon as the closest node standing, with nothing nearer left to ask, has
    /// answered; with no value anywhere it runs until the K closest have all answered.
    /// A found value is then cached at the nearest node on the path that lacked it.
    public func get(key: String) async -> FoundValue? {
        let target = NodeID(key: key)
        let outcome = await lookup(target, for: .read)
        let local = state.withLock { $0.store.entry(for: target, now: clock.now()) }.map(FoundValue.init)
        log(.info, "get '\(key)': \(outcome.value == nil ? "not found" : "found") after \(outcome.queries) queries")
        let winner: FoundValue? = switch (outcome.value, local) {
        case (let remote?, let local?): local.supersedes(remote) ? local : remote
        case (let remote?, nil): remote
        case (nil, let local): local
        }
        guard let winner, !winner.isDeleted else { return nil }
        if winner == outcome.value { cacheAlongPath(winner, key: key, outcome) }
        return winner
    }

    /// One more than the highest seq the lookup or this node's store saw; 0 if none.
    /// Saturating: a peer may report seq Int64.max, and a write must not trap on it.
    func nextSeq(after outcome: LookupOutcome) -> Int64 {
        let localSeq = state.withLock { $0.store.entry(for: outcome.target, now: clock.now())?.seq }
        return [outcome.value?.seq, localSeq].compactMap { $0 }.max().map { $0 == .max ? .max : $0 + 1 } ?? 0
    }

    /// Sends `write` to the K closest that answered the lookup with a token, and stores it
    /// here when this node is among them; returns how many took it.
    func storeAtClosest(_ write: Write, _ outcome: LookupOutcome, cause: QueryCause = .user) async -> Int {
        let holders = (outcome.closest.filter { outcome.tokens[$0.id] != nil } + [contact])
            .sorted { $0.id.distance(to: write.target) < $1.id.distance(to: write.target) }
            .prefix(configuration.k)
        let stores = holders.compactMap { holder -> OutboundQuery? in
            guard holder.id != id, let token = outcome.tokens[holder.id] else { return nil }
            return OutboundQuery(query: .store(write.request(token: token)), address: holder.address, expectedID: holder.id)
        }
        let results = await requestAll(stores, for: cause)
        let now = clock.now()
        let storedHere = holders.contains { $0.id == id } && storeLocally(write, now: now, confirmed: zip(stores, results).compactMap {
            if case .success = $1 { $0.expectedID } else { nil }
        })
        return results.count { if case .success = $0 { true } else { false } } + (storedHere ? 1 : 0)
    }

    /// Stores `write` in this node's own store, noting the holders it was also sent to.
    func storeLocally(_ write: Write, now: Timestamp, confirmed: [NodeID] = []) -> Bool {
        let (held, deadline) = state.withLock { state -> (Bool, Timestamp?) in
            let jitter = state.replicationJitter()
            let outcome = state.store.store(write.value, seq: write.seq, for: write.target, key: write.key,
                                            ttl: write.ttl.map { .seconds($0) }, tombstone: write.tombstone,
                                            now: now, replicationDelay: jitter)
            guard outcome.holdsOffered else { return (false, nil) }
            for holder in confirmed { state.store.confirm(holder, holds: write.target, now: now) }
            return (true, state.storeDeadline)
        }
        if let deadline { scheduleMaintenance(by: deadline) }
        return held
    }

    /// Caches `found` at the nearest node on the lookup's path that answered without it,
    /// with a lifetime that shrinks with the nodes between it and the key.
    private func cacheAlongPath(_ found: FoundValue, key: String, _ outcome: LookupOutcome) {
        guard let remaining = outcome.valueTTL, remaining > 0,
              let index = outcome.closest.firstIndex(where: { outcome.returned[$0.id] != found }),
              let token = outcome.tokens[outcome.closest[index].id],
              let holder = outcome.closest.first(where: { outcome.returned[$0.id] == found }) else { return }
        let nearer = CachePolicy.nodesNearer(than: outcome.closest[index].id, holder: holder.id, key: outcome.target, answered: index)
        let lifetime = CachePolicy.lifetime(remaining: .seconds(remaining), nearer: nearer, k: configuration.k)
        let seconds = lifetime.totalNanoseconds / 1_000_000_000
        guard seconds > 0 else { return }
        let cache = outcome.closest[index]
        let write = Write(target: outcome.target, key: Array(key.utf8), value: found.value, seq: found.seq, ttl: seconds)
        inBackground { node in
            _ = await node.request(.store(write.request(token: token)), to: cache.address, expecting: cache.id, for: .user)
        }
    }
}

extension Write {
    /// Passes on a held version with the whole seconds it has left, never more.
    init(passingOn held: StoredValue, for target: NodeID, now: Timestamp) {
        self.init(target: target, key: held.key ?? [], value: held.value, seq: held.seq,
                  tombstone: held.isTombstone, ttl: held.remainingSeconds(now: now))
    }

    /// The `store` query carrying this write under `token`; an unknown key is left out.
    func request(token: [UInt8]) -> StoreRequest {
        StoreRequest(token: token, target: target, value: value, seq: seq, key: key.isEmpty ? nil : key, ttl: ttl, deleted: tombstone)
    }
}
