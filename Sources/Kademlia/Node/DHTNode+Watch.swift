import Synchronization

/// A version of a watched key, as `DHTNode.watch(key:)` reports it.
public struct WatchEvent: Sendable, Equatable {
    /// The key watched.
    public var key: String
    /// The version: a value, or a tombstone (`isDeleted`) when the key was deleted; nil
    /// in the first event when nothing is stored under the key.
    public var version: FoundValue?
    /// How long the version has left, as its holder said; nil when not said.
    public var timeLeft: Duration?

    /// The version `version` of `key`, with `timeLeft` if known.
    public init(key: String, version: FoundValue?, timeLeft: Duration? = nil) {
        self.key = key
        self.version = version
        self.timeLeft = timeLeft
    }
}

/// The watches running on this node, with the state that decides what each takes.
final class WatchRegistry: Sendable {
    private struct Watch {
        var state: WatchedKey
        var key: String
        var continuation: AsyncStream<WatchEvent>.Continuation
    }

    private let watches = Mutex<(byID: [Int: Watch], nextID: Int)>(([:], 0))

    /// Registers a watch of `key`; returns its id.
    func add(key: String, continuation: AsyncStream<WatchEvent>.Continuation) -> Int {
        watches.withLock { watches in
            watches.nextID += 1
            watches.byID[watches.nextID] = Watch(state: WatchedKey(target: NodeID(key: key)), key: key, continuation: continuation)
            return watches.nextID
        }
    }

    /// Ends the watch `id`.
    func remove(_ id: Int) {
        _ = watches.withLock { $0.byID.removeValue(forKey: id) }
    }

    /// Records the holders watch `id` asked in its latest round.
    func asked(_ holders: [SocketAddress: [UInt8]], for id: Int) {
        watches.withLock { $0.byID[id]?.state.asked(holders) }
    }

    /// Reports `version` to watch `id` if it is newer than what it last reported.
    func offer(_ version: FoundValue?, timeLeft: Duration?, to id: Int) {
        watches.withLock { watches in
            guard var watch = watches.byID[id] else { return }
            if let version {
                guard watch.state.offer(seq: version.seq, isTombstone: version.isDeleted, value: version.value) else { return }
            } else if watch.state.newest != nil {
                return
            }
            watches.byID[id] = watch
            watch.continuation.yield(WatchEvent(key: watch.key, version: version, timeLeft: timeLeft))
        }
    }

    /// A holder's notification: reported to every watch of its key that asked that holder.
    /// Returns whether any did ask it (else the holder is told to stop).
    func take(_ request: StoreRequest, from address: SocketAddress) -> Bool {
        watches.withLock { watches in
            var asked = false
            for (id, var watch) in watches.byID where watch.state.target == request.target {
                let verdict = watch.state.take(request, from: address)
                guard verdict != .unasked else { continue }
                asked = true
                watches.byID[id] = watch
                if verdict == .newer {
                    let version = FoundValue(value: request.deleted ? [] : request.value, seq: request.seq, isDeleted: request.deleted)
                    watch.continuation.yield(WatchEvent(key: watch.key, version: version, timeLeft: request.ttl.map { .seconds($0) }))
                }
            }
            return asked
        }
    }
}

extension DHTNode {
    /// How often a watch asks the key's K closest again: well inside a registration's
    /// lifetime, and so it follows the K closest as nodes come and go.
    public static let watchRefreshInterval: Duration = ListenerTable.lifetime / 2

    /// Every version of `key`: first the current one (or nil when nothing is stored), then
    /// each newer version put or deleted anywhere in the network, as its holders push it
    /// (`listen`, PROTOCOL.md), with no polling. Ends when the consumer stops iterating.
    public func watch(key: String) -> AsyncStream<WatchEvent> {
        let (events, continuation) = AsyncStream.makeStream(of: WatchEvent.self, bufferingPolicy: .bufferingNewest(64))
        let id = watches.add(key: key, continuation: continuation)
        let target = NodeID(key: key)
        let rounds = spawn { [weak self] in
            while !Task.isCancelled, let node = self, !node.isStopped {
                await node.askHolders(of: target, watch: id)
                await node.sleep(for: Self.watchRefreshInterval)
            }
        }
        continuation.onTermination = { [weak self] _ in
            rounds.cancel()
            self?.watches.remove(id)
        }
        return events
    }

    /// One round of a watch: finds the key's K closest and their tokens, reports the newest
    /// version they hold, and asks each to notify this node of the next ones.
    private func askHolders(of target: NodeID, watch id: Int) async {
        let outcome = await lookup(target, for: .write)
        let now = clock.now()
        let held = read { $0.store.entry(for: target, now: now) }
        let local = held.map(FoundValue.init)
        var holders: [SocketAddress: [UInt8]] = [:]
        for contact in outcome.closest {
            if let token = outcome.tokens[contact.id] { holders[contact.address] = token }
        }
        // This node may hold the key too: it tells its own watches as it would anyone's.
        mutate { state in
            _ = state.listeners.listen(to: target, contact, token: [], now: clock.now())
            state.store.watched.insert(target)
        }
        watches.asked(holders.merging([address: []]) { remote, _ in remote }, for: id)
        let remoteLeft = outcome.valueTTL.map { Duration.seconds($0) }
        let localLeft = held.map { $0.expiresAt - now }
        let (newest, timeLeft): (FoundValue?, Duration?) = switch (outcome.value, local) {
        case (let remote?, let local?): local.supersedes(remote) ? (local, localLeft) : (remote, remoteLeft)
        case (let remote?, nil): (remote, remoteLeft)
        case (nil, let local): (local, localLeft)
        }
        watches.offer(newest, timeLeft: timeLeft, to: id)
        for (holder, token) in holders where holder != address {
            dispatch(.listen(target: target, token: token), to: holder, for: .user) { _ in }
        }
    }

    /// A holder's `notify`: acknowledged when a watch here asked for it, else refused so
    /// the holder stops sending.
    func receiveNotification(_ request: StoreRequest, transactionID: [UInt8], from sender: SocketAddress) {
        let reply: Message = watches.take(request, from: sender)
            ? Message(transactionID: transactionID, body: .response(Response(id: id)), version: Message.ourVersion)
            : .error(.protocolError, "Not listening", transactionID: transactionID)
        send(reply, to: sender)
    }

    /// Sends the notifications a change left: each to its listener, which is dropped when
    /// it does not take it.
    func sendNotifications(_ notices: [(address: SocketAddress, query: Query)]) {
        for notice in notices {
            guard case .notify(let request) = notice.query else { continue }
            if notice.address == address {
                _ = watches.take(request, from: address)
                continue
            }
            dispatch(notice.query, to: notice.address, for: .user) { [weak self] result in
                guard case .failure = result else { return }
                self?.mutate { $0.dropListener(notice.address, of: request.target) }
            }
        }
    }
}
