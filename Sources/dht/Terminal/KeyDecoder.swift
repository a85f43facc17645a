/// One key press, as decoded from the bytes a terminal sends.
enum Key: Equatable, Sendable {
    /// A printable character (one Unicode scalar; the editor merges combining marks).
    case character(Character)
    /// Return or Enter (CR, LF, or CR LF counted once).
    case enter
    case tab
    /// Backspace, sent as DEL (0x7f) or BS (0x08).
    case backspace
    /// The Delete key (ESC [ 3 ~), which deletes under the cursor.
    case delete
    case left
    case right
    case up
    case down
    case home
    case end
    /// Ctrl with a letter, carried as the upper-case letter: `.control("A")` is Ctrl-A.
    ///
    /// Only the letters the editor binds are decoded (A B C D E F K L N P U W);
    /// Ctrl-H, -I, -J and -M arrive as backspace, tab and enter instead.
    case control(Character)
}

extension Key {
    /// Whether this is a printable character, the one key that only ever redraws.
    var isCharacter: Bool {
        if case .character = self { return true }
        return false
    }
}

/// Turns raw terminal input bytes into `Key`s.
///
/// Pure and stateful: a UTF-8 character, an escape sequence or a CR LF pair
/// split over two reads still decodes as one key, because the partial input
/// is kept until the next `decode` call. Nothing that is not a known key is
/// ever turned into text: invalid UTF-8, stray control bytes and unknown
/// escape sequences (Ctrl-arrows, F-keys, ...) are dropped whole.
struct KeyDecoder: Sendable {
    /// Where the decoder is inside a multi-byte input.
    private enum State: Sendable {
        case ground
        /// After ESC, waiting for `[`, `O` or an Alt-modified key.
        case escape
        /// Inside a control sequence (ESC [), holding its parameter bytes so far.
        case controlSequence(parameters: [UInt8])
        /// After ESC O (or ESC [ [), waiting for the final byte; `swallowsFinal` when it can be no known key.
        case singleShift(swallowsFinal: Bool)
        /// Inside a UTF-8 character: the bytes seen so far and how many it needs in all.
        case utf8(bytes: [UInt8], length: Int)
    }

    /// Parameters longer than this are no key we know; stop storing them (but keep swallowing).
    private static let maxParameterBytes = 16

    private var state = State.ground
    /// Whether the last byte was a CR, so that an LF right after it is the same Enter.
    private var lastWasCarriageReturn = false

    /// Creates a decoder with no partial input.
    init() {}

    /// Decodes `bytes`, which continue any partial input from earlier calls.
    mutating func decode(_ bytes: some Sequence<UInt8>) -> [Key] {
        var keys: [Key] = []
        for byte in bytes {
            let followsCarriageReturn = lastWasCarriageReturn
            lastWasCarriageReturn = false
            if followsCarriageReturn, byte == 0x0a, case .ground = state { continue }
            if let key = feed(byte) { keys.append(key) }
        }
        return keys
    }

    /// Advances the state machine by one byte; returns the key it completes, if any.
    private mutating func feed(_ byte: UInt8) -> Key? {
        switch state {
        case .ground:
            return ground(byte)
        case .escape:
            switch byte {
            case UInt8(ascii: "["): state = .controlSequence(parameters: [])
            case UInt8(ascii: "O"): state = .singleShift(swallowsFinal: false)
            case 0x1b: state = .escape
            case 0x20...0x7e: state = .ground  // Alt plus a key: not bound, swallowed.
            default:
                // A lone ESC followed by a control key: drop the ESC, keep the key.
                state = .ground
                return ground(byte)
            }
            return nil
        case .controlSequence(var parameters):
            switch byte {
            case 0x20...0x3f:  // parameter and intermediate bytes (ECMA-48)
                if parameters.count < Self.maxParameterBytes { parameters.append(byte) }
                state = .controlSequence(parameters: parameters)
                return nil
            case UInt8(ascii: "[") where parameters.isEmpty:
                // The Linux console's F1-F5 are ESC [ [ A to E: swallow the letter too.
                state = .singleShift(swallowsFinal: true)
                return nil
            case 0x40...0x7e:  // the final byte ends the sequence
                state = .ground
                return Self.controlSequenceKey(parameters: parameters, final: byte)
            default:
                // A control byte cannot be inside a sequence: the sequence was cut off.
                state = .ground
                return ground(byte)
            }
        case .singleShift(let swallowsFinal):
            switch byte {
            case 0x20...0x3f:  // a modifier (ESC O 5 C): wait for the final byte, then swallow it all
                state = .singleShift(swallowsFinal: true)
                return nil
            case 0x40...0x7e:
                state = .ground
                return swallowsFinal ? nil : Self.cursorKey(final: byte)
            default:
                state = .ground
                return ground(byte)
            }
        case .utf8(var bytes, let length):
            guard (0x80...0xbf).contains(byte) else {
                // The character was cut short: drop it and read this byte afresh.
                state = .ground
                return ground(byte)
            }
            bytes.append(byte)
            guard bytes.count == length else {
                state = .utf8(bytes: bytes, length: length)
                return nil
            }
            state = .ground
            return Self.printable(utf8: bytes)
        }
    }

    /// A byte outside any sequence: ASCII text, a control key, ESC, or a UTF-8 lead byte.
    private mutating func ground(_ byte: UInt8) -> Key? {
        switch byte {
        case 0x20...0x7e: return .character(Character(Unicode.Scalar(byte)))
        case 0x0d:
            lastWasCarriageReturn = true
            return .enter
        case 0x0a: return .enter
        case 0x09: return .tab
        case 0x08, 0x7f: return .backspace
        case 0x1b:
            state = .escape
            return nil
        case 0xc2...0xdf: state = .utf8(bytes: [byte], length: 2)
        case 0xe0...0xef: state = .utf8(bytes: [byte], length: 3)
        case 0xf0...0xf4: state = .utf8(bytes: [byte], length: 4)
        case 0x01...0x1a:
            let letter = Character(Unicode.Scalar(byte + 0x40))
            return "ABCDEFKLNPUW".contains(letter) ? .control(letter) : nil
        default: return nil  // NUL, other controls, stray continuation bytes, invalid leads
        }
        return nil
    }

    /// The key an `ESC [ parameters final` sequence stands for, or nil to swallow it.
    private static func controlSequenceKey(parameters: [UInt8], final: UInt8) -> Key? {
        if parameters.isEmpty { return cursorKey(final: final) }
        guard final == UInt8(ascii: "~") else { return nil }
        switch String(decoding: parameters, as: UTF8.self) {
        case "1", "7": return .home
        case "4", "8": return .end
        case "3": return .delete
        default: return nil
        }
    }

    /// Arrows, Home and End by their final letter, shared by `ESC [` and `ESC O`.
    private static func cursorKey(final: UInt8) -> Key? {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        case UInt8(ascii: "H"): .home
        case UInt8(ascii: "F"): .end
        default: nil
        }
    }

    /// A complete multi-byte UTF-8 character, or nil if it is overlong, a surrogate,
    /// out of range or a C1 control.
    private static func printable(utf8 bytes: [UInt8]) -> Key? {
        guard let scalar = String(validating: bytes, as: UTF8.self)?.unicodeScalars.first,
              !(0x80...0x9f).contains(scalar.value) else { return nil }
        return .character(Character(scalar))
    }
}
