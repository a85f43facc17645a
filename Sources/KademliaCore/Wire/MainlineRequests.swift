/// The arguments of BEP 5's `announce_peer`: the sender is a peer of `infoHash`.
public struct AnnounceRequest: Sendable, Equatable {
    public var infoHash: NodeID
    /// The peer's port; ignored when `impliedPort` (the datagram's source port is used).
    public var port: UInt16
    /// `implied_port` 1: the peer is at the port the announce came from (behind a NAT).
    public var impliedPort: Bool
    /// `seed` 1: the peer has the whole torrent (BEP 33 tells seeds apart).
    public var seed: Bool
    /// The token a `get_peers` reply gave the sender.
    public var token: [UInt8]

    public init(infoHash: NodeID, port: UInt16, impliedPort: Bool = false, seed: Bool = false, token: [UInt8]) {
        self.infoHash = infoHash
        self.port = port
        self.impliedPort = impliedPort
        self.seed = seed
        self.token = token
    }
}

/// The signed part of a BEP 44 mutable item, as a `put` carries it or a `get` reply returns it.
public struct MutableItemFields: Sendable, Equatable {
    /// The ed25519 public key (`k`); 32 bytes in a valid item.
    public var publicKey: [UInt8]
    /// The signature (`sig`); 64 bytes in a valid item.
    public var signature: [UInt8]
    public var seq: Int64
    /// Empty when absent; at most 64 bytes in a valid item.
    public var salt: [UInt8]

    public init(publicKey: [UInt8], signature: [UInt8], seq: Int64, salt: [UInt8] = []) {
        self.publicKey = publicKey
        self.signature = signature
        self.seq = seq
        self.salt = salt
    }
}

/// The arguments of BEP 44's `put`: an immutable item (just `v`) or a mutable one.
public struct ItemPutRequest: Sendable, Equatable {
    public var token: [UInt8]
    /// The item's whole bencoding, as it came: any bencoded value.
    public var value: [UInt8]
    /// The key, signature, seq and salt of a mutable item; nil for an immutable one.
    public var mutable: MutableItemFields?
    /// `cas`: store only if the seq held now is this one (mutable items).
    public var cas: Int64?

    public init(token: [UInt8], value: [UInt8], mutable: MutableItemFields? = nil, cas: Int64? = nil) {
        self.token = token
        self.value = value
        self.mutable = mutable
        self.cas = cas
    }
}

/// BEP 5's compact peer: IPv4 address then port, 6 bytes, big-endian.
public enum CompactPeer {
    /// Bytes per peer.
    public static let size = 6

    /// Appends the compact form of `address`: its 4 address bytes, then its 2 port bytes.
    package static func append(_ address: SocketAddress, to buffer: inout [UInt8]) {
        let ip = address.ip
        buffer.append(UInt8(truncatingIfNeeded: ip >> 24))
        buffer.append(UInt8(truncatingIfNeeded: ip >> 16))
        buffer.append(UInt8(truncatingIfNeeded: ip >> 8))
        buffer.append(UInt8(truncatingIfNeeded: ip))
        buffer.append(UInt8(truncatingIfNeeded: address.port >> 8))
        buffer.append(UInt8(truncatingIfNeeded: address.port))
    }

    /// The address in 6 compact bytes; nil for any other length.
    public static func decode(_ bytes: some Collection<UInt8>) -> SocketAddress? {
        guard bytes.count == size else { return nil }
        var ip: UInt32 = 0
        var port: UInt16 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 4 { ip = ip << 8 | UInt32(byte) } else { port = port << 8 | UInt16(byte) }
        }
        return SocketAddress(ip: ip, port: port)
    }
}

/// Reading BEP 5's fields, shared by both message decoders.
package enum MainlineFields {
    /// BEP 51's reply fields, checked: `samples` whole 20-byte ids, `num` and `interval`
    /// not negative (absent counts as 0, as a reader must take a reply it can use).
    package static func sample(interval: Int64?, num: Int64?, samples: [UInt8]?) throws(FieldError) -> InfohashSample {
        guard (interval ?? 0) >= 0, (num ?? 0) >= 0 else { throw FieldError("negative interval or num") }
        let bytes = samples ?? []
        guard bytes.count % 20 == 0 else { throw FieldError("samples length not a multiple of 20") }
        let ids = stride(from: 0, to: bytes.count, by: 20).compactMap { NodeID(bytes: bytes[$0..<$0 + 20]) }
        return InfohashSample(interval: interval ?? 0, num: num ?? 0, samples: ids)
    }

    /// The peers in a `values` list: each 6-byte string is one; others (IPv6 peers) are skipped.
    package static func peers(inList bencoded: [UInt8]) -> [SocketAddress] {
        guard case .list(let items)? = try? BencodeDecoder.decode(bencoded) else { return [] }
        return items.compactMap { item in
            if case .bytes(let bytes) = item { CompactPeer.decode(bytes) } else { nil }
        }
    }

    /// The peers in one long `values` string (an old form some IPv4 nodes send).
    package static func peers(inString bytes: [UInt8]) -> [SocketAddress] {
        stride(from: 0, to: bytes.count - bytes.count % CompactPeer.size, by: CompactPeer.size).compactMap {
            CompactPeer.decode(bytes[$0..<$0 + CompactPeer.size])
        }
    }

    /// An announce's port: 1...65535, or absent or anything when `implied` (then 0).
    package static func port(_ port: Int64?, implied: Bool) -> UInt16? {
        if let port, (1...65535).contains(port) { return UInt16(port) }
        return implied ? 0 : nil
    }
}
