/// Joining a network, and staying joined: the bootstrap, bucket refresh, and retrying the
/// bootstrap addresses while the routing table is empty.
extension DHTNode {
    /// Joins the network through `seeds`: pings each, then looks up our own id and
    /// refreshes every bucket farther than our closest neighbour (the paper's join).
    /// The seeds are remembered: while the table is short of contacts the node retries
    /// them with backoff, so nodes started in any order find each other. A node with a
    /// data directory adds the contacts it saved, so after a restart `bootstrap([])`
    /// rejoins. Throws `noAnswer` when no seed answered (the retries go on in the background).
    public func bootstrap(_ seeds: [SocketAddress]) async throws(JoinError) -> JoinResult {
        guard !isStopped else { throw .stopped }
        let now = clock.now()
        var seen = Set<SocketAddress>()
        let others = (seeds + rejoinAddresses).filter { $0 != address && seen.insert($0).inserted }
        guard !others.isEmpty else { throw .noBootstrapNodes }
        let retryAt = mutate { state -> Timestamp? in
            state.rejoin.remember(others, now: now)
            return state.rejoin.nextAttempt
        }
        if let retryAt { scheduleMaintenance(by: retryAt) }
        let answered = await join(through: others, cause: .user)
        guard answered > 0 else { throw .noAnswer(tried: others.count) }
        return JoinResult(answered: answered, tried: others.count, contacts: read { $0.routingTable.count })
    }

    /// Joins through `endpoints`, each `host:port` with a host name or dotted quad. Names
    /// are resolved first (blocking getaddrinfo), and one that fails fails the join.
    public func bootstrap(_ endpoints: [String]) async throws(JoinError) -> JoinResult {
        var seeds: [SocketAddress] = []
        for endpoint in endpoints {
            do {
                seeds.append(try HostResolver.resolve(endpoint: endpoint))
            } catch {
                throw .unresolvable(error)
            }
        }
        return try await bootstrap(seeds)
    }

    /// Pings `seeds`, and if any answered (or the table has contacts) runs the join lookups.
    func join(through seeds: [SocketAddress], cause: QueryCause) async -> Int {
        let pings = seeds.map { OutboundQuery(query: .ping, address: $0, expectedID: nil) }
        let answered = await requestAll(pings, for: cause).count { if case .success = $0 { true } else { false } }
        guard answered > 0 || read({ $0.routingTable.count }) > 0 else {
            log(cause == .user ? .info : .debug, .membership, "no bootstrap node answered")
            return answered
        }
        let closest = await lookup(id, for: .join, cause: cause).closest.first
        if let nearest = closest.flatMap({ id.bucketIndex(of: $0.id) }), nearest + 1 < NodeID.bitCount {
            await refresh(buckets: Array(nearest + 1..<NodeID.bitCount), cause: cause)
        }
        // A rejoin retried every few seconds in a network smaller than K would say this each time.
        let contacts = read { $0.routingTable.count }
        log(cause == .user ? .info : .debug, .membership, "joined: \(contacts) contact\(contacts == 1 ? "" : "s") known",
            fields: [.count("contacts", contacts)])
        return answered
    }

    /// A write token for `address`, as this node hands out in find_value replies.
    func grant(to address: SocketAddress) -> [UInt8] {
        let now = clock.now()
        return mutate { state in state.tokens.token(for: address, now: now, using: &state.random) }
    }

    /// Looks up a random id in each of these buckets, one after another.
    func refresh(buckets: [Int], cause: QueryCause = .routing) async {
        for index in buckets {
            let target = mutate { id.randomID(inBucket: index, using: &$0.random) }
            _ = await lookup(target, for: .nodes, cause: cause)
        }
    }
}
