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

/// What a lookup's query tasks tell its driver.
private enum LookupEvent: Sendable {
    case stalled(Contact)
    case settled(Contact, RPCResult)
}

extension DHTNode {
    /// Runs one iterative lookup for `target`: at most ALPHA queries in flight on a task
    /// group, each reply refilling its slot, until the K closest seen have answered.
    func lookup(_ target: NodeID, findValue: Bool) async -> LookupOutcome {
        let now = clock.now()
        let seeds = state.withLock { state in
            state.routingTable.noteLookup(toward: target, now: now)
            return state.routingTable.closest(to: target, limit: configuration.k)
        }
        var lookup = Lookup(target: target, k: configuration.k, alpha: configuration.alpha, seeds: seeds, excluding: id)
        var outcome = LookupOutcome(closest: [], tokens: [:], value: nil, queries: 0, hops: 0)
        let query: Query = findValue ? .findValue(target: target) : .findNode(target: target)

        // Children report through one stream so a stall can wake the driver as well as a reply.
        let (events, sink) = AsyncStream<LookupEvent>.makeStream()
        await withTaskGroup(of: Void.self) { group in
            func launch() -> Bool {
                while true {
                    switch lookup.next() {
                    case .query(let contact):
                        group.addTask {
                            let result = await self.request(query, to: contact.address, expecting: contact.id) {
                                sink.yield(.stalled(contact))
                            }
                            sink.yield(.settled(contact, result))
                        }
                    case .wait: return true
                    case .finished: return false
                    }
                }
            }
            var running = launch()
            var events = events.makeAsyncIterator()
            while running, let event = await events.next() {
                switch event {
                case .stalled(let contact):
                    lookup.onStalled(contact.id)
                case .settled(let contact, .success(let response)):
                    lookup.onResponse(from: contact.id, closer: usable(response.nodes ?? []))
                    if findValue { outcome.record(response, from: contact.id) }
                case .settled(let contact, .failure):
                    lookup.onFailure(from: contact.id)
                }
                running = launch()
            }
            sink.finish()
            group.cancelAll()
        }
        outcome.closest = lookup.closestResponded
        outcome.queries = lookup.queried
        outcome.hops = lookup.hops
        configuration.onLookup?(LookupReport(target: target, queries: outcome.queries, hops: outcome.hops, foundValue: outcome.value != nil))
        return outcome
    }

    /// Contacts from a reply worth querying: not ourselves, and with a real port.
    private func usable(_ contacts: [Contact]) -> [Contact] {
        contacts.filter { $0.id != id && $0.address.port != 0 && $0.address.ip != 0 }
    }
}

extension LookupOutcome {
    mutating func record(_ response: Response, from responder: NodeID) {
        if let token = response.token { tokens[responder] = token }
        guard let value = response.value, value.count <= DHTNode.maxValueSize else { return }
        let found = FoundValue(value: value, seq: response.seq ?? 0)
        if self.value.map(found.supersedes) ?? true { self.value = found }
    }
}
