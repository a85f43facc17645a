/// What a node can tell about itself and the network, for `keys`, `peers` and `where`.
extension DHTNode {
    /// Every value and tombstone this node holds, by key (targets without a key last).
    public func heldValues() -> [HeldValue] {
        let now = clock.now()
        return read { state in
            state.store.all(now: now).map { item in
                HeldValue(target: item.target, key: item.stored.key.map { String(decoding: $0, as: UTF8.self) },
                          seq: item.stored.seq, size: item.stored.value.count, isTombstone: item.stored.isTombstone,
                          timeLeft: item.stored.expiresAt - now)
            }
        }.sorted { ($0.key ?? "\u{10FFFF}", $0.target) < ($1.key ?? "\u{10FFFF}", $1.target) }
    }

    /// Every BEP 44 item this node holds, by target.
    public func heldItems() -> [HeldItem] {
        let now = clock.now()
        return read { state in
            state.items.all(now: now).map {
                HeldItem(target: $0.target, seq: $0.item.mutable?.seq, size: $0.item.value.count, timeLeft: $0.item.expiresAt - now)
            }
        }.sorted { $0.target < $1.target }
    }

    /// Every routing-table contact, by bucket, with when it was last heard and its latest round trip.
    public func peers() -> [Peer] {
        let now = clock.now()
        return read { state in
            state.routingTable.entriesByBucket.map { item in
                Peer(contact: item.entry.contact, bucket: item.bucket, quietFor: now - item.entry.lastSeen,
                     roundTrip: item.entry.roundTrip, failures: item.entry.failures)
            }
        }
    }

    /// The K closest nodes to `key` that answered a lookup (this node among them when it
    /// is), closest first, each with the version it holds, if any.
    public func placement(of key: String) async throws(GetError) -> [Placement] {
        try await locate(key: key).nodes
    }

    /// Where `key` lives, as `placement(of:)`, and the path of the lookup that found out.
    public func locate(key: String) async throws(GetError) -> KeyLocation {
        guard !isStopped else { throw .stopped }
        let keySize = key.utf8.count
        guard keySize <= Self.maxKeySize else { throw .keyTooLarge(size: keySize, limit: Self.maxKeySize) }
        let target = NodeID(key: key)
        let outcome = await lookup(target, for: .write, traced: true)
        if outcome.closest.isEmpty && isCutOff(queried: outcome.queries) { throw .noNodeAnswered }
        let local = read { $0.store.entry(for: target, now: clock.now()) }.map(FoundValue.init)
        let answered = outcome.closest.map { Placement(contact: $0, holds: outcome.returned[$0.id], isThisNode: false) }
        let here = Placement(contact: contact, holds: local, isThisNode: true)
        let nodes = (answered + [here]).sorted { $0.contact.id.distance(to: target) < $1.contact.id.distance(to: target) }
        return KeyLocation(nodes: Array(nodes.prefix(configuration.k)), path: outcome.path ?? [])
    }
}

/// Where a key lives and how the lookup found out.
public struct KeyLocation: Sendable, Equatable {
    /// The K closest nodes and what each holds, closest first.
    public var nodes: [Placement]
    /// Every node the lookup asked, closest to the key first.
    public var path: [LookupStep]
}

/// One value or tombstone a node holds.
/// A BEP 44 item as `keys` lists it.
public struct HeldItem: Sendable, Equatable {
    /// Where it is stored: SHA-1 of the value (immutable) or of the key and salt (mutable).
    public var target: NodeID
    /// The mutable item's seq; nil for an immutable item.
    public var seq: Int64?
    /// Bytes of the item's bencoded value.
    public var size: Int
    /// How long until it expires here.
    public var timeLeft: Duration
}

public struct HeldValue: Sendable, Equatable {
    /// The key's SHA-1.
    public var target: NodeID
    /// The user key, when the writer sent it.
    public var key: String?
    public var seq: Int64
    /// Bytes of the value (0 for a tombstone).
    public var size: Int
    public var isTombstone: Bool
    /// How long until it expires here.
    public var timeLeft: Duration
}

/// A routing-table contact as `peers` shows it.
public struct Peer: Sendable, Equatable {
    public var contact: Contact
    /// The bucket it sits in: the length of the prefix its id shares with ours, from the far end.
    public var bucket: Int
    /// How long since it was last heard.
    public var quietFor: Duration
    /// Its latest round trip; nil until one is measured.
    public var roundTrip: Duration?
    /// Queries it left unanswered since it last answered.
    public var failures: Int
}

/// One of the K closest nodes to a key and what it holds.
public struct Placement: Sendable, Equatable {
    public var contact: Contact
    /// The version it holds; nil when it answered without one.
    public var holds: FoundValue?
    /// Whether this is the asking node itself.
    public var isThisNode: Bool
}
