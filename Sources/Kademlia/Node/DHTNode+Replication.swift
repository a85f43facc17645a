/// Keeping values alive while nodes come and go: offering a held version to other nodes,
/// the hourly replication round, the hand-off to newcomers and the publisher's republish.
extension DHTNode {
    /// Hand-offs of at least this many values are reported at the info level.
    static let handOffWorthReporting = 100

    /// How many contacts past the K closest a replication round may fall back on.
    static let replicationSpares = 3

    /// What offering a value to some contacts found.
    struct OfferOutcome: Sendable {
        /// The contacts that hold the version now, whether they had it or took it.
        var holders: [NodeID] = []
        /// The contacts among `holders` that took it from this offer.
        var took: [NodeID] = []
        /// A newer version one of them holds, with the seconds it has left.
        var newer: (version: FoundValue, ttl: Int64?)?
        /// The write token each contact that answered gave.
        var tokens: [NodeID: [UInt8]] = [:]
        /// The contacts that did not answer the probe.
        var silent: [NodeID] = []
    }

    /// Who is offering, which decides the probe and how many copies are stored.
    enum Offerer: Sendable {
        /// A node that keeps its copy: its probe names the seq it holds (so a holder of the
        /// same one skips its own round), and every contact lacking the value is sent it.
        case holder
        /// A node about to leave: its probe names nothing, since it will not hold the value,
        /// and only the nearest contact lacking the value that takes it is needed.
        case leaving
    }

    /// Offers the version held here for `target` to `contacts`, nearest first: each is
    /// asked with find_value, which says whether it has the version and hands over its
    /// write token, and only those that lack it are sent a `store` carrying the remaining
    /// lifetime. Replication, hand-offs, republishing and leaving all offer this way.
    func offer(_ target: NodeID, to contacts: [Contact], as offerer: Offerer = .holder) async -> OfferOutcome {
        let now = clock.now()
        guard !contacts.isEmpty, let held = read({ $0.store.entry(for: target, now: now) }) else { return OfferOutcome() }
        let ours = FoundValue(held)
        let probe = Query.findValue(target: target, holding: offerer == .holder ? held.seq : nil)
        let probes = contacts.map { OutboundQuery(query: probe, address: $0.address, expectedID: $0.id) }
        var result = OfferOutcome()
        var stores: [OutboundQuery] = []
        let write = Write(passingOn: held, for: target, now: now)
        for (contact, reply) in zip(contacts, await requestAll(probes, for: .data)) {
            guard case .success(let response) = reply else {
                result.silent.append(contact.id)
                continue
            }
            if let token = response.usableToken { result.tokens[contact.id] = token }
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
        switch offerer {
        case .holder:
            for (store, reply) in zip(stores, await requestAll(stores, for: .data)) {
                if case .success = reply, let holder = store.expectedID { result.holders.append(holder); result.took.append(holder) }
            }
        case .leaving:
            for store in stores {
                guard case .success = await request(store.query, to: store.address, expecting: store.expectedID, for: .data),
                      let holder = store.expectedID else { continue }
                result.holders.append(holder)
                result.took.append(holder)
                break
            }
        }
        return result
    }

    /// Records what an offer found: who holds the version, and a newer one to adopt.
    func absorb(_ result: OfferOutcome, for target: NodeID) {
        let now = clock.now()
        mutate { state in
            for holder in result.holders { state.store.confirm(holder, holds: target, now: now) }
            guard let (newer, ttl) = result.newer, let held = state.store.entry(for: target, now: now) else { return }
            let jitter = state.replicationJitter()
            // Without the sender's remaining time, ours bounds the adopted copy: never longer.
            let lifetime: Duration = .seconds(ttl ?? held.remainingSeconds(now: now))
            _ = state.store.store(newer.value, seq: newer.seq, for: target, key: held.key, ttl: lifetime,
                                  tombstone: newer.isDeleted, now: now, replicationDelay: jitter)
            if let publication = state.publications.publication(for: target), newer.supersedes(
                FoundValue(value: publication.value, seq: publication.seq)) {
                state.publications.withdraw(target)
            }
        }
    }

    /// The replication round for one held value. The holder nearest the key that it knows
    /// of does it: it offers the value to the K closest it knows, skipping those confirmed
    /// (or, nearer the key, presumed handed it) within the last three and a half rounds.
    /// The others skip their rounds while they hear from a nearer holder; one fallen out of
    /// the K closest keeps its copy meanwhile, since a table full of the unnoticed dead can
    /// make a last live replica look fallen out. A holder fallen out with no nearer holder
    /// to defer to hands the value on, then lets its copy go once all of the K closest are
    /// confirmed holding it; a cache never replicates.
    /// With `resync` (the node was away) nothing is deferred and every member is asked.
    func replicate(_ target: NodeID, resync: Bool = false) async {
        let now = clock.now()
        let plan = mutate { state -> ReplicationPlan? in
            guard state.store.entry(for: target, now: now) != nil else { return nil }
            let plan = ReplicationPlan(
                target: target, localID: id,
                known: state.routingTable.closest(to: target, limit: configuration.k + Self.replicationSpares),
                k: configuration.k,
                fresh: resync ? [] : state.holdersSparedOffers(of: target, now: now),
                lasting: resync ? [] : state.store.confirmedHolders(of: target, since: now - state.confirmationDefersRound))
            if plan.localIsAmongClosest { state.store.markReplica(target) }
            guard state.store.isReplica(target), !plan.defersToNearerHolder else {
                state.store.markReplicated(target, now: now)
                return nil
            }
            return plan
        }
        guard let plan else { return }
        var result = await offer(target, to: plan.toOffer)
        absorb(result, for: target)
        if !result.silent.isEmpty, !plan.spares.isEmpty {
            result = await offer(target, to: Array(plan.spares.prefix(result.silent.count)))
            absorb(result, for: target)
        }
        let done = clock.now()
        mutate { state in
            state.store.markReplicated(target, now: done)
            state.store.pruneHolders(of: target, keeping: Set(plan.closest.map(\.id)))
            if plan.mayDrop(confirmed: state.store.confirmedHolders(of: target, since: now)) {
                state.store.remove(target)
            }
        }
    }

    /// Fills the place a bad contact left among the K closest of `target` (`RepairPlan`):
    /// offers the value to the contact that moved up into them, and to the nearest contact
    /// nearer the key than this node that is not known to hold it.
    func repair(_ target: NodeID) async {
        let now = clock.now()
        let plan = mutate { state -> RepairPlan? in
            guard state.store.entry(for: target, now: now) != nil else { return nil }
            let known = state.routingTable.closest(to: target, limit: configuration.k + Self.replicationSpares)
            // What a round heeds for a nearer holder.
            let confirmed = state.store.confirmedHolders(of: target, since: now - state.confirmationDefersRound)
            // Repairs are most of the upkeep under churn: they too keep the record to the K+3 nearest.
            state.store.pruneHolders(of: target, keeping: Set(known.map(\.id)))
            return RepairPlan(target: target, localID: id, known: Array(known.prefix(configuration.k)), k: configuration.k,
                              confirmed: confirmed)
        }
        guard let plan, !plan.toOffer.isEmpty else { return }
        absorb(await offer(target, to: plan.toOffer), for: target)
    }

    /// Stores these held values at a newcomer that is now among their K closest. With a
    /// token the newcomer granted in its join query, every value is stored at once; else
    /// the first is offered as in replication, which yields the newcomer's token, and the
    /// rest are stored with it (a token is bound to our address, not to a key). What the
    /// newcomer did not take is owed to it and sent again later (`HandOffDebts`); `attempt`
    /// counts those retries.
    func handOff(_ targets: [NodeID], to newcomer: Contact, grant: [UInt8]? = nil, attempt: Int = 0) async {
        let began = clock.now()
        var remaining = targets[...]
        var token = grant
        var taken = 0
        let wasInTable = attempt > 0 && read { $0.routingTable.entry(for: newcomer.id) != nil }
        if token == nil, let first = remaining.popFirst() {
            let probed = await offer(first, to: [newcomer])
            // Its answer put it back in the table, and that hands it everything afresh.
            if attempt > 0, !wasInTable, read({ $0.routingTable.entry(for: newcomer.id) != nil }) { return }
            absorb(probed, for: first)
            token = probed.tokens[newcomer.id]
            taken += probed.holders.count
            // Unanswered, or answered without taking it: the first is owed with the rest.
            if !probed.holders.contains(newcomer.id) { remaining = targets[...] }
        }
        guard let token, !remaining.isEmpty else {
            counters.valuesHandedOff.add(taken, ordering: .relaxed)
            owe(Array(remaining), to: newcomer, afterAttempt: attempt)
            return
        }
        let now = clock.now()
        let writes = mutate { state in
            remaining.compactMap { target in
                state.store.entry(for: target, now: now).map { Write(passingOn: $0, for: target, now: now) }
            }.filter { $0.ttl ?? 0 > 0 }
        }
        let stores = writes.map {
            OutboundQuery(query: .store($0.request(token: token)), address: newcomer.address, expectedID: newcomer.id)
        }
        let results = await requestAll(stores, for: .data)
        let done = clock.now()
        var refused: [NodeID] = []
        var missed: [NodeID] = []
        mutate { state in
            for (write, result) in zip(writes, results) {
                switch result {
                case .success:
                    state.store.confirm(newcomer.id, holds: write.target, now: done)
                    taken += 1
                case .failure(.remote(code: ErrorCode.protocolError.rawValue, _)): refused.append(write.target)
                case .failure(let error) where error.isBusy: missed.append(write.target)
                // A full store or a source past its share would refuse it again; another
                // node at that address is not the newcomer.
                case .failure(.remote), .failure(.unexpectedResponder): break
                case .failure(.timedOut), .failure(.cancelled): missed.append(write.target)
                }
            }
        }
        counters.valuesHandedOff.add(taken, ordering: .relaxed)
        let level: LogLevel = targets.count >= Self.handOffWorthReporting ? .info : .debug
        log(level, .maintenance, "handed \(taken) of \(targets.count) values to \(newcomer.id.hex.prefix(8)) at \(newcomer.address)"
            + " in \((done - began).millisecondsText)" + (refused.isEmpty ? "" : ", \(refused.count) to retry with a new token")
            + (missed.isEmpty ? "" : ", \(missed.count) unanswered, owed"))
        owe(missed, to: newcomer, afterAttempt: attempt)
        // A granted token the newcomer no longer takes: ask for one, as without a grant.
        if grant != nil, !refused.isEmpty { await handOff(refused, to: newcomer, attempt: attempt) }
    }

    /// Notes values a newcomer did not take, to send again after a backoff.
    private func owe(_ targets: [NodeID], to newcomer: Contact, afterAttempt attempt: Int) {
        guard !targets.isEmpty else { return }
        let now = clock.now()
        let due = mutate { state in
            state.handOffDebts.owe(targets, to: newcomer, afterAttempt: attempt, now: now)
            return state.handOffDebts.nextDue
        }
        if let due { scheduleMaintenance(by: due) }
    }

    /// The publisher stores its value afresh at the K closest, with a full lifetime (or what
    /// its TTL leaves). If a newer version has been written meanwhile, it stops publishing.
    func republish(_ target: NodeID, _ publication: Publication) async {
        guard let lifetime = publication.lifetime(configuration.valueLifetime, now: clock.now()) else { return }
        let outcome = await lookup(target, for: .write, cause: .data)
        let ours = FoundValue(value: publication.value, seq: publication.seq)
        if let newer = outcome.value, newer.supersedes(ours) {
            mutate { $0.publications.withdraw(target) }
            log(.info, .maintenance, "stopped republishing \(target.hex.prefix(8)): superseded by seq \(newer.seq)")
            return
        }
        let seconds = max(1, lifetime.totalNanoseconds / 1_000_000_000)
        let write = Write(target: target, key: publication.key, value: publication.value, seq: publication.seq, ttl: seconds)
        let stored = await storeAtClosest(write, outcome, cause: .data)
        log(.debug, .maintenance, "republished \(target.hex.prefix(8)) at \(stored.count) nodes")
    }
}
