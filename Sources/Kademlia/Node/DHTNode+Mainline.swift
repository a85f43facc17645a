/// This node as a Mainline client: announcing itself as a peer of a torrent, finding a
/// torrent's peers (BEP 5), and putting and getting immutable BEP 44 items, through any
/// mix of our nodes and other Mainline implementations.
extension DHTNode {
    /// Announces this node's address (with `port`, or the port its datagrams come from
    /// when nil: `implied_port`) as a peer of `infoHash` at the K closest nodes; returns
    /// how many took it, this node included when it is among them.
    public func announce(infoHash: NodeID, port: UInt16? = nil, seed: Bool = false) async throws(PutError) -> Int {
        guard !isStopped else { throw .stopped }
        let outcome = await lookup(infoHash, for: .peers(noSeed: false))
        let taken = await sendToClosest(outcome) { token in
            .announcePeer(AnnounceRequest(infoHash: infoHash, port: port ?? 0, impliedPort: port == nil, seed: seed, token: token))
        }
        let here = isAmongClosest(infoHash, outcome)
        if here {
            let now = clock.now()
            let me = SocketAddress(ip: address.ip, port: port ?? address.port)
            mutate { $0.peers.announce(me, in: infoHash, seed: seed, now: now) }
        }
        let count = taken + (here ? 1 : 0)
        log(.info, .data, "announced \(infoHash.hex.prefix(8)) at \(count) nodes",
            fields: [.text("info_hash", infoHash.hex), .count("nodes", count)])
        guard count > 0 else { throw .notStored }
        return count
    }

    /// The peers of `infoHash` that the K closest nodes (and this one) know of.
    public func findPeers(of infoHash: NodeID, noSeed: Bool = false) async throws(GetError) -> [SocketAddress] {
        guard !isStopped else { throw .stopped }
        let outcome = await lookup(infoHash, for: .peers(noSeed: noSeed))
        let now = clock.now()
        let local = mutate { state in
            state.peers.peers(of: infoHash, noSeed: noSeed, limit: LookupOutcome.maxPeers, now: now, using: &state.random)
        }
        if outcome.closest.isEmpty && local.isEmpty && isCutOff(queried: outcome.queries) { throw .noNodeAnswered }
        return local + outcome.peers.filter { !local.contains($0) }
    }

    /// Puts an immutable item, `value` being its whole bencoding (`12:Hello World!`,
    /// `d1:ai1ee`), at the K closest nodes to its target, SHA-1 of those bytes; returns the
    /// target and how many nodes took it.
    public func putItem(_ value: [UInt8]) async throws(PutError) -> (target: NodeID, storedAt: Int) {
        guard !isStopped else { throw .stopped }
        guard value.count <= BEP44Rules.maxValueSize else { throw .valueTooLarge(size: value.count, limit: BEP44Rules.maxValueSize) }
        guard (try? BencodeDecoder.decode(value)) != nil else { throw .invalidItem("not one bencoded value") }
        let target = BEP44Rules.immutableTarget(of: value)
        let outcome = await lookup(target, for: .items)
        let taken = await sendToClosest(outcome) { token in .putItem(ItemPutRequest(token: token, value: value)) }
        var here = isAmongClosest(target, outcome)
        if here {
            let now = clock.now()
            // Counted only once the journal has it, as a value is.
            here = mutateReportingJournal { $0.items.put(value, mutable: nil, at: target, now: now) }.journaled
        }
        let count = taken + (here ? 1 : 0)
        guard count > 0 else { throw .notStored }
        return (target, count)
    }

    /// The immutable item stored under `target`: the bytes whose SHA-1 is `target`, from
    /// this node or the first node that returned them; nil when no node holds it.
    public func item(_ target: NodeID) async throws(GetError) -> [UInt8]? {
        guard !isStopped else { throw .stopped }
        let now = clock.now()
        if let held = read({ $0.items.item(at: target, now: now) }), held.mutable == nil { return held.value }
        let outcome = await lookup(target, for: .items)
        for response in outcome.items.values {
            if let value = response.item, BEP44Rules.immutableTarget(of: value) == target { return value }
        }
        if outcome.closest.isEmpty && isCutOff(queried: outcome.queries) { throw .noNodeAnswered }
        return nil
    }

    /// Sends the query `make` builds from each token to the K closest that gave one;
    /// returns how many answered without an error.
    func sendToClosest(_ outcome: LookupOutcome, _ make: ([UInt8]) -> Query) async -> Int {
        let queries = outcome.closest.prefix(configuration.k).compactMap { contact -> OutboundQuery? in
            outcome.tokens[contact.id].map { OutboundQuery(query: make($0), address: contact.address, expectedID: contact.id) }
        }
        return await requestAll(queries).count { if case .success = $0 { true } else { false } }
    }

    /// Whether this node is among the K closest to `target` of those the lookup heard from.
    func isAmongClosest(_ target: NodeID, _ outcome: LookupOutcome) -> Bool {
        HandOffRule.isAmongClosest(target, localID: id, known: outcome.closest.map(\.id), k: configuration.k)
    }
}

/// What one node answered to BEP 51 `sample_infohashes`.
public struct SampledNode: Sendable, Equatable {
    /// The node that answered.
    public var id: NodeID
    /// Its count, sample and interval.
    public var sample: InfohashSample
    /// The nodes it knows nearest the target asked about.
    public var nodes: [Contact]
}

extension DHTNode {
    /// Asks the node at `address` for BEP 51's sample of what it holds, and for its nodes
    /// nearest `target`; throws `.noNodeAnswered` when it does not answer with one.
    public func sampleInfohashes(at address: SocketAddress, target: NodeID) async throws(GetError) -> SampledNode {
        guard !isStopped else { throw .stopped }
        let result: RPCResult = await withCheckedContinuation { continuation in
            dispatch(.sampleInfohashes(target: target), to: address, for: .user) { continuation.resume(returning: $0) }
        }
        guard case .success(let response) = result, let sample = response.sample else { throw .noNodeAnswered }
        return SampledNode(id: response.id, sample: sample, nodes: response.nodes ?? [])
    }
}
