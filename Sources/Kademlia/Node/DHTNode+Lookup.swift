/// What an iterative lookup found.
struct LookupOutcome: Sendable {
    /// What the lookup looked for.
    var target: NodeID
    /// The K closest contacts that answered, closest first.
    var closest: [Contact] = []
    /// The write token each answering node gave (find_value lookups).
    var tokens: [NodeID: [UInt8]] = [:]
    /// The winning value or tombstone among the answers, by the versioning rules; seq
    /// decides first, so its seq is the highest any node reported.
    var value: FoundValue? = nil
    /// Seconds the winning version has left, as its sender reported.
    var valueTTL: Int64? = nil
    /// What each responder that answered with a value or tombstone returned (read and write lookups).
    var returned: [NodeID: FoundValue] = [:]
    /// Queries sent.
    var queries = 0
    /// Hops to the farthest of the K closest.
    var hops = 0
    /// BEP 5: every peer the answers named (get_peers lookups).
    var peers: [SocketAddress] = []
    /// BEP 44: each responder's item, as it sent it (get lookups); checked by the caller.
    var items: [NodeID: Response] = [:]
    /// Every contact asked, with its round and whether it answered; nil unless traced (an
    /// optional, so the outcomes of untraced lookups carry no array to retain and release).
    var path: [LookupStep]?
}

extension DHTNode {
    /// Runs one iterative lookup for `target`: at most ALPHA queries in flight, each reply
    /// refilling its slot, until the K closest seen have answered (or, to read a value,
    /// until the closest one standing has answered with it).
    /// `traced` keeps the lookup's path in the outcome; a write lookup given `stores` sends
    /// them to each of the K closest as its answer comes.
    func lookup(_ target: NodeID, for purpose: LookupDriver.Purpose, cause: QueryCause = .user, traced: Bool = false,
                stores: StoreRound? = nil) async -> LookupOutcome {
        await lookupGate.run { await runLookup(target, for: purpose, cause: cause, traced: traced, stores: stores) }
    }

    private func runLookup(_ target: NodeID, for purpose: LookupDriver.Purpose, cause: QueryCause, traced: Bool,
                           stores: StoreRound?) async -> LookupOutcome {
        let now = clock.now()
        let (seeds, spares) = mutate { state in
            state.routingTable.noteLookup(toward: target, now: now)
            let known = state.routingTable.closest(to: target, limit: configuration.k)
            let spares = purpose == .write ? state.roundTrips.spares(k: configuration.k, limit: configuration.writeSpares) : 0
            // As libtorrent does: routers help only a lookup that starts with too few contacts.
            return (known.count < configuration.alpha ? known + state.routerContacts.values : known, spares)
        }
        // A join asks twice as wide: every node near the newcomer then knows it, and those
        // holding keys it now belongs to hand them over.
        let width = purpose == .join ? 2 * configuration.k : configuration.k
        let lookup = Lookup(target: target, k: width, alpha: configuration.alpha, spares: spares, seeds: seeds, excluding: id)
        return await LookupDriver(node: self, lookup: lookup, purpose: purpose, cause: cause, traced: traced, stores: stores).run()
    }

    /// Contacts from a reply worth querying: not ourselves, with a real address, and not
    /// lately found bad by this node (others may not have noticed yet).
    func usable(_ contacts: [Contact]) -> [Contact] {
        let plausible = contacts.filter { $0.id != id && $0.address.port != 0 && $0.address.ip != 0 }
        let now = clock.now()
        return read { state in
            guard !state.recentFailures.isEmpty else { return plausible }
            return plausible.filter { !state.recentFailures.contains($0.id, now: now) }
        }
    }
}

extension LookupOutcome {
    /// Keeps `responder`'s token, and its value or tombstone, which becomes the winner if
    /// it supersedes the one held; true if the reply carried a usable value or tombstone.
    @discardableResult
    mutating func record(_ response: Response, from responder: NodeID) -> Bool {
        if let token = response.usableToken { tokens[responder] = token }
        guard let found = response.foundValue else { return false }
        returned[responder] = found
        if self.value.map(found.supersedes) ?? true {
            self.value = found
            valueTTL = response.ttl
        }
        return true
    }
}

extension LookupOutcome {
    /// Keeps a Mainline reply's token and what it carries: peers, or an item.
    mutating func recordMainline(_ response: Response, from responder: NodeID) {
        if let token = response.usableToken { tokens[responder] = token }
        for peer in response.peers ?? [] where !peers.contains(peer) && peers.count < Self.maxPeers { peers.append(peer) }
        if response.item != nil { items[responder] = response }
    }

    /// Peers a get_peers lookup keeps at most: K answers of 100 each, but bounded anyway.
    static let maxPeers = 1000
}

extension Response {
    /// The write token, unless it is too long to send back: a `store` carrying it must
    /// still fit a datagram (`Message.maxTokenSize`).
    var usableToken: [UInt8]? {
        token.flatMap { $0.count <= Message.maxTokenSize ? $0 : nil }
    }

    /// The value or tombstone a find_value reply carries, if it carries a usable one.
    var foundValue: FoundValue? {
        if deleted {
            // A tombstone without its seq says nothing usable; never read it as a value.
            return seq.map { FoundValue(value: [], seq: $0, isDeleted: true) }
        }
        guard let value, value.count <= DHTNode.maxValueSize else { return nil }
        return FoundValue(value: value, seq: seq ?? 0)
    }
}
