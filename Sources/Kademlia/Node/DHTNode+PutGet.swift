/// The result of a put or a delete.
public struct PutResult: Sendable, Equatable, CustomStringConvertible {
    /// How many nodes accepted the value, this node included when it is among the K closest.
    public var storedAt: Int
    /// The version written.
    public var seq: Int64
    /// Whether this node is among the nodes that took it.
    public var storedHere = false
    /// Contacts this node knew when it wrote.
    public var contactsKnown = 0
    /// Why this node, among the K closest, holds the value in memory only and is not
    /// counted in `storedAt`: its journal could not be written (a full disk). Nil otherwise.
    public var notKeptHere: String?
    /// Whether bootstrap nodes were given, so others are expected even when no contact is
    /// known (the bootstrap node is down, say).
    public var hasBootstrapNodes = false
    /// Whether a live value (not a tombstone) was under the key before this write, as far
    /// as the lookup and this node's store could tell: a delete of this is a real delete.
    public var hadValue = false

    /// A result as a put or delete reports it.
    public init(storedAt: Int, seq: Int64, storedHere: Bool = false, contactsKnown: Int = 0, notKeptHere: String? = nil,
                hasBootstrapNodes: Bool = false, hadValue: Bool = false) {
        self.storedAt = storedAt
        self.seq = seq
        self.storedHere = storedHere
        self.contactsKnown = contactsKnown
        self.notKeptHere = notKeptHere
        self.hasBootstrapNodes = hasBootstrapNodes
        self.hadValue = hadValue
    }

    /// True when only this node took the value although others are known or expected (a
    /// bootstrap node that does not answer): the write reached no one else, so no other node
    /// can read it and it dies with this node. False for a node alone by choice.
    public var isStoredOnlyHere: Bool { storedHere && storedAt == 1 && (contactsKnown > 0 || hasBootstrapNodes) }

    /// One line fit for a user.
    public var description: String {
        guard isStoredOnlyHere else { return "stored seq \(seq) at \(storedAt) nodes" }
        let why = contactsKnown > 0 ? "though \(contactsKnown) are known" : "no other node answered"
        return "stored seq \(seq) at \(storedAt) nodes (only this one, \(why))"
    }
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
    /// then republishes the value every `republishDelay` until `ttl` runs out.
    public func put(key: String, value: [UInt8], ttl: Duration? = nil) async throws(PutError) -> PutResult {
        guard value.count <= Self.maxValueSize else { throw .valueTooLarge(size: value.count, limit: Self.maxValueSize) }
        try checkWritable(key: key)
        let target = NodeID(key: key)
        let ttlSeconds = ttl.map { Int64(max(1, $0.seconds.rounded(.up))) }
        var write = Write(target: target, key: Array(key.utf8), value: value, seq: 0, ttl: ttlSeconds)
        let stores = storesAsAnswered(write)
        let outcome = await lookup(target, for: .write, stores: stores)
        let (seq, hadValue) = versionsSeen(outcome)
        write.seq = seq
        let stored = await storeAtClosest(write, outcome, round: stores)
        log(.info, .data, "put '\(key)' seq \(write.seq): stored at \(stored.count) nodes after \(outcome.queries) queries",
            fields: [.text("key", key), .count("seq", Int(write.seq)), .count("nodes", stored.count), .count("queries", outcome.queries)])
        guard stored.count > 0 else { throw .notStored }
        let now = clock.now()
        mutate { $0.publications.publish(key: write.key, value: value, seq: write.seq, ttl: ttl, for: target, now: now) }
        scheduleMaintenance(by: now + configuration.republishDelay)
        return stored.result(seq: write.seq, hadValue: hadValue)
    }

    /// Deletes `key`: writes a tombstone with a higher `seq` to the K closest nodes. Holders
    /// keep and replicate it for a full value lifetime, longer than any older copy can
    /// live, so none can come back. This node stops republishing the key.
    public func delete(key: String) async throws(PutError) -> PutResult {
        try checkWritable(key: key)
        let target = NodeID(key: key)
        var write = Write(target: target, key: Array(key.utf8), value: [], seq: 0, tombstone: true)
        let stores = storesAsAnswered(write)
        let outcome = await lookup(target, for: .write, stores: stores)
        let (seq, hadValue) = versionsSeen(outcome)
        write.seq = seq
        mutate { $0.publications.withdraw(target) }
        let stored = await storeAtClosest(write, outcome, round: stores)
        log(.info, .data, "delete '\(key)' seq \(write.seq): tombstone at \(stored.count) nodes",
            fields: [.text("key", key), .count("seq", Int(write.seq)), .count("nodes", stored.count)])
        guard stored.count > 0 else { throw .notStored }
        return stored.result(seq: write.seq, hadValue: hadValue)
    }

    /// Finds the value stored under `key`: the winning version among the nodes a find_value
    /// lookup heard from and this node's own store; nil when that is a tombstone. The lookup
    /// ends as soon as the closest node standing, with nothing nearer left to ask, has
    /// answered; with no value anywhere it runs until the K closest have all answered.
    /// A found value is then cached at the nearest node on the path that lacked it.
    /// Throws `noNodeAnswered` rather than returning nil when nobody could be asked or
    /// nobody answered and this node holds nothing: then "not found" would be a guess.
    public func get(key: String) async throws(GetError) -> FoundValue? {
        guard !isStopped else { throw .stopped }
        let keySize = key.utf8.count
        guard keySize <= Self.maxKeySize else { throw .keyTooLarge(size: keySize, limit: Self.maxKeySize) }
        let target = NodeID(key: key)
        let outcome = await lookup(target, for: .read)
        let local = read { $0.store.entry(for: target, now: clock.now()) }.map(FoundValue.init)
        log(.info, .data, "get '\(key)': \(outcome.value == nil ? "not found" : "found") after \(outcome.queries) queries",
            fields: [.text("key", key), .text("result", outcome.value == nil ? "not_found" : "found"), .count("queries", outcome.queries)])
        if outcome.closest.isEmpty && local == nil && isCutOff(queried: outcome.queries) { throw .noNodeAnswered }
        let winner: FoundValue? = switch (outcome.value, local) {
        case (let remote?, let local?): local.supersedes(remote) ? local : remote
        case (let remote?, nil): remote
        case (nil, let local): local
        }
        guard let winner, !winner.isDeleted else { return nil }
        if winner == outcome.value { cacheAlongPath(winner, key: key, outcome) }
        return winner
    }

    /// What a write must know of the versions the lookup and this node's store saw: the seq
    /// one past the highest (0 if none; saturating, since a peer may report Int64.max and a
    /// write must not trap on it), and whether the newest is a live value, not a tombstone.
    func versionsSeen(_ outcome: LookupOutcome) -> (nextSeq: Int64, hadValue: Bool) {
        let local = read { $0.store.entry(for: outcome.target, now: clock.now()) }.map(FoundValue.init)
        let newest = switch (outcome.value, local) {
        case (let remote?, let local?): local.supersedes(remote) ? local : remote
        case (let remote, nil): remote
        case (nil, let local): local
        }
        return (Self.seq(after: outcome.value, local), newest.map { !$0.isDeleted } ?? false)
    }

    /// The seq a write takes after the versions seen: one past the highest (0 if none;
    /// saturating, since a peer may report Int64.max and a write must not trap on it).
    static func seq(after remote: FoundValue?, _ local: FoundValue?) -> Int64 {
        guard let highest = [remote?.seq, local?.seq].compactMap({ $0 }).max() else { return 0 }
        return highest == .max ? .max : highest + 1
    }

    /// The round a put or delete hands its lookup, to store at each of the K closest as it
    /// answers; nil when the configuration says to store after the lookup.
    private func storesAsAnswered(_ write: Write) -> StoreRound? {
        guard configuration.storesAsAnswered else { return nil }
        let held = read { $0.store.entry(for: write.target, now: clock.now()) }.map(FoundValue.init)
        return StoreRound(node: self, write: write, cause: .user, held: held)
    }

    /// Sends `write` to the K closest that answered the lookup with a token, and stores it
    /// here when this node is among them; returns who took it. A `round` the lookup already
    /// sent stores through is reused: a holder it sent this very seq is not sent it again.
    func storeAtClosest(_ write: Write, _ outcome: LookupOutcome, cause: QueryCause = .user, round: StoreRound? = nil) async -> StoreTally {
        let holders = (outcome.closest.filter { outcome.tokens[$0.id] != nil } + [contact])
            .sorted { $0.id.distance(to: write.target) < $1.id.distance(to: write.target) }
            .prefix(configuration.k)
        let round = round ?? StoreRound(node: self, write: write, cause: cause)
        let others = holders.compactMap { holder in holder.id == id ? nil : outcome.tokens[holder.id].map { (holder, $0) } }
        for (holder, token) in others { round.send(write.seq, to: holder, token: token) }
        let results = await round.results(for: others.map(\.0.id), seq: write.seq)
        let now = clock.now()
        var storedHere = false
        var notKeptHere: String?
        if holders.contains(where: { $0.id == id }) {
            let confirmed = zip(others, results).compactMap { if case .success = $1 { $0.0.id } else { nil } }
            let (held, journaled) = storeLocally(write, now: now, confirmed: confirmed)
            storedHere = held && journaled
            if held && !journaled { notKeptHere = storage?.failure ?? "the journal cannot be written" }
        }
        let remote = results.count { if case .success = $0 { true } else { false } }
        let (contacts, seeds) = read { ($0.routingTable.count, !$0.rejoin.seeds.isEmpty) }
        return StoreTally(remote: remote, here: storedHere, contactsKnown: contacts, notKeptHere: notKeptHere, hasBootstrapNodes: seeds)
    }

    /// Stores `write` in this node's own store, noting the holders it was also sent to.
    /// Returns whether it is held, and whether the journal has it (with a data directory): a
    /// value held but not journaled stays in memory, but this node does not count itself.
    func storeLocally(_ write: Write, now: Timestamp, confirmed: [NodeID] = []) -> (held: Bool, journaled: Bool) {
        let ((held, deadline), journaled) = mutateReportingJournal { state -> (Bool, Timestamp?) in
            let jitter = state.replicationJitter()
            let outcome = state.store.store(write.value, seq: write.seq, for: write.target, key: write.key,
                                            ttl: write.ttl.map { .seconds($0) }, tombstone: write.tombstone,
                                            now: now, replicationDelay: jitter)
            guard outcome.holdsOffered else { return (false, nil) }
            for holder in confirmed { state.store.confirm(holder, holds: write.target, now: now) }
            return (true, state.storeDeadline)
        }
        if let deadline { scheduleMaintenance(by: deadline) }
        return (held, journaled)
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
