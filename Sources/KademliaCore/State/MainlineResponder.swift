/// Answering Mainline's own methods, BEP 5 (`get_peers`, `announce_peer`) and BEP 44
/// (`get`, `put`), beside ours: pure, like the rest of the inbound direction. A query that
/// is well formed is never answered with an error unless its own rules refuse it, since
/// libtorrent counts any error reply as a failure of the node.
extension NodeState {
    /// Peers a `get_peers` reply carries at most: with 8 nodes and a token it stays far
    /// under 1,500 bytes.
    package static let peersPerReply = 100

    package mutating func answerGetPeers(_ infoHash: NodeID, noSeed: Bool, transactionID: [UInt8], from sender: Contact,
                                 now: Timestamp) -> Message {
        var response = Response(id: localID, nodes: routingTable.closest(to: infoHash, limit: configuration.k))
        response.token = tokens.token(for: sender.address, now: now, using: &random)
        let found = peers.peers(of: infoHash, noSeed: noSeed, limit: Self.peersPerReply, now: now, using: &random)
        if !found.isEmpty { response.peers = found }
        return reply(response, to: transactionID)
    }

    /// BEP 51, as libtorrent sets it: a sample is kept this long, in seconds.
    package static let sampleInterval: Int64 = 21_600
    /// BEP 51: targets in a sample, at most (libtorrent's default).
    package static let samplesPerReply = 20

    /// Every target held here: live values, torrents with peers, and items (BEP 51's `num`).
    package func heldTargets(now: Timestamp) -> Set<NodeID> {
        var held = Set(store.targets(now: now))
        held.formUnion(peers.torrents.keys)
        held.formUnion(items.all(now: now).map(\.target))
        return held
    }

    /// BEP 51 `sample_infohashes`: the nodes nearest `target`, every target held here counted
    /// in `num` (live values, torrents and items alike, as this node stores them
    /// all), and a random sample of them, kept for `sampleInterval` unless it is empty and
    /// something is held now.
    package mutating func answerSampleInfohashes(_ target: NodeID, transactionID: [UInt8], now: Timestamp) -> Message {
        var response = Response(id: localID, nodes: routingTable.closest(to: target, limit: configuration.k))
        let held = heldTargets(now: now)
        let stale = infohashSample.map { now - $0.takenAt >= .seconds(Self.sampleInterval) || ($0.targets.isEmpty && !held.isEmpty) } ?? true
        if stale {
            var shuffled = Array(held)
            shuffled.shuffle(using: &random)
            infohashSample = (Array(shuffled.prefix(Self.samplesPerReply)), now)
        }
        response.sample = InfohashSample(interval: Self.sampleInterval, num: Int64(held.count), samples: infohashSample?.targets ?? [])
        return reply(response, to: transactionID)
    }

    package mutating func answerAnnounce(_ request: AnnounceRequest, transactionID: [UInt8], from sender: Contact, now: Timestamp) -> Message {
        guard tokens.isValid(request.token, for: sender.address, now: now, using: &random) else {
            return .error(.protocolError, "Bad token", transactionID: transactionID)
        }
        let port = request.impliedPort ? sender.address.port : request.port
        peers.announce(SocketAddress(ip: sender.address.ip, port: port), in: request.infoHash, seed: request.seed, now: now)
        return reply(Response(id: localID), to: transactionID)
    }

    package mutating func answerGetItem(_ target: NodeID, newerThan seq: Int64?, transactionID: [UInt8], from sender: Contact,
                                now: Timestamp) -> Message {
        var response = Response(id: localID, nodes: routingTable.closest(to: target, limit: configuration.k))
        response.token = tokens.token(for: sender.address, now: now, using: &random)
        if let held = items.item(at: target, now: now) {
            if let mutable = held.mutable {
                response.seq = mutable.seq
                // Asked only for something newer than what the asker has: the seq says it is not.
                if seq.map({ mutable.seq > $0 }) ?? true {
                    response.item = held.value
                    response.publicKey = mutable.publicKey
                    response.signature = mutable.signature
                }
            } else {
                response.item = held.value
            }
        }
        return reply(response, to: transactionID)
    }

    package mutating func answerPutItem(_ request: ItemPutRequest, transactionID: [UInt8], from sender: Contact, now: Timestamp) -> Message {
        guard tokens.isValid(request.token, for: sender.address, now: now, using: &random) else {
            return .error(.protocolError, "Bad token", transactionID: transactionID)
        }
        let target = request.mutable.map { BEP44Rules.mutableTarget(publicKey: $0.publicKey, salt: $0.salt) }
            ?? BEP44Rules.immutableTarget(of: request.value)
        switch BEP44Rules.check(request, held: items.item(at: target, now: now)) {
        case .success(let target):
            items.put(request.value, mutable: request.mutable, at: target, now: now)
            return reply(Response(id: localID), to: transactionID)
        case .failure(let refusal):
            return .error(refusal.code, refusal.message, transactionID: transactionID)
        }
    }
}
