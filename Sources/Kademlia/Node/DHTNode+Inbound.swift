/// The inbound direction: every datagram the transport hears comes through here,
/// on the transport's thread, so this path stays short: decode, match, answer.
extension DHTNode {
    /// One datagram from `sender`, as the transport heard it; the bytes are valid only during the call.
    package func receive(_ datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        counters.received.add(1, ordering: .relaxed)
        counters.bytesReceived.add(datagram.count, ordering: .relaxed)
        guard datagram.count <= Self.maxDatagramSize else {
            counters.droppedOversized.add(1, ordering: .relaxed)
            return
        }
        // A host that kept sending after it was told "busy" is dropped before decoding, so a
        // flood costs one table look-up per datagram; replies to our own queries never spend
        // its tokens.
        let source = TrafficSource.host(sender, relaxLoopback: configuration.limits.relaxLoopback)
        let now = clock.now()
        guard !mutate({ $0.inbound.shouldDropUndecoded(source, now: now) }) else {
            counters.rateLimited.add(1, ordering: .relaxed)
            return
        }
        let message: Message
        do {
            message = try Message.decode(datagram)
        } catch {
            if case .malformedQuery(let transactionID, let reason) = error {
                counters.invalidQueries.add(1, ordering: .relaxed)
                log(.debug, .datagram, "malformed query from \(sender): \(reason)", fields: [.text("peer", sender.description)])
                guard transactionID.count <= Message.maxTransactionIDSize, spendQueryToken(of: source, now: now) else { return }
                send(.error(.protocolError, reason, transactionID: transactionID), to: sender)
            } else {
                counters.droppedUnreadable.add(1, ordering: .relaxed)
                log(.debug, .datagram, "dropped datagram from \(sender): \(error)", fields: [.text("peer", sender.description)])
            }
            return
        }
        switch message.body {
        case .query(let senderID, let query):
            counters.countInbound(query)
            // An echo of a long `t` could push a reply past 1,500 bytes; real ones are 2 to 4.
            guard message.transactionID.count <= Message.maxTransactionIDSize else {
                log(.debug, .datagram, "dropped query from \(sender): transaction id of \(message.transactionID.count) bytes")
                return
            }
            if query.isNotify, case .notify(let request) = query {
                guard spendQueryToken(of: source, now: now) else { return }
                return receiveNotification(request, transactionID: message.transactionID, from: sender)
            }
            answer(query, transactionID: message.transactionID, from: Contact(id: senderID, address: sender), source: source,
                   readOnly: message.readOnly, fromOurs: message.isFromOurs)
        case .response, .error:
            resolvePending(message, from: sender)
        }
    }

    /// The error text a `store` gets when its record could not be written to the journal.
    static let journalUnwritable = "cannot keep the value: the journal cannot be written"

    /// Hosts over their share being pinged at once, at most: a flood of forged sources
    /// cannot make this node send more than this many pings at a time.
    static let verificationsAtOnce = 256

    /// Spends one of `source`'s query tokens; false (and counted) when it has none left.
    private func spendQueryToken(of source: TrafficSource, now: Timestamp) -> Bool {
        guard mutate({ $0.inbound.admit(source, now: now) }) == .answer else {
            counters.rateLimited.add(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// The transport's periodic tick: paced sends, timeouts, waits, upkeep and the journal.
    package func tick() {
        sendPacedQueries()
        wakeSleepers()
        sweepTimeouts()
        runMaintenanceIfDue()
        journalTick()
    }

    /// Answers a query; a `readOnly` sender (BEP 43) answers none itself, so it is not offered
    /// to the table. A host over its share while this node is busy is told so, then dropped.
    private func answer(_ query: Query, transactionID: [UInt8], from sender: Contact, source: TrafficSource, readOnly: Bool,
                        fromOurs: Bool) {
        let now = clock.now()
        var verdict = InboundAdmission.Verdict.answer
        var verify = false
        // `mutate` journals what the query changed before the reply goes: a store is
        // acknowledged only once the journal has it.
        let (answered, journaled) = mutateReportingJournal { state -> (Message, NodeState.Observation, Timestamp?)? in
            // A flooding host is answered less, then not at all, and teaches the table nothing.
            // Spare capacity is lent only to a host that has answered us from its address: one
            // that has only queried us may be a forged source. Once over its share it is
            // pinged, and answering verifies it.
            verdict = state.inbound.admit(source, now: now)
            if verdict == .busy, !state.inbound.isVerified(source), state.verifying.count < Self.verificationsAtOnce,
               state.verifying.insert(sender.address).inserted {
                verify = true
            }
            guard verdict == .answer else { return nil }
            let reply = state.answer(query, transactionID: transactionID, from: sender, now: now)
            // Our replies count against the host's budget as our queries do (libtorrent counts both).
            if !(configuration.limits.relaxLoopback && sender.address.isLoopback) {
                state.outboundPacer.consume(.host(sender.address, relaxLoopback: false), now: now)
            }
            let deadline: Timestamp? = if case .store = query { state.storeDeadline } else { nil }
            var observation = sender.id == id || readOnly
                ? NodeState.Observation() : state.observe(sender, now: now, speaksOurMethods: fromOurs)
            if case .findNode(_, let grant?) = query, grant.count <= Message.maxTokenSize { observation.grant = grant }
            return (reply, observation, deadline)
        }
        guard let (answer, observation, deadline) = answered else {
            counters.rateLimited.add(1, ordering: .relaxed)
            if verdict == .busy {
                counters.busyAnswersSent.add(1, ordering: .relaxed)
                send(.busy(transactionID: transactionID), to: sender.address)
            }
            if verify {
                // Only hosts that went over their share are remembered as verified: noting every
                // host that ever answered would cost each node a table of thousands.
                dispatch(.ping, to: sender.address, for: .routing) { [self] result in
                    mutate { state in
                        state.verifying.remove(sender.address)
                        if case .success = result { state.inbound.noteAnswer(from: source) }
                    }
                }
            }
            return
        }
        // Held in memory, but not kept as promised: the storer must not count this node.
        let reply = journaled ? answer : .error(.server, Self.journalUnwritable, transactionID: transactionID)
        send(reply, to: sender.address)
        log(.debug, .query, RPCTrace.answered(query, from: sender, with: reply), fields: [.text("peer", sender.description)])
        act(on: observation, about: sender)
        if let deadline { scheduleMaintenance(by: deadline) }
    }

    /// Sends `message` (a reply). Always inlined: a `Message` is large, and passing it to a
    /// call of its own costs a copy on the path every query takes.
    @inline(__always)
    func send(_ message: Message, to address: SocketAddress) {
        let datagram = message.encoded()
        counters.sent.add(1, ordering: .relaxed)
        counters.bytesSent.add(datagram.count, ordering: .relaxed)
        transport.send(datagram, to: address)
    }
}

/// What the transport calls: forwards to the node, which it holds weakly. A separate object
/// keeps the transport's callbacks out of `DHTNode`'s public API; the transport holds it
/// strongly, so node, transport and this form no cycle.
final class NodeInbound: TransportDelegate {
    weak let node: DHTNode?

    init(node: DHTNode) {
        self.node = node
    }

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        node?.receive(datagram, from: sender)
    }

    func transportTick() {
        node?.tick()
    }
}
