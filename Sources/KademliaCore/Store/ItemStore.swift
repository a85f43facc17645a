/// A BEP 44 item as a node holds it: the bencoded value and, for a mutable item, its key,
/// signature, seq and salt.
public struct StoredItem: Sendable, Equatable {
    /// The item's whole bencoding.
    public var value: [UInt8]
    /// Nil for an immutable item.
    public var mutable: MutableItemFields?
    public var expiresAt: Timestamp

    public init(value: [UInt8], mutable: MutableItemFields?, expiresAt: Timestamp) {
        self.value = value
        self.mutable = mutable
        self.expiresAt = expiresAt
    }
}

/// The BEP 44 items a node holds, by target. Pure and bounded: items live `lifetime`
/// after their last put (BEP 44 says two hours), and past `maxItems` a new item replaces
/// the one that runs out first.
public struct ItemStore: Sendable {
    /// How long an item lives after its last put.
    public let lifetime: Duration
    /// Items held at most.
    public let maxItems: Int
    package private(set) var items: [NodeID: StoredItem] = [:]
    /// Whether changes are noted for a journal; off until the node starts journaling.
    package var tracksChanges = false
    /// Targets put or evicted since `takeChangedTargets`; expiry needs no record, so it adds none.
    package private(set) var changedTargets: Set<NodeID> = []

    public init(lifetime: Duration = .seconds(2 * 3600), maxItems: Int = 1000) {
        self.lifetime = lifetime
        self.maxItems = max(1, maxItems)
    }

    /// The live item under `target`, if any.
    public func item(at target: NodeID, now: Timestamp) -> StoredItem? {
        guard let item = items[target], item.expiresAt > now else { return nil }
        return item
    }

    /// Stores an item whose checks have passed (`BEP44Rules`): a mutable one only over a
    /// lower or equal seq, which the caller has checked too.
    public mutating func put(_ value: [UInt8], mutable: MutableItemFields?, at target: NodeID, now: Timestamp) {
        if items[target] == nil, items.count >= maxItems {
            if let soonest = items.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
                items[soonest.key] = nil
                if tracksChanges { changedTargets.insert(soonest.key) }
            }
        }
        items[target] = StoredItem(value: value, mutable: mutable, expiresAt: now + lifetime)
        if tracksChanges { changedTargets.insert(target) }
    }

    /// Puts back an item a journal held, with the life it had left (never more than a
    /// full one); it is not noted as a change.
    package mutating func restore(_ item: StoredItem, for target: NodeID, now: Timestamp) {
        guard item.expiresAt > now, items[target] == nil || items.count < maxItems else { return }
        var restored = item
        restored.expiresAt = min(item.expiresAt, now + lifetime)
        items[target] = restored
    }

    /// The targets changed since the last call.
    package mutating func takeChangedTargets() -> Set<NodeID> {
        defer { changedTargets = [] }
        return changedTargets
    }

    /// Forgets items whose lifetime has passed.
    public mutating func removeExpired(now: Timestamp) {
        guard items.values.contains(where: { $0.expiresAt <= now }) else { return }
        items = items.filter { $0.value.expiresAt > now }
    }

    /// Items held, live or not yet swept.
    public var count: Int { items.count }

    /// Items held whose lifetime has not passed at `now`.
    public func liveCount(now: Timestamp) -> Int { items.values.count { $0.expiresAt > now } }

    /// The live items, by target.
    public func all(now: Timestamp) -> [(target: NodeID, item: StoredItem)] {
        items.compactMap { $0.value.expiresAt > now ? ($0.key, $0.value) : nil }
    }
}

/// BEP 44's rules for a `put`, pure: where an item goes and whether it may be stored.
public enum BEP44Rules {
    /// The largest item, as bencoded.
    public static let maxValueSize = 1000
    /// The longest salt.
    public static let maxSaltSize = 64

    /// An immutable item's target: SHA-1 of its bencoding.
    public static func immutableTarget(of value: [UInt8]) -> NodeID {
        NodeID(bytes: SHA1.hash(value)) ?? NodeID(key: "")
    }

    /// A mutable item's target: SHA-1 of the public key and the salt.
    public static func mutableTarget(publicKey: [UInt8], salt: [UInt8]) -> NodeID {
        NodeID(bytes: SHA1.hash(publicKey + salt)) ?? NodeID(key: "")
    }

    /// The bytes a mutable item's signature covers: `4:salt<n>:<salt>` when there is a salt,
    /// then `3:seqi<seq>e1:v` and the value's bencoding.
    public static func signedBytes(salt: [UInt8], seq: Int64, value: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        if !salt.isEmpty { bytes += Array("4:salt\(salt.count):".utf8) + salt }
        return bytes + Array("3:seqi\(seq)e1:v".utf8) + value
    }

    /// Checks a put against what is held under its target (`held`), in BEP 44's order;
    /// returns the target to store at, or the refusal.
    public static func check(_ request: ItemPutRequest, held: StoredItem?) -> Result<NodeID, ItemPutRefusal> {
        guard request.value.count <= maxValueSize else {
            return .failure(ItemPutRefusal(code: .valueTooBig, message: "Item too big: \(request.value.count) bytes, limit \(maxValueSize)"))
        }
        guard let mutable = request.mutable else { return .success(immutableTarget(of: request.value)) }
        guard mutable.salt.count <= maxSaltSize else {
            return .failure(ItemPutRefusal(code: .saltTooBig, message: "Salt too big: \(mutable.salt.count) bytes, limit \(maxSaltSize)"))
        }
        guard mutable.publicKey.count == 32, mutable.signature.count == 64,
              ItemSignature.isValid(mutable.signature, of: signedBytes(salt: mutable.salt, seq: mutable.seq, value: request.value),
                                    publicKey: mutable.publicKey) else {
            return .failure(ItemPutRefusal(code: .invalidSignature, message: "Invalid signature"))
        }
        let heldSeq = held?.mutable?.seq
        if let cas = request.cas, let heldSeq, cas != heldSeq {
            return .failure(ItemPutRefusal(code: .casMismatch, message: "CAS mismatch: held seq \(heldSeq), cas \(cas)"))
        }
        if let heldSeq, mutable.seq < heldSeq {
            return .failure(ItemPutRefusal(code: .sequenceTooLow, message: "Sequence number \(mutable.seq) lower than stored \(heldSeq)"))
        }
        return .success(mutableTarget(publicKey: mutable.publicKey, salt: mutable.salt))
    }
}

/// Why a BEP 44 put is refused: the error code and text it is answered with.
public struct ItemPutRefusal: Error, Sendable, Equatable {
    public var code: ErrorCode
    public var message: String
}
