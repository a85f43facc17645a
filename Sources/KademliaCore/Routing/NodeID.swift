/// A 160-bit identifier of a node or a key, held in fixed-width words (no heap).
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 64 bits (most significant).
    public var high: UInt64
    /// The middle 64 bits.
    public var middle: UInt64
    /// The last 32 bits (least significant).
    public var low: UInt32

    /// Bytes in an id on the wire.
    public static let byteCount = 20
    /// Bits in an id.
    public static let bitCount = 160

    public init(high: UInt64, middle: UInt64, low: UInt32) {
        self.high = high
        self.middle = middle
        self.low = low
    }

    /// Reads 20 big-endian bytes; nil if `bytes` is not exactly 20 long.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == Self.byteCount else { return nil }
        var words: (UInt64, UInt64, UInt32) = (0, 0, 0)
        for (offset, byte) in bytes.enumerated() {
            switch offset {
            case 0..<8: words.0 = words.0 << 8 | UInt64(byte)
            case 8..<16: words.1 = words.1 << 8 | UInt64(byte)
            default: words.2 = words.2 << 8 | UInt32(byte)
            }
        }
        self.init(high: words.0, middle: words.1, low: words.2)
    }

    /// Reads 20 big-endian bytes as three word loads; nil if `raw` is not exactly 20 long.
    /// The decoder builds ids straight from datagrams this way, several per message.
    package init?(raw: UnsafeRawBufferPointer) {
        guard raw.count == Self.byteCount else { return nil }
        self.init(
            high: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            middle: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            low: UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
    }

    /// Parses 40 hexadecimal digits; nil otherwise.
    public init?(hex: some StringProtocol) {
        let digits = Array(hex.utf8)
        guard digits.count == 2 * Self.byteCount else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Self.byteCount)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let upper = Self.hexDigitValue(digits[index]), let lower = Self.hexDigitValue(digits[index + 1]) else {
                return nil
            }
            bytes.append(upper << 4 | lower)
        }
        self.init(bytes: bytes)
    }

    /// The id of a user key: SHA-1 of its UTF-8 bytes.
    public init(key: String) {
        // SHA-1 always yields 20 bytes, so the fallback never runs.
        self = NodeID(bytes: SHA1.hash(key)) ?? .zero
    }

    /// A uniformly random id.
    public static func random(using generator: inout some RandomNumberGenerator) -> NodeID {
        NodeID(high: generator.next(), middle: generator.next(), low: UInt32(truncatingIfNeeded: generator.next()))
    }

    /// The id of all zero bits.
    public static let zero = NodeID(high: 0, middle: 0, low: 0)

    /// The 20 big-endian bytes.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(Self.byteCount)
        appendBytes(to: &result)
        return result
    }

    /// Appends the 20 big-endian bytes to `buffer` without an intermediate array.
    public func appendBytes(to buffer: inout [UInt8]) {
        // Whole big-endian words rather than twenty single appends: this runs for every
        // id in every datagram we send.
        withUnsafeBytes(of: high.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: middle.bigEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { buffer.append(contentsOf: $0) }
    }

    /// Lowercase hexadecimal, 40 digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(2 * Self.byteCount)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    public var description: String { hex }

    /// The XOR distance to another id.
    public func distance(to other: NodeID) -> Distance {
        Distance(high: high ^ other.high, middle: middle ^ other.middle, low: low ^ other.low)
    }

    /// The routing-table bucket `other` falls into, seen from this id: 159 minus the
    /// leading zero bits of the distance, or nil for the id itself.
    public func bucketIndex(of other: NodeID) -> Int? {
        let zeros = distance(to: other).leadingZeroBitCount
        return zeros == Self.bitCount ? nil : Self.bitCount - 1 - zeros
    }

    /// An id whose distance from this one falls in bucket `index` (0...159), the other bits random.
    public func randomID(inBucket index: Int, using generator: inout some RandomNumberGenerator) -> NodeID {
        let random = NodeID.random(using: &generator)
        // Keep the bits above `index` equal to ours, flip bit `index`, randomise the rest.
        let flip = Distance.singleBit(index)
        let below = flip.minusOne
        let mask = Distance(high: ~(flip.high | below.high), middle: ~(flip.middle | below.middle), low: ~(flip.low | below.low))
        return NodeID(
            high: (high & mask.high) | ((~high) & flip.high) | (random.high & below.high),
            middle: (middle & mask.middle) | ((~middle) & flip.middle) | (random.middle & below.middle),
            low: (low & mask.low) | ((~low) & flip.low) | (random.low & below.low)
        )
    }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }

    /// The value of one hexadecimal digit (either case), nil for any other byte; shared by
    /// everything in the core that reads hex (ids here, percent escapes in `HTTPTarget`).
    package static func hexDigitValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The XOR distance between two ids; a separate type so ids and distances never mix.
public struct Distance: Hashable, Comparable, Sendable {
    public var high: UInt64
    public var middle: UInt64
    public var low: UInt32

    /// The number of leading zero bits (160 for the zero distance).
    public var leadingZeroBitCount: Int {
        if high != 0 { return high.leadingZeroBitCount }
        if middle != 0 { return 64 + middle.leadingZeroBitCount }
        return 128 + low.leadingZeroBitCount
    }

    /// The distance with only bit `index` set (bit 0 is the least significant).
    package static func singleBit(_ index: Int) -> Distance {
        switch index {
        case 96...: Distance(high: 1 << UInt64(index - 96), middle: 0, low: 0)
        case 32...: Distance(high: 0, middle: 1 << UInt64(index - 32), low: 0)
        default: Distance(high: 0, middle: 0, low: 1 << UInt32(index))
        }
    }

    /// This distance minus one, wrapping (used to build masks of low bits).
    package var minusOne: Distance {
        if low != 0 { return Distance(high: high, middle: middle, low: low - 1) }
        if middle != 0 { return Distance(high: high, middle: middle - 1, low: .max) }
        return Distance(high: high &- 1, middle: .max, low: .max)
    }

    public static func < (lhs: Distance, rhs: Distance) -> Bool {
        (lhs.high, lhs.middle, lhs.low) < (rhs.high, rhs.middle, rhs.low)
    }
}
