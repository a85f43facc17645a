/// Plain-text descriptions of the wire's errors, so logs and replies never show a Swift
/// type dump such as `unreadable(BencodeError.unexpectedByte(103, offset: 0))`.
extension BencodeError: CustomStringConvertible {
    /// What is wrong and where, in one phrase.
    public var description: String {
        switch self {
        case .truncated: "ends inside a value"
        case .unexpectedByte(let byte, let offset): "byte \(Self.show(byte)) at offset \(offset) cannot start a value"
        case .invalidInteger(let offset): "bad integer at offset \(offset)"
        case .invalidLength(let offset): "bad string length at offset \(offset)"
        case .lengthPastEnd(let offset): "string at offset \(offset) runs past the end"
        case .unsortedKeys(let offset): "dictionary key at offset \(offset) out of order"
        case .duplicateKey(let offset): "duplicate dictionary key at offset \(offset)"
        case .nonStringKey(let offset): "dictionary key at offset \(offset) is not a string"
        case .tooDeep(let offset): "nested too deep at offset \(offset)"
        case .trailingBytes(let offset): "extra bytes from offset \(offset)"
        }
    }

    /// A printable ASCII byte as itself in quotes, any other in hex.
    private static func show(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "0x" + String(byte, radix: 16)
    }
}

extension MessageDecodeError: CustomStringConvertible {
    /// Why the datagram was not used, in one phrase.
    public var description: String {
        switch self {
        case .unreadable(let error): "not bencode (\(error))"
        case .malformed(let reason): "malformed (\(reason))"
        case .malformedQuery(_, let reason): "malformed query (\(reason))"
        }
    }
}

extension RPCError: CustomStringConvertible {
    /// How the query ended, in one phrase.
    public var description: String {
        switch self {
        case .timedOut: "timed out"
        case .cancelled: "cancelled"
        case .remote(let code, let message): "error \(code) '\(message.prefix(80))'"
        case .unexpectedResponder(let id): "answered by another id \(id.hex.prefix(8))"
        }
    }
}
