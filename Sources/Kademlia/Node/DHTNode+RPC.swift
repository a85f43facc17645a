/// The outbound query path: transaction ids, matching replies, timeouts and cancellation.
///
/// A query is a callback, not a task: its completion runs on the thread that settles it
/// (the transport's, for a reply), so a lookup can send its next query without a hop
/// through the task scheduler. `request` and `requestAll` put async/await on top.
extension DHTNode {
    /// Sends `query` to `address` and calls `completion` exactly once with its outcome,
    /// after the routing table has learned from it. When `expectedID` is given, a reply
    /// from another id is an error and a timeout counts against that contact. `onStall`,
    /// if given, is called once if the query is silent for the stall timeout. Upkeep
    /// (`cause` `.data`) to a known contact waits its turn in the destination's window
    /// (`UpkeepWindows`). Returns the query's key, for `cancelQuery`.
    @discardableResult
    func dispatch(
        _ query: Query, to address: SocketAddress, expecting expectedID: NodeID? = nil, for cause: QueryCause = .user,
        onStall: (@Sendable () -> Void)? = nil, completion: @escaping @Sendable (RPCResult) -> Void
    ) -> PendingRequests.Key {
        guard cause == .data, expectedID != nil else {
            return transmit(query, to: address, expecting: expectedID, for: cause, onStall: onStall, completion: completion)
        }
        return dispatchUpkeep(UpkeepQuery(query: query, address: address, expectedID: expectedID, onStall: onStall,
                                          completion: completion))
    }

    /// Sends `query` now (or at `notBefore`, or when pacing lets it), and resends it, after a
    /// doubling wait, while it is answered "busy" (`busyRetries` times at most).
    @discardableResult
    func transmit(
        _ query: Query, to address: SocketAddress, expecting expectedID: NodeID?, for cause: QueryCause,
        onStall: (@Sendable () -> Void)?, attempt: Int = 0, notBefore: Timestamp? = nil,
        completion: @escaping @Sendable (RPCResult) -> Void
    ) -> PendingRequests.Key {
        let now = clock.now()
        let paced = !(configuration.limits.relaxLoopback && address.isLoopback)
        let settled: PendingRequests.Completion = { [self] result in
            if case .failure(let error) = result, error.isBusy, attempt < NodeState.busyRetries(for: cause), !isStopped {
                counters.busyAnswersReceived.add(1, ordering: .relaxed)
                let wait = mutate { $0.busyRetryDelay(after: attempt, to: address, cause: cause) }
                transmit(query, to: address, expecting: expectedID, for: cause, onStall: onStall, attempt: attempt + 1,
                         notBefore: clock.now() + wait, completion: completion)
                transport.noteWaiting()
                return
            }
            let outcome = settle(result, from: address, expecting: expectedID, ourMethod: query.isOurExtension)
            log(.debug, .rpc, RPCTrace.sent(query, to: address, outcome: outcome, after: clock.now() - now),
                fields: [.text("peer", address.description)])
            completion(outcome)
        }
        let reserved = mutate { $0.reserveQuery(to: address, paced: paced, notBefore: notBefore, now: now, completion: settled) }
        guard let (key, sentAt) = reserved else {
            completion(.failure(.cancelled))
            // Matches nothing: a stopped node holds no queries.
            return PendingRequests.Key(transactionID: 0, address: address)
        }
        let transactionID = [UInt8(key.transactionID >> 8), UInt8(key.transactionID & 0xFF)]
        let datagram = Message(transactionID: transactionID, body: .query(sender: id, query), version: Message.ourVersion).encoded()
        counters.sent.add(1, ordering: .relaxed)
        counters.bytesSent.add(datagram.count, ordering: .relaxed)
        counters.countQuery(query, cause: cause)
        if sentAt > now {
            mutate { $0.pacedSends.push(sentAt, PacedDatagram(bytes: datagram, address: address)) }
            transport.wake(at: sentAt)
        } else {
            transport.send(datagram, to: address)
        }
        let wake = mutate { state in
            let stallTimeout = state.roundTrips.stallTimeout(
                floor: configuration.minimumStallTimeout, ceiling: configuration.stallTimeout)
            let armed = state.pending.arm(key, deadline: sentAt + configuration.rpcTimeout,
                                          stallDeadline: onStall.map { _ in sentAt + stallTimeout }, onStall: onStall)
            return armed ? state.pending.nextDue : nil
        }
        if let wake { transport.wake(at: wake) }
        return key
    }

    /// Abandons a query still waiting; its completion runs now. One abandoned after it
    /// stalled was silent for several round trips, so it counts as timed out and a
    /// vanished node still loses its place in routing tables, unless `countingStall` is
    /// false (a copy withdrawn because the other copy settled the query).
    func cancelQuery(_ key: PendingRequests.Key, countingStall: Bool = true) {
        guard let entry = mutate({ $0.pending.remove(key) }) else { return }
        entry.completion(.failure(entry.hasStalled && countingStall ? .timedOut : .cancelled))
    }

    /// Sends `query` to `address` and waits for the reply, a timeout or cancellation.
    func request(_ query: Query, to address: SocketAddress, expecting expectedID: NodeID? = nil, for cause: QueryCause = .user) async -> RPCResult {
        await requestAll([OutboundQuery(query: query, address: address, expectedID: expectedID)], for: cause).first ?? .failure(.cancelled)
    }

    /// Applies what a query's outcome says about the contact to the routing table.
    /// Silence to `ourMethod` (find_value, store) counts only against a contact known to be
    /// one of ours: another implementation may ignore methods it does not know.
    private func settle(_ result: RPCResult, from address: SocketAddress, expecting expectedID: NodeID?,
                        ourMethod: Bool) -> RPCResult {
        let now = clock.now()
        switch result {
        case .success(let response):
            let responder = Contact(id: response.id, address: address)
            let observation = mutate { state -> NodeState.Observation in
                if let expectedID, expectedID != response.id { state.routingTable.remove(expectedID) }
                return state.observe(responder, now: now)
            }
            act(on: observation, about: responder)
            if let expectedID, expectedID != response.id { return .failure(.unexpectedResponder(response.id)) }
            return result
        case .failure(.timedOut):
            counters.timeouts.add(1, ordering: .relaxed)
            if let expectedID {
                let (repairs, handOffs) = mutate { state in
                    state.roundTrips.recordUnanswered()
                    let wasInTable = state.routingTable.entry(for: expectedID) != nil
                    let repairs = state.recordTimeout(of: expectedID, now: now, ourMethod: ourMethod)
                    let gone = wasInTable && state.routingTable.entry(for: expectedID) == nil
                    return (repairs, gone ? state.handOffsFallenToUs(afterLosing: expectedID, now: now) : [])
                }
                if !repairs.isEmpty {
                    log(.debug, .maintenance, "\(expectedID.hex.prefix(8)) went bad: repairing \(repairs.count) values")
                    inBackground { node in await node.forEach(repairs, width: Self.replicationWidth) { await node.repair($0) } }
                }
                for (newcomer, targets) in handOffs {
                    log(.debug, .maintenance, "\(expectedID.hex.prefix(8)) went bad before handing \(targets.count) values to"
                        + " \(newcomer.id.hex.prefix(8)): handing them over")
                    inBackground { node in await node.handOff(targets, to: newcomer) }
                }
            }
            return result
        case .failure:
            return result
        }
    }

    /// Hands a reply or error to the query waiting for it; anything unmatched is dropped.
    func resolvePending(_ message: Message, from sender: SocketAddress) {
        guard message.transactionID.count == 2 else { return }
        let transactionID = UInt16(message.transactionID[0]) << 8 | UInt16(message.transactionID[1])
        let key = PendingRequests.Key(transactionID: transactionID, address: sender)
        let now = clock.now()
        let (completion, traded) = mutate { state -> (PendingRequests.Completion?, NodeState.Observation?) in
            guard let entry = state.pending.remove(key) else { return (nil, nil) }
            if let observed = message.observedAddress { state.recordAddressVote(observed, from: sender) }
            guard case .response(let response) = message.body else { return (entry.completion, nil) }
            let roundTrip = now - entry.sentAt
            state.roundTrips.record(roundTrip)
            state.routingTable.noteRoundTrip(roundTrip, of: response.id, speaksOurMethods: message.isFromOurs)
            let faster = state.preferFaster(Contact(id: response.id, address: sender), roundTrip: roundTrip, now: now,
                                            speaksOurMethods: message.isFromOurs)
            return (entry.completion, faster)
        }
        guard let completion else {
            log(.debug, .datagram, "unmatched reply from \(sender)")
            return
        }
        if let traded, case .response(let response) = message.body { act(on: traded, about: Contact(id: response.id, address: sender)) }
        switch message.body {
        case .response(let response):
            completion(.success(response))
        case .error(let code, let text):
            completion(.failure(.remote(code: code, message: text)))
        case .query:
            completion(.failure(.cancelled))
        }
    }

    /// Sends the paced queries whose turn has come.
    func sendPacedQueries() {
        let now = clock.now()
        let (due, next) = mutate { ($0.pacedSends.popAllDue(now: now), $0.pacedSends.earliest) }
        for datagram in due { transport.send(datagram.bytes, to: datagram.address) }
        if let next { transport.wake(at: next) }
    }

    /// Fails every query whose deadline has passed and reports the ones gone quiet.
    func sweepTimeouts() {
        let now = clock.now()
        let (due, next) = mutate { ($0.pending.sweep(now: now), $0.pending.nextDue) }
        // Always re-ask: the wake that brought us here may have been for a query that has
        // since been answered, while later deadlines still wait.
        if let next { transport.wake(at: next) }
        for completion in due.expired { completion(.failure(.timedOut)) }
        for onStall in due.stalled { onStall() }
    }

    /// Pings a quiet contact whose bucket a newcomer wants into; if it stays silent the
    /// routing table evicts it in favour of the cached newcomer.
    func challengeForPlace(_ incumbent: Contact) {
        dispatch(.ping, to: incumbent.address, expecting: incumbent.id, for: .routing) { [self] _ in
            mutate { _ = $0.challenged.remove(incumbent.id) }
        }
    }
}
