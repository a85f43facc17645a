/// Answering queries: the inbound direction, pure so it is tested without a network.
extension NodeState {
    /// The reply to one query from `sender`; a response tells the sender the address it
    /// was seen at (BEP 42's `ip`), which is how a node behind a NAT learns its own.
    package mutating func answer(_ query: Query, transactionID: [UInt8], from sender: Contact, now: Timestamp) -> Message {
        var message = reply(to: query, transactionID: transactionID, from: sender, now: now)
        if case .response = message.body { message.observedAddress = sender.address }
        return message
    }

    private mutating func reply(to query: Query, transactionID: [UInt8], from sender: Contact, now: Timestamp) -> Message {
        let k = configuration.k
        switch query {
        case .ping:
            return reply(Response(id: localID), to: transactionID)
        case .findNode(let target, _):
            return reply(Response(id: localID, nodes: routingTable.closest(to: target, limit: k)), to: transactionID)
        case .findValue(let target, let holding):
            let closest = routingTable.closest(to: target, limit: k)
            var response = Response(id: localID, nodes: closest)
            response.token = tokens.token(for: sender.address, now: now, using: &random)
            if let held = store.entry(for: target, now: now) {
                response.value = held.isTombstone ? nil : held.value
                response.deleted = held.isTombstone
                response.seq = held.seq
                response.ttl = held.remainingSeconds(now: now)
                if holding == held.seq, Self.isPlausibleHolder(sender.id, of: target, closest: closest, k: k) {
                    store.confirm(sender.id, holds: target, now: now)
                    // Only a nearer holder's round stands in for ours: a farther one probing
                    // is repairing, or has not heard of us, and the round is still ours.
                    if sender.id.distance(to: target) < localID.distance(to: target) {
                        deferReplication(of: target, now: now, nearer: HandOffRule.rank(of: localID, among: closest.map(\.id), for: target))
                    }
                }
            }
            return reply(response, to: transactionID)
        case .store(let request):
            return answerStore(request, transactionID: transactionID, from: sender, now: now)
        case .getPeers(let infoHash, let noSeed):
            return answerGetPeers(infoHash, noSeed: noSeed, transactionID: transactionID, from: sender, now: now)
        case .announcePeer(let request):
            return answerAnnounce(request, transactionID: transactionID, from: sender, now: now)
        case .getItem(let target, let seq):
            return answerGetItem(target, newerThan: seq, transactionID: transactionID, from: sender, now: now)
        case .putItem(let request):
            return answerPutItem(request, transactionID: transactionID, from: sender, now: now)
        case .sampleInfohashes(let target):
            return answerSampleInfohashes(target, transactionID: transactionID, now: now)
        case .listen(let target, let token):
            return answerListen(target, token: token, transactionID: transactionID, from: sender, now: now)
        case .notify:
            // The shell hands notifications for a watch of this node's to it; any other is unwanted.
            return .error(.protocolError, "Not listening", transactionID: transactionID)
        case .unknown(_, let target?):
            // As libtorrent does: an extension we lack still gets the nodes nearest its target.
            return reply(Response(id: localID, nodes: routingTable.closest(to: target, limit: k)), to: transactionID)
        case .unknown(let method, nil):
            return .error(.methodUnknown, "Method Unknown: \(method.prefix(32))", transactionID: transactionID)
        }
    }

    private mutating func answerStore(_ request: StoreRequest, transactionID: [UInt8], from sender: Contact, now: Timestamp) -> Message {
        guard request.value.count <= ValueStore.maxValueSize else {
            return .error(.valueTooBig, "Value too big: \(request.value.count) bytes, limit \(ValueStore.maxValueSize)", transactionID: transactionID)
        }
        guard tokens.isValid(request.token, for: sender.address, now: now, using: &random) else {
            return .error(.protocolError, "Bad token", transactionID: transactionID)
        }
        if let key = request.key, NodeID(bytes: SHA1.hash(key)) != request.target {
            return .error(.protocolError, "Key does not hash to target", transactionID: transactionID)
        }
        let ttl = request.ttl.map { Duration.seconds($0) }
        let known = routingTable.closest(to: request.target, limit: configuration.k).map(\.id)
        let nearer = HandOffRule.rank(of: localID, among: known, for: request.target)
        let jitter = replicationJitter(nearer: nearer)
        // Among the K closest (`HandOffRule.isAmongClosest`): fewer than K known are nearer.
        let asReplica = nearer < configuration.k
        let source = TrafficSource.network(sender.address, relaxLoopback: configuration.limits.relaxLoopback)
        if let refusal = admit(request, from: source, asReplica: asReplica, transactionID: transactionID, now: now) { return refusal }
        switch store.store(request.value, seq: request.seq, for: request.target, key: request.key, ttl: ttl,
                           tombstone: request.deleted, now: now, from: sender.id, replicationDelay: jitter,
                           asReplica: asReplica, source: source) {
        case .stored, .refreshed, .keptExisting:
            return reply(Response(id: localID), to: transactionID)
        case .rejectedOlder(let current):
            return .error(.sequenceTooLow, "Sequence number \(request.seq) lower than stored \(current)", transactionID: transactionID)
        }
    }

    /// Applies the store quotas: nil when the store may take its space (a cached copy may
    /// have been dropped for it), else the 202 error to answer. A copy of the version held
    /// takes no new space, so it is never refused.
    private mutating func admit(_ request: StoreRequest, from source: TrafficSource, asReplica: Bool,
                                transactionID: [UInt8], now: Timestamp) -> Message? {
        if let held = store.entry(for: request.target, now: now), held.seq == request.seq, held.isTombstone == request.deleted,
           request.deleted || held.value == request.value { return nil }
        let cost = StoreUsage.cost(valueBytes: request.deleted ? 0 : request.value.count, keyBytes: request.key?.count ?? 0)
        switch store.admission(cost: cost, for: request.target, from: source, asReplica: asReplica,
                               limits: configuration.limits) {
        case .admit:
            return nil
        case .admitEvicting(let victim):
            store.remove(victim)
            return nil
        case .sourceOverQuota:
            storesRefused += 1
            return .error(.server, "Store quota used up for \(source)", transactionID: transactionID)
        case .full:
            storesRefused += 1
            return .error(.server, "Store full", transactionID: transactionID)
        }
    }

    /// A nearer holder is replicating the version held here: as with a `store` of it (the
    /// paper's first optimization), this node skips its own round for an interval.
    private mutating func deferReplication(of target: NodeID, now: Timestamp, nearer: Int) {
        let jitter = replicationJitter(nearer: nearer)
        store.deferReplication(of: target, until: now + configuration.replicationInterval + jitter)
    }

    /// Whether `id` could be among the K closest to `target`: nearer than the K-th closest
    /// this node knows. A far node announcing a replication cannot silence ours.
    package static func isPlausibleHolder(_ id: NodeID, of target: NodeID, closest: [Contact], k: Int) -> Bool {
        guard closest.count >= k, let farthest = closest.last else { return true }
        return id.distance(to: target) <= farthest.id.distance(to: target)
    }

    package func reply(_ response: Response, to transactionID: [UInt8]) -> Message {
        Message(transactionID: transactionID, body: .response(response), version: Message.ourVersion)
    }
}
