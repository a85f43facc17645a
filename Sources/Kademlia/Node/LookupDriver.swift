import Synchronization

/// Drives one `Lookup` from the threads its replies arrive on: a reply updates the state
/// machine and the next queries go out at once, on that thread. A round trip thus costs
/// no hop through the task scheduler; the caller awaits a single continuation.
final class LookupDriver: Sendable {
    /// What a lookup is for, which decides what it asks, what it keeps and when it ends.
    enum Purpose: Sendable, Equatable {
        /// find_node until the K closest seen have all answered or failed (the paper's lookup).
        case nodes
        /// The lookup of a join: as `nodes` but until the 2K closest have answered, so every
        /// node near the newcomer learns of it, and each query grants the responder a write
        /// token, so a holder that hands this node values can store them at once.
        case join
        /// find_value for a get: ends as soon as the closest contact still standing has
        /// answered with a value, since nothing nearer the key is left to ask and the
        /// nearest node is in every put's K closest. Keeps tokens, for caching the value.
        case read
        /// find_value for a put: runs until the K closest have answered, keeping each one's
        /// token and the highest seq among them.
        case write
        /// BEP 5 get_peers: until the K closest have answered, keeping their tokens (for an
        /// announce) and every peer any node returned.
        case peers(noSeed: Bool)
        /// BEP 44 get: until the K closest have answered, keeping their tokens (for a put)
        /// and each one's item.
        case items

        /// The purpose as reports name it.
        var name: LookupPurpose {
            switch self {
            case .nodes: .nodes
            case .join: .join
            case .read: .read
            case .write: .write
            case .peers: .peers
            case .items: .items
            }
        }

        /// The query this lookup sends toward `target`.
        func query(toward target: NodeID) -> Query {
            switch self {
            case .nodes, .join: .findNode(target: target)
            case .read, .write: .findValue(target: target)
            case .peers(let noSeed): .getPeers(infoHash: target, noSeed: noSeed)
            case .items: .getItem(target: target)
            }
        }
    }

    private struct State {
        var lookup: Lookup
        var outcome: LookupOutcome
        var valueHolders: Set<NodeID> = []
        var keys: [PendingRequests.Key] = []
        var continuation: CheckedContinuation<LookupOutcome, Never>?
        /// One thread at a time sends; replies that arrive meanwhile (inline, on the
        /// in-memory network) leave their news in `lookup` for it to act on.
        var dispatching = false
        var finished = false
        /// For a write storing as it goes: whether the K closest that had answered were all
        /// sent their stores, and the newest version they were numbered after.
        var storingBegun = false
        var storesNumberedAfter: FoundValue?
    }

    private enum Work {
        case idle
        case send([Contact])
        case finish(CheckedContinuation<LookupOutcome, Never>?, LookupOutcome, [PendingRequests.Key])
    }

    private let node: DHTNode
    private let target: NodeID
    private let query: Query
    private let purpose: Purpose
    private let cause: QueryCause
    /// Whether the outcome keeps the path (who was asked, when learned, who answered).
    private let traced: Bool
    private let state: Mutex<State>
    /// When the lookup started, for its report.
    private let started: Timestamp
    /// A write's stores, sent to each of the K closest as soon as it has answered.
    private let stores: StoreRound?

    init(node: DHTNode, lookup: Lookup, purpose: Purpose, cause: QueryCause, traced: Bool = false, stores: StoreRound? = nil) {
        self.node = node
        self.stores = purpose == .write ? stores : nil
        self.cause = cause
        self.traced = traced
        target = lookup.target
        query = purpose.query(toward: lookup.target)
        self.purpose = purpose
        started = node.clock.now()
        state = Mutex(State(lookup: lookup, outcome: LookupOutcome(target: lookup.target)))
    }

    /// Runs the lookup to its end; cancelling the task ends it with what it has.
    func run() async -> LookupOutcome {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ended = state.withLock { state -> LookupOutcome? in
                    guard !state.finished else { return state.outcome }
                    state.continuation = continuation
                    return nil
                }
                if let ended { return continuation.resume(returning: ended) }
                pump()
            }
        } onCancel: {
            perform(state.withLock { $0.finished ? .idle : finish(&$0) })
        }
    }

    /// Sends whatever the lookup asks for until it waits or ends, unless another thread
    /// is already doing so.
    private func pump() {
        guard state.withLock({ state in
            guard !state.dispatching else { return false }
            state.dispatching = true
            return true
        }) else { return }
        while true {
            let work = state.withLock { state -> Work in
                guard !state.finished else { return .idle }
                if reachedClosestHolder(state) { return finish(&state) }
                var batch: [Contact] = []
                while true {
                    switch state.lookup.next() {
                    case .query(let contact): batch.append(contact)
                    case .finished: return finish(&state)
                    case .wait:
                        if batch.isEmpty { state.dispatching = false }
                        return batch.isEmpty ? .idle : .send(batch)
                    }
                }
            }
            perform(work)
            guard case .send = work else { return }
        }
    }

    private func perform(_ work: Work) {
        switch work {
        case .idle:
            return
        case .send(let batch):
            for contact in batch { send(to: contact) }
        case .finish(let continuation, let outcome, let abandoned):
            if let onLookup = node.configuration.onLookup {
                onLookup(LookupReport(target: target, queries: outcome.queries, hops: outcome.hops, foundValue: outcome.value != nil,
                                      purpose: purpose.name, duration: node.clock.now() - started))
            }
            continuation?.resume(returning: outcome)
            for key in abandoned { node.cancelQuery(key) }
        }
    }

    private func send(to contact: Contact) {
        let query = purpose == .join ? Query.findNode(target: target, grant: node.grant(to: contact.address)) : self.query
        let key = node.dispatch(query, to: contact.address, expecting: contact.id, for: cause, onStall: { [self] in
            // A stalled contact gives up its place: one that answered may move into the K closest.
            let holders = state.withLock { state in
                state.lookup.onStalled(contact.id)
                return holdersToStore(&state, answered: nil)
            }
            storeEarly(holders)
            pump()
        }, completion: { [self] result in
            settled(contact, result)
        })
        let orphaned = state.withLock { state in
            guard !state.finished else { return true }
            state.keys.append(key)
            return false
        }
        if orphaned { node.cancelQuery(key) }
    }

    private func settled(_ contact: Contact, _ result: RPCResult) {
        let holders = state.withLock { state -> EarlyHolders? in
            guard !state.finished else { return nil }
            switch result {
            case .success(let response):
                state.lookup.onResponse(from: contact.id, closer: node.usable(response.nodes ?? []))
                switch purpose {
                case .nodes, .join: break
                case .read: if state.outcome.record(response, from: contact.id) { state.valueHolders.insert(contact.id) }
                case .write: state.outcome.record(response, from: contact.id)
                case .peers, .items: state.outcome.recordMainline(response, from: contact.id)
                }
            case .failure:
                state.lookup.onFailure(from: contact.id)
            }
            let answered: Contact? = if case .success = result { contact } else { nil }
            return holdersToStore(&state, answered: answered)
        }
        storeEarly(holders)
        pump()
    }

    /// The holders to send stores now, and the newest version any answer held; nil when
    /// this lookup stores nothing as it goes, or nothing is new. All of the K closest that
    /// answered with a token when the final round begins (or a newer version shows, or a
    /// stall lets others in), and from then on each one that answers among them: a reply
    /// costs one check of the K, not a pass over all of them.
    private typealias EarlyHolders = (holders: [(Contact, [UInt8])], newest: FoundValue?)

    private func holdersToStore(_ state: inout State, answered: Contact?) -> EarlyHolders? {
        guard stores != nil, !state.finished else { return nil }
        let newest = state.outcome.value
        if state.storingBegun, answered != nil, newest == state.storesNumberedAfter {
            guard let answered, let token = state.outcome.tokens[answered.id],
                  state.lookup.isAnsweredNearest(answered.id) else { return nil }
            return ([(answered, token)], newest)
        }
        let holders = state.lookup.answeredNearest.compactMap { holder in state.outcome.tokens[holder.id].map { (holder, $0) } }
        guard !holders.isEmpty else { return nil }
        state.storingBegun = true
        state.storesNumberedAfter = newest
        return (holders, newest)
    }

    private func storeEarly(_ early: EarlyHolders?) {
        guard let stores, let early else { return }
        let seq = stores.seq(after: early.newest)
        for (holder, token) in early.holders { stores.send(seq, to: holder, token: token) }
    }

    private func reachedClosestHolder(_ state: State) -> Bool {
        guard purpose == .read, let closest = state.lookup.closestStanding else { return false }
        return state.valueHolders.contains(closest.id)
    }

    /// Ends the lookup: settles the outcome and hands back the waiter and the queries still out.
    private func finish(_ state: inout State) -> Work {
        state.finished = true
        state.dispatching = false
        // A router only points the way: nothing is stored on it.
        let routers = node.configuration.routers
        state.outcome.closest = routers.isEmpty ? state.lookup.closestResponded
            : state.lookup.closestResponded.filter { !routers.contains($0.address) }
        state.outcome.queries = state.lookup.queried
        state.outcome.hops = state.lookup.hops
        if traced { state.outcome.path = state.lookup.path }
        defer { state.keys = [] }
        return .finish(state.continuation.take(), state.outcome, state.keys)
    }
}
