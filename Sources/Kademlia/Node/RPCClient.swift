/// The outbound query path: transaction ids, matching replies, timeouts and cancellation.
extension DHTNode {
    /// Sends `query` to `address` and waits for the reply, a timeout or cancellation.
    /// When `expectedID` is given, a reply from another id is an error and a timeout
    /// counts against that contact in the routing table. `onStall`, if given, is called
    /// once when the query has been silent for the configured stall timeout.
    func request(
        _ query: Query, to address: SocketAddress, expecting expectedID: NodeID? = nil,
        onStall: (@Sendable () -> Void)? = nil
    ) async -> RPCResult {
        let key = state.withLock { $0.pending.reserve(to: address, using: &$0.random) }
        let transactionID = [UInt8(key.transactionID >> 8), UInt8(key.transactionID & 0xFF)]
        let datagram = Message(transactionID: transactionID, body: .query(sender: id, query), version: Message.ourVersion).encoded()
        let timeout = configuration.rpcTimeout
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<RPCResult, Never>) in
                let sentAt = clock.now()
                guard state.withLock({ $0.pending.attach(continuation, to: key, sentAt: sentAt) }) else {
                    continuation.resume(returning: .failure(.cancelled))
                    return
                }
                counters.sent.add(1, ordering: .relaxed)
                counters.countQuery(query)
                transport.send(datagram, to: address)
                let wake = state.withLock { state in
                    let stallTimeout = state.roundTrips.stallTimeout(
                        floor: configuration.minimumStallTimeout, ceiling: configuration.stallTimeout)
                    let armed = state.pending.arm(key, deadline: sentAt + timeout,
                                                  stallDeadline: onStall.map { _ in sentAt + stallTimeout }, onStall: onStall)
                    return armed ? state.pending.nextDue : nil
                }
                if let wake { transport.wake(at: wake) }
            }
        } onCancel: {
            // A query abandoned after it stalled was silent for several round trips: count
            // it as timed out, so a vanished node still loses its place in routing tables.
            guard let entry = state.withLock({ $0.pending.remove(key) }) else { return }
            entry.continuation?.resume(returning: .failure(entry.hasStalled ? .timedOut : .cancelled))
        }
        return settle(result, from: address, expecting: expectedID)
    }

    /// Applies what a query's outcome says about the contact to the routing table.
    private func settle(_ result: RPCResult, from address: SocketAddress, expecting expectedID: NodeID?) -> RPCResult {
        let now = clock.now()
        switch result {
        case .success(let response):
            let challenge = state.withLock { state -> Contact? in
                if let expectedID, expectedID != response.id { state.routingTable.remove(expectedID) }
                return state.observe(Contact(id: response.id, address: address), now: now)
            }
            if let challenge { challengeForPlace(challenge) }
            if let expectedID, expectedID != response.id { return .failure(.unexpectedResponder(response.id)) }
            return result
        case .failure(.timedOut):
            counters.timeouts.add(1, ordering: .relaxed)
            if let expectedID { state.withLock { _ = $0.routingTable.recordFailure(of: expectedID) } }
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
        let continuation = state.withLock { state -> CheckedContinuation<RPCResult, Never>? in
            guard let entry = state.pending.remove(key) else { return nil }
            if case .response = message.body { state.roundTrips.record(now - entry.sentAt) }
            return entry.continuation
        }
        guard let continuation else {
            log(.debug, "unmatched reply from \(sender)")
            return
        }
        switch message.body {
        case .response(let response):
            continuation.resume(returning: .success(response))
        case .error(let code, let text):
            continuation.resume(returning: .failure(.remote(code: code, message: text)))
        case .query:
            continuation.resume(returning: .failure(.cancelled))
        }
    }

    /// Fails every query whose deadline has passed and reports the ones gone quiet.
    func sweepTimeouts() {
        let now = clock.now()
        let (due, next) = state.withLock { ($0.pending.sweep(now: now), $0.pending.nextDue) }
        // Always re-ask: the wake that brought us here may have been for a query that has
        // since been answered, while later deadlines still wait.
        if let next { transport.wake(at: next) }
        for continuation in due.expired { continuation.resume(returning: .failure(.timedOut)) }
        for onStall in due.stalled { onStall() }
    }

    /// Pings a quiet contact whose bucket a newcomer wants into; if it stays silent the
    /// routing table evicts it in favour of the cached newcomer.
    func challengeForPlace(_ incumbent: Contact) {
        Task {
            _ = await request(.ping, to: incumbent.address, expecting: incumbent.id)
            state.withLock { _ = $0.challenged.remove(incumbent.id) }
        }
    }
}
