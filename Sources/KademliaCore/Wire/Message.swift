/// KRPC error codes (BEP 5, and BEP 44's).
public enum ErrorCode: Int64, Sendable {
    case generic = 201
    case server = 202
    case protocolError = 203
    case methodUnknown = 204
    case valueTooBig = 205
    /// BEP 44: the signature does not verify.
    case invalidSignature = 206
    /// BEP 44: the salt is over 64 bytes.
    case saltTooBig = 207
    /// BEP 44: `cas` does not match the seq held.
    case casMismatch = 301
    case sequenceTooLow = 302
}

/// The arguments of a `store` query.
public struct StoreRequest: Sendable, Equatable {
    public var token: [UInt8]
    public var target: NodeID
    public var value: [UInt8]
    public var seq: Int64
    /// The user key, when the writer sends it; the receiver checks SHA-1(key) == target.
    public var key: [UInt8]?
    /// Lifetime in seconds: the remaining one when a holder replicates, never more than expiry.
    public var ttl: Int64?
    /// A tombstone (`del` 1): the key is deleted as of `seq`; `value` is empty.
    public var deleted: Bool

    public init(token: [UInt8], target: NodeID, value: [UInt8], seq: Int64, key: [UInt8]? = nil, ttl: Int64? = nil, deleted: Bool = false) {
        self.token = token
        self.target = target
        self.value = value
        self.seq = seq
        self.key = key
        self.ttl = ttl
        self.deleted = deleted
    }
}

/// A query method and its arguments (besides the sender's id).
public enum Query: Sendable, Equatable {
    case ping
    /// `grant`: a write token the asker issues to the responder (joins send one), so a
    /// holder that hands the joining node values can store them without asking first.
    case findNode(target: NodeID, grant: [UInt8]? = nil)
    /// `holding`: the asker holds this seq of the target and is replicating it (optional).
    case findValue(target: NodeID, holding: Int64? = nil)
    case store(StoreRequest)
    /// BEP 5: who are the peers of `infoHash`; `noSeed` leaves seeds out (BEP 33).
    case getPeers(infoHash: NodeID, noSeed: Bool = false)
    /// BEP 5: the sender is a peer of a torrent.
    case announcePeer(AnnounceRequest)
    /// BEP 44 `get`: the item stored under `target`; `seq` asks for it only if newer.
    case getItem(target: NodeID, seq: Int64? = nil)
    /// BEP 44 `put`.
    case putItem(ItemPutRequest)
    /// BEP 51: a sample of the infohashes (any targets) this node holds, and the nodes nearest `target`.
    case sampleInfohashes(target: NodeID)
    /// Ours: tell the sender of every new version of `target` for a while (PROTOCOL.md
    /// § listen); `token` is the write token this holder gave the sender.
    case listen(target: NodeID, token: [UInt8])
    /// Ours: a holder tells a listener of a new version of a value it holds, in a `store`'s
    /// arguments; `token` is the one the listener presented in its `listen`.
    case notify(StoreRequest)
    /// A method we do not implement. With a `target` or `info_hash` it is answered like
    /// `find_node`, as libtorrent does, so extensions route through us; else error 204.
    case unknown(method: String, target: NodeID? = nil)

    /// Whether the method is one of ours (`find_value`, `store`), not Mainline's: other
    /// implementations may not answer it at all.
    public var isOurExtension: Bool {
        switch self {
        case .findValue, .store, .listen, .notify: true
        default: false
        }
    }

    /// Whether this is a `notify`, which the shell hands to the node's watches (a check
    /// that copies nothing, on the path every query takes).
    public var isNotify: Bool {
        if case .notify = self { true } else { false }
    }

    /// The method name on the wire.
    public var method: String {
        switch self {
        case .ping: "ping"
        case .findNode: "find_node"
        case .findValue: "find_value"
        case .store: "store"
        case .getPeers: "get_peers"
        case .announcePeer: "announce_peer"
        case .getItem: "get"
        case .putItem: "put"
        case .sampleInfohashes: "sample_infohashes"
        case .listen: "listen"
        case .notify: "notify"
        case .unknown(let method, _): method
        }
    }
}

/// The body of a response: every method's reply fits this shape.
public struct Response: Sendable, Equatable {
    public var id: NodeID
    public var nodes: [Contact]?
    public var token: [UInt8]?
    public var value: [UInt8]?
    public var seq: Int64?
    /// Seconds the held value or tombstone has left (find_value).
    public var ttl: Int64?
    /// The responder holds a tombstone for the target as of `seq` (find_value; no `v`).
    public var deleted: Bool
    /// BEP 5 `values`: peers of the torrent asked about (get_peers).
    public var peers: [SocketAddress]?
    /// BEP 44 `get`: the whole bencoding of `v` when it is not a byte string (a string is
    /// in `value`); see `item`.
    public var structuredValue: [UInt8]?
    /// BEP 44 `get` of a mutable item: `k` and `sig` (its `seq` is `seq`).
    public var publicKey: [UInt8]?
    public var signature: [UInt8]?
    /// BEP 51 `sample_infohashes`: `interval`, `num` and `samples`. Boxed, so the replies
    /// of every other method, which never carry it, stay as small as they were.
    public var sample: InfohashSample?

    public init(id: NodeID, nodes: [Contact]? = nil, token: [UInt8]? = nil, value: [UInt8]? = nil, seq: Int64? = nil,
                ttl: Int64? = nil, deleted: Bool = false, peers: [SocketAddress]? = nil) {
        self.id = id
        self.nodes = nodes
        self.token = token
        self.value = value
        self.seq = seq
        self.ttl = ttl
        self.deleted = deleted
        self.peers = peers
    }

    /// The whole bencoding of `v`, whatever its type: a BEP 44 item.
    public var item: [UInt8]? {
        get { structuredValue ?? value.map { BencodeValue.bytes($0).encoded() } }
        set {
            structuredValue = nil
            value = nil
            guard let newValue else { return }
            if case .bytes(let bytes)? = try? BencodeDecoder.decode(newValue) { value = bytes } else { structuredValue = newValue }
        }
    }
}

/// One KRPC datagram.
public struct Message: Sendable, Equatable {
    /// What the datagram carries.
    public enum Body: Sendable, Equatable {
        case query(sender: NodeID, Query)
        case response(Response)
        case error(code: Int64, message: String)
    }

    /// The transaction id, echoed in the reply.
    public var transactionID: [UInt8]
    public var body: Body
    /// The sender's client version (`v`), if it sent one.
    public var version: [UInt8]?
    /// BEP 42 `ip`: in a reply, the address the responder saw the query come from.
    public var observedAddress: SocketAddress?
    /// BEP 43 `ro` 1: the sender of this query answers no queries; it must not be added.
    public var readOnly: Bool

    public init(transactionID: [UInt8], body: Body, version: [UInt8]? = nil, observedAddress: SocketAddress? = nil,
                readOnly: Bool = false) {
        self.transactionID = transactionID
        self.body = body
        self.version = version
        self.observedAddress = observedAddress
        self.readOnly = readOnly
    }

    /// Our client version: `KS`, major 0, minor 1.
    public static let ourVersion: [UInt8] = [UInt8(ascii: "K"), UInt8(ascii: "S"), 0, 1]

    /// Whether `v` says the sender is one of ours (`KS`, any version), so it knows our methods.
    public var isFromOurs: Bool { version.map { $0.count >= 2 && $0[0] == Self.ourVersion[0] && $0[1] == Self.ourVersion[1] } ?? false }

    /// The text of the error that says a node is answering but over its limits: error 202
    /// (BEP 5's server error) with this text. Whoever gets it retries later and does not
    /// count the node as gone.
    public static let busyText = "busy"

    /// The busy error for the query with this transaction id.
    public static func busy(transactionID: [UInt8]) -> Message { error(.server, busyText, transactionID: transactionID) }

    /// The longest transaction id a node answers: a reply echoes it, and the largest reply
    /// (a find_value with a 1000-byte value) must still fit 1,500 bytes. Real ones are 2 to 4.
    public static let maxTransactionIDSize = 32

    /// The longest write token a node uses: it is sent back in a `store` beside up to 1000
    /// bytes of value and 256 of key. Ours are 8 bytes, Mainline's usually 4 to 20.
    public static let maxTokenSize = 32

    /// The longest error text sent: what a reply quotes of a bad query is cut to this, so
    /// an error never echoes a large argument back (an amplification).
    public static let maxErrorText = 120

    /// An error reply to the query with this transaction id; `text` is cut to `maxErrorText` characters.
    public static func error(_ code: ErrorCode, _ text: String, transactionID: [UInt8]) -> Message {
        let shown = text.count <= maxErrorText ? text : String(text.prefix(maxErrorText - 3)) + "..."
        return Message(transactionID: transactionID, body: .error(code: code.rawValue, message: shown), version: ourVersion)
    }
}

/// BEP 51's reply: how many targets the responder holds, a sample of them, and how long
/// before asking it again is worth it.
public final class InfohashSample: Sendable, Equatable, CustomStringConvertible {
    /// Seconds before the sample changes (BEP 51: at most 21,600).
    public let interval: Int64
    /// Targets held in all: values, torrents and items, for our nodes.
    public let num: Int64
    /// Up to 20 of them, at random.
    public let samples: [NodeID]

    /// A reply naming `num` targets held, `samples` of them, refreshed every `interval` seconds.
    public init(interval: Int64, num: Int64, samples: [NodeID]) {
        self.interval = interval
        self.num = num
        self.samples = samples
    }

    public static func == (lhs: InfohashSample, rhs: InfohashSample) -> Bool {
        lhs.interval == rhs.interval && lhs.num == rhs.num && lhs.samples == rhs.samples
    }

    public var description: String { "\(num) held, \(samples.count) sampled, every \(interval) s" }
}
