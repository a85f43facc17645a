/// The framing of the append-only journal a node's state will be replayed from: a file
/// header, then records, each `length` (4 bytes, little-endian), `CRC-32C` of the payload
/// (4 bytes, little-endian), then the payload. Pure: bytes in, bytes or records out.
///
/// A crash can leave the last record torn, and a disk can flip bits: `scan` keeps every
/// record up to the first that is incomplete or fails its checksum, and says where and
/// why it stopped, so the caller can cut the file there and report it.
public enum JournalFormat {
    /// `KSDHTJNL` then format version 1.
    public static let header: [UInt8] = Array("KSDHTJNL".utf8) + [1]
    /// The largest payload a record may carry; a longer length field is damage.
    public static let maxPayloadSize = 1 << 16
    /// Length and checksum.
    package static let frameOverhead = 8

    /// The bytes of one record carrying `payload` (at most `maxPayloadSize` bytes, not empty).
    public static func frame(_ payload: [UInt8]) -> [UInt8] {
        precondition(!payload.isEmpty && payload.count <= maxPayloadSize, "payload size is the caller's to bound")
        return littleEndian(UInt32(payload.count)) + littleEndian(CRC32C.checksum(payload)) + payload
    }

    /// Why a scan stopped before the end of the bytes.
    public enum Damage: Equatable, Sendable, CustomStringConvertible {
        /// The file does not start with `header`: not a journal, or another version.
        case foreignHeader
        /// The bytes end inside a record: a write cut short by a crash.
        case tornRecord(offset: Int)
        /// A record's length is 0 or over `maxPayloadSize`.
        case badLength(offset: Int)
        /// A record's payload does not match its checksum.
        case badChecksum(offset: Int)

        /// One phrase for a log line.
        public var description: String {
            switch self {
            case .foreignHeader: "not a dht journal (unknown header)"
            case .tornRecord(let offset): "record at byte \(offset) is cut short"
            case .badLength(let offset): "record at byte \(offset) has an impossible length"
            case .badChecksum(let offset): "record at byte \(offset) fails its checksum"
            }
        }
    }

    /// What a scan found.
    public struct Scan: Equatable, Sendable {
        /// The payloads of the intact records, in order.
        public var payloads: [[UInt8]]
        /// Bytes from the start that are intact (header included): the length to cut to.
        public var intactLength: Int
        /// Why the scan stopped early; nil when every byte was read.
        public var damage: Damage?
    }

    /// Reads `bytes` (a whole journal file). An empty file is an empty journal.
    public static func scan(_ bytes: [UInt8]) -> Scan {
        guard !bytes.isEmpty else { return Scan(payloads: [], intactLength: 0, damage: nil) }
        guard bytes.count >= header.count, Array(bytes[0..<header.count]) == header else {
            // A header cut short by a crash during creation holds nothing to keep either.
            let torn = bytes.count < header.count && Array(header.prefix(bytes.count)) == bytes
            return Scan(payloads: [], intactLength: 0, damage: torn ? .tornRecord(offset: 0) : .foreignHeader)
        }
        var payloads: [[UInt8]] = []
        var offset = header.count
        while offset < bytes.count {
            guard bytes.count - offset >= frameOverhead else { return Scan(payloads: payloads, intactLength: offset, damage: .tornRecord(offset: offset)) }
            let length = Int(readLittleEndian(bytes, at: offset))
            guard length > 0, length <= maxPayloadSize else {
                return Scan(payloads: payloads, intactLength: offset, damage: .badLength(offset: offset))
            }
            let start = offset + frameOverhead
            guard bytes.count - start >= length else { return Scan(payloads: payloads, intactLength: offset, damage: .tornRecord(offset: offset)) }
            let payload = Array(bytes[start..<start + length])
            guard CRC32C.checksum(payload) == readLittleEndian(bytes, at: offset + 4) else {
                return Scan(payloads: payloads, intactLength: offset, damage: .badChecksum(offset: offset))
            }
            payloads.append(payload)
            offset = start + length
        }
        return Scan(payloads: payloads, intactLength: offset, damage: nil)
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    private static func readLittleEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
