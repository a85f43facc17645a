/// The holder's half of watching a key (PROTOCOL.md § listen): registering listeners,
/// and the `notify` queries that tell them of each new version stored here.
extension NodeState {
    /// A `listen`: the token proves the sender receives at its address (as a `store`'s
    /// does), so a forged source cannot aim notifications at someone else.
    mutating func answerListen(_ target: NodeID, token: [UInt8], transactionID: [UInt8], from sender: Contact,
                               now: Timestamp) -> Message {
        guard tokens.isValid(token, for: sender.address, now: now, using: &random) else {
            return .error(.protocolError, "Bad token", transactionID: transactionID)
        }
        guard listeners.listen(to: target, sender, token: token, now: now) != .refused else {
            return .error(.server, "Listen quota used up", transactionID: transactionID)
        }
        store.watched.insert(target)
        return reply(Response(id: localID), to: transactionID)
    }

    /// The `notify` queries for every new version stored since the last call, one per live
    /// listener of its key. A target nobody listens to any more stops being watched.
    package mutating func takeNotifications(now: Timestamp) -> [(address: SocketAddress, query: Query)] {
        var notices: [(address: SocketAddress, query: Query)] = []
        for target in store.takeNewVersions() {
            let live = listeners.listeners(of: target, now: now)
            guard !live.isEmpty else {
                store.watched.remove(target)
                continue
            }
            guard let held = store.entry(for: target, now: now) else { continue }
            for listener in live {
                let request = StoreRequest(token: listener.token, target: target, value: held.value, seq: held.seq, key: held.key,
                                           ttl: held.remainingSeconds(now: now), deleted: held.isTombstone)
                notices.append((listener.contact.address, .notify(request)))
            }
        }
        return notices
    }

    /// A listener did not take a notification (silent, or it said it no longer listens).
    package mutating func dropListener(_ address: SocketAddress, of target: NodeID) {
        listeners.remove(address, from: target)
        if !listeners.hasListeners(of: target) { store.watched.remove(target) }
    }
}
