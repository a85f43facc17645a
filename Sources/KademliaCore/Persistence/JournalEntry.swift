/// One fact a node's journal records, so its state can be rebuilt after a restart: its id,
/// what it holds, what it published, and whom it knows. Times are wall-clock milliseconds
/// since 1970, since the monotonic clock starts again with each process.
///
/// A payload is a bencoded dictionary whose `k` names the kind. Decoding takes it as the
/// hostile input a file is: anything missing, mistyped or out of range is an error.
public enum JournalEntry: Equatable, Sendable {
    /// The node's id, written once when the journal is made.
    case identity(NodeID)
    /// A value or tombstone now held for `target`.
    case held(HeldRecord)
    /// Nothing is held for `target` any more (removed; expiry needs no record).
    case dropped(target: NodeID)
    /// The user put `value` under `key` and this node republishes it until `expiresAt`.
    case published(PublishedRecord)
    /// The user deleted the key, or a newer version superseded the publication.
    case withdrawn(target: NodeID)
    /// A routing-table contact, to ping on restart.
    case contact(Contact)
    /// The 32-byte seed of the ed25519 key this node signs its BEP 44 mutable items with.
    case signingKey(seed: [UInt8])
    /// The IPv4 address other nodes report seeing this one at (BEP 42), by vote.
    case externalAddress(ip: UInt32)
    /// A BEP 44 item now held for `target`.
    case item(ItemRecord)
    /// No BEP 44 item is held for `target` any more (evicted; expiry needs no record).
    case itemDropped(target: NodeID)

    /// A BEP 44 item, as the item store keeps it.
    public struct ItemRecord: Equatable, Sendable {
        public var target: NodeID
        /// The item's whole bencoding.
        public var value: [UInt8]
        /// Nil for an immutable item.
        public var mutable: MutableItemFields?
        /// When it expires, in wall-clock milliseconds.
        public var expiresAt: Int64

        public init(target: NodeID, value: [UInt8], mutable: MutableItemFields?, expiresAt: Int64) {
            self.target = target
            self.value = value
            self.mutable = mutable
            self.expiresAt = expiresAt
        }
    }

    /// A held version, as the store keeps it.
    public struct HeldRecord: Equatable, Sendable {
        public var target: NodeID
        public var key: [UInt8]?
        public var value: [UInt8]
        public var seq: Int64
        public var isTombstone: Bool
        public var isReplica: Bool
        /// When it expires, in wall-clock milliseconds.
        public var expiresAt: Int64

        public init(target: NodeID, key: [UInt8]?, value: [UInt8], seq: Int64, isTombstone: Bool, isReplica: Bool, expiresAt: Int64) {
            self.target = target
            self.key = key
            self.value = value
            self.seq = seq
            self.isTombstone = isTombstone
            self.isReplica = isReplica
            self.expiresAt = expiresAt
        }
    }

    /// One of the user's own puts.
    public struct PublishedRecord: Equatable, Sendable {
        public var target: NodeID
        public var key: [UInt8]
        public var value: [UInt8]
        public var seq: Int64
        /// When the user's TTL runs out, in wall-clock milliseconds; nil for no TTL.
        public var expiresAt: Int64?
        /// When the next republication is due, in wall-clock milliseconds; nil for at once.
        public var republishAt: Int64?

        public init(target: NodeID, key: [UInt8], value: [UInt8], seq: Int64, expiresAt: Int64?, republishAt: Int64? = nil) {
            self.target = target
            self.key = key
            self.value = value
            self.seq = seq
            self.expiresAt = expiresAt
            self.republishAt = republishAt
        }
    }

    /// Why a payload is not an entry.
    public struct DecodeError: Error, Equatable, Sendable, CustomStringConvertible {
        /// What is wrong, in a phrase.
        public var description: String
    }

    /// The payload bytes of this entry.
    public var payload: [UInt8] {
        let fields: [(String, BencodeValue)] = switch self {
        case .identity(let id): [("k", .string("id")), ("id", .bytes(id.bytes))]
        case .held(let held):
            [("k", .string("held")), ("t", .bytes(held.target.bytes)), ("v", .bytes(held.value)), ("s", .integer(held.seq)),
             ("d", .integer(held.isTombstone ? 1 : 0)), ("r", .integer(held.isReplica ? 1 : 0)), ("e", .integer(held.expiresAt))]
                + (held.key.map { [("key", BencodeValue.bytes($0))] } ?? [])
        case .dropped(let target): [("k", .string("drop")), ("t", .bytes(target.bytes))]
        case .published(let published):
            [("k", .string("pub")), ("t", .bytes(published.target.bytes)), ("key", .bytes(published.key)),
             ("v", .bytes(published.value)), ("s", .integer(published.seq))]
                + (published.expiresAt.map { [("e", BencodeValue.integer($0))] } ?? [])
                + (published.republishAt.map { [("r", BencodeValue.integer($0))] } ?? [])
        case .withdrawn(let target): [("k", .string("unpub")), ("t", .bytes(target.bytes))]
        case .contact(let contact):
            [("k", .string("peer")), ("id", .bytes(contact.id.bytes)), ("ip", .integer(Int64(contact.address.ip))),
             ("port", .integer(Int64(contact.address.port)))]
        case .signingKey(let seed): [("k", .string("sk")), ("seed", .bytes(seed))]
        case .externalAddress(let ip): [("k", .string("ext")), ("ip", .integer(Int64(ip)))]
        case .item(let item):
            [("k", .string("item")), ("t", .bytes(item.target.bytes)), ("v", .bytes(item.value)), ("e", .integer(item.expiresAt))]
                + (item.mutable.map { [("pk", BencodeValue.bytes($0.publicKey)), ("sig", .bytes($0.signature)),
                                       ("s", .integer($0.seq)), ("salt", .bytes($0.salt))] } ?? [])
        case .itemDropped(let target): [("k", .string("itemdrop")), ("t", .bytes(target.bytes))]
        }
        return BencodeValue.dictionary(fields).encoded()
    }

    /// Reads one payload back.
    public init(payload: [UInt8]) throws(DecodeError) {
        let value: BencodeValue
        do {
            value = try BencodeDecoder.decode(payload)
        } catch {
            throw DecodeError(description: "not bencode (\(error))")
        }
        let fields = Fields(value)
        switch try fields.text("k") {
        case "id": self = .identity(try fields.id("id"))
        case "held":
            self = .held(HeldRecord(target: try fields.id("t"), key: try fields.optionalBytes("key"), value: try fields.bytes("v"),
                                    seq: try fields.integer("s", in: 0...Int64.max), isTombstone: try fields.flag("d"),
                                    isReplica: try fields.flag("r"), expiresAt: try fields.integer("e", in: 0...Int64.max)))
        case "drop": self = .dropped(target: try fields.id("t"))
        case "pub":
            self = .published(PublishedRecord(target: try fields.id("t"), key: try fields.bytes("key"), value: try fields.bytes("v"),
                                              seq: try fields.integer("s", in: 0...Int64.max),
                                              expiresAt: try fields.optionalInteger("e", in: 0...Int64.max),
                                              republishAt: try fields.optionalInteger("r", in: 0...Int64.max)))
        case "unpub": self = .withdrawn(target: try fields.id("t"))
        case "peer":
            let ip = try fields.integer("ip", in: 0...Int64(UInt32.max))
            let port = try fields.integer("port", in: 1...Int64(UInt16.max))
            self = .contact(Contact(id: try fields.id("id"), address: SocketAddress(ip: UInt32(ip), port: UInt16(port))))
        case "sk":
            let seed = try fields.bytes("seed")
            guard seed.count == Ed25519.seedLength else { throw DecodeError(description: "'seed' is not 32 bytes") }
            self = .signingKey(seed: seed)
        case "ext": self = .externalAddress(ip: UInt32(try fields.integer("ip", in: 0...Int64(UInt32.max))))
        case "item":
            var mutable: MutableItemFields?
            if let publicKey = try fields.optionalBytes("pk") {
                mutable = MutableItemFields(publicKey: publicKey, signature: try fields.bytes("sig"),
                                            seq: try fields.integer("s", in: 0...Int64.max), salt: try fields.bytes("salt"))
            }
            self = .item(ItemRecord(target: try fields.id("t"), value: try fields.bytes("v"), mutable: mutable,
                                    expiresAt: try fields.integer("e", in: 0...Int64.max)))
        case "itemdrop": self = .itemDropped(target: try fields.id("t"))
        case let kind: throw DecodeError(description: "unknown kind '\(kind.prefix(16))'")
        }
    }
}

/// Typed reads of a payload's dictionary, each failing with a clear error.
private struct Fields {
    let value: BencodeValue

    init(_ value: BencodeValue) { self.value = value }

    func bytes(_ key: String) throws(JournalEntry.DecodeError) -> [UInt8] {
        guard case .bytes(let bytes)? = value[key] else { throw .init(description: "missing or mistyped '\(key)'") }
        return bytes
    }

    func optionalBytes(_ key: String) throws(JournalEntry.DecodeError) -> [UInt8]? {
        value[key] == nil ? nil : try bytes(key)
    }

    func text(_ key: String) throws(JournalEntry.DecodeError) -> String {
        String(decoding: try bytes(key), as: UTF8.self)
    }

    func id(_ key: String) throws(JournalEntry.DecodeError) -> NodeID {
        guard let id = NodeID(bytes: try bytes(key)) else { throw .init(description: "'\(key)' is not 20 bytes") }
        return id
    }

    func integer(_ key: String, in range: ClosedRange<Int64>) throws(JournalEntry.DecodeError) -> Int64 {
        guard case .integer(let number)? = value[key], range.contains(number) else {
            throw .init(description: "missing or out-of-range '\(key)'")
        }
        return number
    }

    func optionalInteger(_ key: String, in range: ClosedRange<Int64>) throws(JournalEntry.DecodeError) -> Int64? {
        value[key] == nil ? nil : try integer(key, in: range)
    }

    func flag(_ key: String) throws(JournalEntry.DecodeError) -> Bool {
        try integer(key, in: 0...1) == 1
    }
}
