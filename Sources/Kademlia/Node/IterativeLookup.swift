/// What an iterative lookup found.
struct LookupOutcome: Sendable {
    /// The K closest contacts that answered, closest first.
    var closest: [Contact]
    /// The write token each answering node gave (find_value lookups).
    var tokens: [NodeID: [UInt8]]
    /// The winning value among the answers, by the versioning rules; seq decides first,
    /// so its seq is the highest any node reported.
    var value: FoundValue?
    /// Queries sent.
    var queries: Int
    /// Hops to the farthest of the K closest.
    var hops: Int
}

extension DHTNode {
    /// Runs one iterative lookup for `target`: at most ALPHA queries in flight, each reply
    /// refilling its slot, until the K closest seen have answered (or, to read a value,
    /// until the closest one standing has answered with it).
    func lookup(_ target: NodeID, for purpose: LookupDriver.Purpose) async -> LookupOutcome {
        let now = clock.now()
        let seeds = state.withLock { state in
            state.routingTable.noteLookup(toward: target, now: now)
            return state.routingTable.closest(to: target, limit: configuration.k)
        }
        let lookup = Lookup(target: target, k: configuration.k, alpha: configuration.alpha, seeds: seeds, excluding: id)
        return await LookupDriver(node: self, lookup: lookup, purpose: purpose).run()
    }

    /// Contacts from a reply worth querying: not ourselves, and with a real port.
    func usable(_ contacts: [Contact]) -> [Contact] {
        contacts.filter { $0.id != id && $0.address.port != 0 && $0.address.ip != 0 }
    }
}

extension LookupOutcome {
    /// Keeps the reply's value if it wins, and its token under `responder` when given;
    /// true if the reply carried a usable value.
    @discardableResult
    mutating func record(_ response: Response, keepingTokenOf responder: NodeID?) -> Bool {
        if let responder, let token = response.token { tokens[responder] = token }
        guard let value = response.value, value.count <= DHTNode.maxValueSize else { return false }
        let found = FoundValue(value: value, seq: response.seq ?? 0)
        if self.value.map(found.supersedes) ?? true { self.value = found }
        return true
    }
}
