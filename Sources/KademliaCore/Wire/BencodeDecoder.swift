/// Why a datagram was rejected by `BencodeDecoder`; offsets are byte positions in the input.
public enum BencodeError: Error, Equatable, Sendable {
    /// The input ended inside a value.
    case truncated
    /// A byte that cannot start a value; offset of that byte.
    case unexpectedByte(UInt8, offset: Int)
    /// Empty, leading zeros, `-0`, `-` alone, non-digits or Int64 overflow; offset of the `i`.
    case invalidInteger(offset: Int)
    /// A string length with a leading zero, non-digits or overflow; offset of its first digit.
    case invalidLength(offset: Int)
    /// A string length pointing past the end of the input; offset of its first digit.
    case lengthPastEnd(offset: Int)
    /// A dictionary key not greater than the previous one; offset of the key.
    case unsortedKeys(offset: Int)
    /// A dictionary key equal to the previous one; offset of the key.
    case duplicateKey(offset: Int)
    /// A dictionary key that is not a byte string; offset of the key.
    case nonStringKey(offset: Int)
    /// A list or dictionary nested deeper than `maxDepth`; offset of its opening byte.
    case tooDeep(offset: Int)
    /// Bytes left after the top-level value; offset of the first extra byte.
    case trailingBytes(offset: Int)
}

/// Strict, bounded bencode decoder: accepts only the canonical encoding of a value.
///
/// Because only canonical input is accepted, `decode(x).encoded() == x` for every accepted `x`.
/// Allocation is proportional to the input: string lengths are checked against the remaining
/// bytes before anything is copied, and nothing is reserved from a claimed size.
public enum BencodeDecoder {
    /// The nesting limit from the protocol spec; depth 1 is the top-level list or dictionary.
    public static let defaultMaxDepth = 32

    /// Decodes exactly one value spanning all of `bytes`.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth
    ) throws(BencodeError) -> BencodeValue {
        var parser = Parser(input: bytes, maxDepth: maxDepth)
        let value = try parser.parseValue(depth: 0)
        guard parser.position == bytes.count else {
            throw .trailingBytes(offset: parser.position)
        }
        return value
    }

    /// Decodes exactly one value spanning all of `bytes`.
    public static func decode(
        _ bytes: [UInt8], maxDepth: Int = defaultMaxDepth
    ) throws(BencodeError) -> BencodeValue {
        // withUnsafeBytes is rethrows-untyped, so carry the typed error out through a Result.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(BencodeError) -> BencodeValue in try decode(raw, maxDepth: maxDepth) }
        }
        return try result.get()
    }
}

private let asciiZero = UInt8(ascii: "0")
private let asciiNine = UInt8(ascii: "9")

/// Recursive-descent cursor; recursion depth is capped by `maxDepth`, so the stack stays small.
private struct Parser {
    let input: UnsafeRawBufferPointer
    let maxDepth: Int
    var position = 0

    init(input: UnsafeRawBufferPointer, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
    }

    /// `depth` counts the containers already open around this value.
    mutating func parseValue(depth: Int) throws(BencodeError) -> BencodeValue {
        guard position < input.count else { throw .truncated }
        let byte = input[position]
        switch byte {
        case UInt8(ascii: "i"):
            return .integer(try BencodeScalars.integer(in: input, at: &position))
        case asciiZero...asciiNine:
            return .bytes(try parseByteString())
        case UInt8(ascii: "l"):
            return .list(try parseList(depth: depth + 1))
        case UInt8(ascii: "d"):
            return .dictionary(try parseDictionary(depth: depth + 1))
        default:
            throw .unexpectedByte(byte, offset: position)
        }
    }

    private mutating func parseList(depth: Int) throws(BencodeError) -> [BencodeValue] {
        guard depth <= maxDepth else { throw .tooDeep(offset: position) }
        position += 1
        var elements: [BencodeValue] = []
        while true {
            guard position < input.count else { throw .truncated }
            if input[position] == UInt8(ascii: "e") {
                position += 1
                return elements
            }
            elements.append(try parseValue(depth: depth))
        }
    }

    private mutating func parseDictionary(depth: Int) throws(BencodeError) -> [BencodeEntry] {
        guard depth <= maxDepth else { throw .tooDeep(offset: position) }
        position += 1
        var entries: [BencodeEntry] = []
        // The previous key is compared in place in the input, so ordering costs no copies.
        var previousKey: Range<Int>? = nil
        while true {
            guard position < input.count else { throw .truncated }
            let byte = input[position]
            if byte == UInt8(ascii: "e") {
                position += 1
                return entries
            }
            let keyRange = try BencodeScalars.dictionaryKey(in: input, at: &position, after: &previousKey)
            let value = try parseValue(depth: depth)
            entries.append(BencodeEntry(key: copy(keyRange), value: value))
        }
    }

    private func copy(_ range: Range<Int>) -> [UInt8] {
        [UInt8](UnsafeRawBufferPointer(rebasing: input[range]))
    }

    private mutating func parseByteString() throws(BencodeError) -> [UInt8] {
        copy(try BencodeScalars.byteString(in: input, at: &position))
    }
}
