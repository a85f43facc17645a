/// Keeping values alive while nodes come and go: offering a held version to other nodes,
/// the hourly replication round, the hand-off to newcomers and the publisher's republish.
extension DHTNode {
    /// What offering a value to some contacts found.
    struct OfferOutcome: Sendable {
        /// The contacts that hold the version now, whether they had it or took it.
        var holders: [NodeID] = []
        /// A newer version one of them holds, with the seconds it has left.
        var newer: (version: FoundValue, ttl: Int64?)?
    }

    /// Offers the version held here for `target` to `contacts`: each is asked with
    /// find_value, which says whether it has the version and hands over its write token,
    /// and only those that lack it are sent a `store` carrying the remaining lifetime.
    func offer(_ target: NodeID, to contacts: [Contact]) async -> OfferOutcome {
        let now = clock.now()
        guard !contacts.isEmpty, let held = state.withLock({ $0.store.entry(for: target, now: now) }) else { return OfferOutcome() }
        let ours = FoundValue(held)
        let probes = contacts.map { OutboundQuery(query: .findValue(target: target), address: $0.address, expectedID: $0.id) }
        var result = OfferOutcome()
        var stores: [OutboundQuery] = []
        let write = Write(passingOn: held, for: target, now: now)
        for (contact, reply) in zip(contacts, await requestAll(probes, for: .data)) {
            guard case .success(let response) = reply else { continue }
            if let theirs = response.foundValue {
                if theirs == ours { result.holders.append(contact.id); continue }
                if theirs.supersedes(ours) {
                    if result.newer.map({ theirs.supersedes($0.version) }) ?? true { result.newer = (theirs, response.ttl) }
                    continue
                }
            }
            guard let token = response.token, write.ttl ?? 0 > 0 else { continue }
            stores.append(OutboundQuery(query: .store(write.request(token: token)), address: contact.address, expectedID: contact.id))
        }
        for (store, reply) in zip(stores, await requestAll(stores, for: .data)) {
            if case .success = reply, let holder = store.expectedID { result.holders.append(holder) }
        }
        return result
    }

    /// Records what an offer found: who holds the version, and a newer one to adopt.
    func absorb(_ result: OfferOutcome, for target: NodeID) {
        let now = clock.now()
        state.withLock { state in
            for holder in result.holders { state.store.confirm(holder, holds: target, now: now) }
            guard let (newer, ttl) = result.newer, let key = state.store.entry(for: target, now: now)?.key else { return }
            let jitter = state.replicationJitter()
            _ = state.store.store(newer.value, seq: newer.seq, for: target, key: key, ttl: ttl.map { .seconds($0) },
                                  tombstone: newer.isDeleted, now: now, replicationDelay: jitter)
            if let publication = state.publications.publication(for: target), newer.supersedes(
                FoundValue(value: publication.value, seq: publication.seq)) {
                state.publications.withdraw(target)
            }
        }
    }

    /// The replication round for one held value: offer it to the K closest this node knows
    /// that are not yet known to hold it, then let our copy go if we have fallen out of
    /// the K closest and all of them hold it.
    func replicate(_ target: NodeID) async {
        let now = clock.now()
        let reconfirmAfter = configuration.replicationInterval * 6
        let plan = state.withLock { state -> ReplicationPlan? in
            guard state.store.entry(for: target, now: now) != nil else { return nil }
            return ReplicationPlan(
                target: target, localID: id, known: state.routingTable.closest(to: target, limit: configuration.k + 1),
                confirmed: state.store.confirmedHolders(of: target, since: now - reconfirmAfter), k: configuration.k)
        }
        guard let plan else { return }
        let result = await offer(target, to: plan.toOffer)
        absorb(result, for: target)
        let done = clock.now()
        state.withLock { state in
            state.store.markReplicated(target, now: done)
            state.store.pruneHolders(of: target, keeping: Set(plan.closest.map(\.id)))
            if plan.mayDrop(confirmed: state.store.confirmedHolders(of: target, since: done - reconfirmAfter)) {
                state.store.remove(target)
            }
        }
    }

    /// Stores these held values at a newcomer that is now among their K closest.
    func handOff(_ targets: [NodeID], to newcomer: Contact) async {
        for target in targets {
            absorb(await offer(target, to: [newcomer]), for: target)
        }
    }

    /// The publisher stores its value afresh at the K closest, with a full lifetime (or what
    /// its TTL leaves). If a newer version has been written meanwhile, it stops publishing.
    func republish(_ target: NodeID, _ publication: Publication) async {
        guard let lifetime = publication.lifetime(configuration.valueLifetime, now: clock.now()) else { return }
        let outcome = await lookup(target, for: .write, cause: .data)
        let ours = FoundValue(value: publication.value, seq: publication.seq)
        if let newer = outcome.value, newer.supersedes(ours) {
            state.withLock { $0.publications.withdraw(target) }
            log(.info, "stopped republishing \(target.hex.prefix(8)): superseded by seq \(newer.seq)")
            return
        }
        let seconds = max(1, lifetime.totalNanoseconds / 1_000_000_000)
        let write = Write(target: target, key: publication.key, value: publication.value, seq: publication.seq, ttl: seconds)
        let stored = await storeAtClosest(write, outcome, cause: .data)
        log(.debug, "republished \(target.hex.prefix(8)) at \(stored) nodes")
    }
}
