/// The hand-off to newcomers (`HandOffRule`), decided from the node's state: which held
/// values a newcomer is handed by this node, and the follow-ups when a hand-off may not
/// have happened: retries of one cut short (`HandOffDebts`), and one left to a holder that
/// turned out dead (`HandOffWatch`).
///
/// One holder hands each key over, the designee. Two cost five more stores per key-hour
/// at 60-minute sessions; with one, what it leaves undone is sent again, and what a dead
/// designee left falls to the next.
extension NodeState {
    /// How long a hand-off left to another holder is watched: twice the quiet a holder's
    /// neighbours are allowed, so a designee already dead is found out (its neighbours ping
    /// it after 5 quiet minutes) within the watch.
    package var handOffWatchTime: Duration { neighbourQuietLimit * 2 }

    /// What a contact newly in the table implies: journal it, hand it the values it should
    /// now hold from us, and watch those another holder is to hand it.
    mutating func admitted(_ contact: Contact, now: Timestamp) -> Observation {
        if isJournaled { journalContacts.append(contact) }
        // Back in the table, it is handed all it should hold afresh, debts included.
        handOffDebts.forget(contact.id)
        guard store.count > 0 else { return Observation() }
        let ours = assignHandOffs(of: targetsHeld(withinReachOf: contact.id, now: now), to: contact, now: now, watchUntil: now + handOffWatchTime)
        return Observation(handOff: ours)
    }

    /// Of `targets` held here, those this node hands `newcomer`; each of the rest that
    /// another holder is to hand it is watched under that designee until `watchUntil`.
    private mutating func assignHandOffs(of targets: [NodeID], to newcomer: Contact, now: Timestamp,
                                         watchUntil: Timestamp) -> [NodeID] {
        var ours: [NodeID] = []
        var leftTo: [NodeID: [NodeID]] = [:]
        let awaiting = awaitingHandOff
        for target in targets {
            switch designee(of: target, for: newcomer, now: now, awaiting: awaiting) {
            case localID?: ours.append(target)
            case let other?: leftTo[other, default: []].append(target)
            case nil: break
            }
        }
        for (designee, left) in leftTo {
            handOffWatch.watch(newcomer, for: left, leftTo: designee, until: watchUntil)
        }
        return ours
    }

    /// The holder that hands `target` to `newcomer`, as this node sees it; nil when none does.
    /// A newcomer in `awaiting` (`awaitingHandOff`) is passed over unless confirmed holding
    /// it: newcomers gather near a key, and each was left to hand it to the next, which
    /// none of them held.
    private func designee(of target: NodeID, for newcomer: Contact, now: Timestamp, awaiting: Set<NodeID>) -> NodeID? {
        let known = routingTable.closest(to: target, limit: configuration.k + 1).filter { $0.id != newcomer.id }.map(\.id)
        return HandOffRule.designee(target, to: newcomer.id, localID: localID, known: known, k: configuration.k) { contact in
            isKnownLive(contact, now: now) && (!awaiting.contains(contact) || store.isKnownHolder(contact, of: target))
        }
    }

    /// The newcomers still waiting for a hand-off: watched under another holder, or owed by
    /// this one. Until it ends they may lack what their neighbours hold.
    package var awaitingHandOff: Set<NodeID> { handOffWatch.newcomers.union(handOffDebts.newcomers) }

    /// The held targets (values and tombstones) whose K closest `id` may rank among. Most
    /// contacts lie in far buckets, most held targets near this node: a target in a bucket
    /// below `id`'s is nearer every contact in those buckets than `id` (they share the bits
    /// `id` differs in), so with K of them `id` is not among its K closest. Joins and deaths
    /// ask this of every held value: most are passed over without a look at the table.
    package func targetsHeld(withinReachOf id: NodeID, now: Timestamp) -> [NodeID] {
        let reach = localID.bucketIndex(of: id).flatMap { routingTable.count(below: $0) >= configuration.k ? $0 : nil } ?? -1
        // In ascending order, as `ValueStore.all`, so hand-offs go out alike in every process.
        var targets = store.entries.compactMap { target, entry in
            entry.stored.expiresAt > now && (localID.bucketIndex(of: target) ?? -1) >= reach ? target : nil
        }
        targets.sort()
        return targets
    }

    /// Held values (and tombstones) that `newcomer` should now hold from us: of all held,
    /// or of `candidates` only (a retry of what it did not take).
    package func handOffTargets(for newcomer: Contact, now: Timestamp, among candidates: [NodeID]? = nil) -> [NodeID] {
        guard store.count > 0 else { return [] }
        let targets = candidates?.filter { store.entry(for: $0, now: now) != nil } ?? targetsHeld(withinReachOf: newcomer.id, now: now)
        let awaiting = awaitingHandOff
        return targets.filter { designee(of: $0, for: newcomer, now: now, awaiting: awaiting) == localID }
    }

    /// The hand-off retries due at `now` (`HandOffDebts`), of the values the newcomers should
    /// still hold from us. A newcomer silent twice is out of the table, but may be back: a
    /// retry asks it first with one offer, so a dead one costs a query, not the whole debt.
    package mutating func dueHandOffRetries(now: Timestamp) -> [HandOffDebts.Debt] {
        presumeHandedOff(handOffWatch.removeEnded(now: now), now: now)
        return handOffDebts.takeDue(now: now).compactMap { debt in
            var retry = debt
            retry.targets = handOffTargets(for: debt.newcomer, now: now, among: debt.targets)
            return retry.targets.isEmpty ? nil : retry
        }
    }

    /// Presumes each newcomer of a watch that ended, still in the table, holds what its
    /// designee (alive throughout, or the watch would have moved on) was to hand it. The
    /// designee is the holder nearest the newcomer, the round's runner the one nearest the
    /// key: without this the round offered most members what their hand-offs had given
    /// them (of 11,040 such offers traced, 97% found the value there, 0.5% did not and the
    /// rest went unanswered). A presumption only spares the newcomer the round's offer
    /// (`holdersSparedOffers`). Rounds put off for a presumed nearer holder lost keys
    /// (3 of 6 days at 2,000 nodes): the farther holders' rounds are what mends a
    /// neighbourhood whose nearer holders died unnoticed. Repairs and hand-offs count a
    /// presumed member no holder either: the designee may not have known it was one.
    private mutating func presumeHandedOff(_ ended: [HandOffWatch.Watched], now: Timestamp) {
        for watched in ended where routingTable.entry(for: watched.newcomer.id) != nil {
            for target in watched.targets { store.presume(watched.newcomer.id, holds: target, now: now, limit: configuration.k) }
        }
    }

    /// The members a round does not offer `target` to: those confirmed holding it, or
    /// presumed handed it (`presumeHandedOff`) and nearer the key than this node, within
    /// `confirmationSkipsOffers`. A farther one is offered it all the same: the offer tells
    /// it a nearer holder is replicating, which puts its own round off (sparing those too
    /// cost 0.4 RPCs a key-hour more at 3-hour sessions than it saved).
    package mutating func holdersSparedOffers(of target: NodeID, now: Timestamp) -> Set<NodeID> {
        let since = now - confirmationSkipsOffers
        let own = localID.distance(to: target)
        return store.confirmedHolders(of: target, since: since)
            .union(store.presumedHolders(of: target, since: since).filter { $0.distance(to: target) < own })
    }

    /// After `gone` left the table: the hand-offs it was to do that now fall to this node,
    /// by newcomer. Those falling to yet another holder are watched under it in turn.
    package mutating func handOffsFallenToUs(afterLosing gone: NodeID, now: Timestamp) -> [(newcomer: Contact, targets: [NodeID])] {
        handOffWatch.takeLeft(to: gone, now: now).compactMap { watched in
            let held = watched.targets.filter { store.entry(for: $0, now: now) != nil }
            let ours = assignHandOffs(of: held, to: watched.newcomer, now: now, watchUntil: watched.until)
            return ours.isEmpty ? nil : (watched.newcomer, ours)
        }
    }
}
