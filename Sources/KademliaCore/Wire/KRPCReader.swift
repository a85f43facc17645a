private let asciiZero = UInt8(ascii: "0")
private let asciiNine = UInt8(ascii: "9")

/// Single-pass cursor over one datagram: enforces every rule of `BencodeDecoder`, with the
/// same `BencodeError` at the same offset, while recording only the KRPC fields.
///
/// Every check happens in the same byte order as the tree decoder, so the first error
/// found is the one it would report; semantic checks wait until the whole datagram passed.
package struct KRPCReader {
    package let input: UnsafeRawBufferPointer
    private var position = 0
    private let maxDepth = BencodeDecoder.defaultMaxDepth

    /// Prepares to read `input` from its first byte.
    package init(input: UnsafeRawBufferPointer) {
        self.input = input
    }

    /// Validates the whole datagram and returns where its KRPC fields lie.
    package mutating func readEnvelope() throws(BencodeError) -> KRPCEnvelope {
        var envelope = KRPCEnvelope()
        guard position < input.count else { throw .truncated }
        if input[position] == UInt8(ascii: "d") {
            envelope.isDictionary = true
            try readTopLevel(into: &envelope)
        } else {
            _ = try readValue(depth: 0)
        }
        guard position == input.count else { throw .trailingBytes(offset: position) }
        return envelope
    }

    /// Reads the top-level dictionary, sending each KRPC key's value where it is recorded.
    private mutating func readTopLevel(into envelope: inout KRPCEnvelope) throws(BencodeError) {
        let depth = 1
        try open(depth: depth)
        var previous: Range<Int>? = nil
        while let key = try nextKey(after: &previous) {
            if key.count == 2 {
                if matches(key, "ip") { envelope.ip = try readValue(depth: depth) }
                else if matches(key, "ro") { envelope.ro = try readValue(depth: depth) }
                else { _ = try readValue(depth: depth) }
                continue
            }
            // The other top-level KRPC keys are one byte long.
            let name = key.count == 1 ? input[key.lowerBound] : 0
            switch name {
            case UInt8(ascii: "a"): envelope.a = try readFields(depth: depth, into: &envelope.arguments)
            case UInt8(ascii: "r"): envelope.r = try readFields(depth: depth, into: &envelope.response)
            case UInt8(ascii: "e"): envelope.e = try readErrorList(depth: depth, into: &envelope)
            case UInt8(ascii: "t"): envelope.t = try readValue(depth: depth)
            case UInt8(ascii: "y"): envelope.y = try readValue(depth: depth)
            case UInt8(ascii: "q"): envelope.q = try readValue(depth: depth)
            case UInt8(ascii: "v"): envelope.v = try readValue(depth: depth)
            default: _ = try readValue(depth: depth)
            }
        }
    }

    /// Reads the value of `a` or `r`, recording its children when it is a dictionary.
    private mutating func readFields(depth: Int, into fields: inout KRPCFields) throws(BencodeError) -> KRPCSlot {
        guard position < input.count, input[position] == UInt8(ascii: "d") else { return try readValue(depth: depth) }
        let start = position
        try open(depth: depth + 1)
        var previous: Range<Int>? = nil
        while let key = try nextKey(after: &previous) {
            let valueStart = position
            let value = try readValue(depth: depth + 1)
            // Dispatching on the length first leaves at most one or two byte comparisons per key.
            switch key.count {
            case 1:
                if matches(key, "v") {
                    fields.v = value
                    fields.rawV = valueStart..<position
                } else if matches(key, "k") { fields.k = value }
            case 2: if matches(key, "id") { fields.id = value }
            case 3:
                if matches(key, "seq") { fields.seq = value }
                else if matches(key, "key") { fields.key = value }
                else if matches(key, "ttl") { fields.ttl = value }
                else if matches(key, "del") { fields.del = value }
                else if matches(key, "sig") { fields.sig = value }
                else if matches(key, "cas") { fields.cas = value }
                else if matches(key, "num") { fields.num = value }
            case 4:
                if matches(key, "port") { fields.port = value }
                else if matches(key, "salt") { fields.salt = value }
                else if matches(key, "seed") { fields.seed = value }
            case 5:
                if matches(key, "nodes") { fields.nodes = value }
                else if matches(key, "token") { fields.token = value }
            case 6:
                if matches(key, "target") { fields.target = value }
                else if matches(key, "values") { fields.values = value }
                else if matches(key, "noseed") { fields.noseed = value }
            case 7: if matches(key, "samples") { fields.samples = value }
            case 8: if matches(key, "interval") { fields.interval = value }
            case 9: if matches(key, "info_hash") { fields.infoHash = value }
            case 12: if matches(key, "implied_port") { fields.impliedPort = value }
            default: break
            }
        }
        return .dictionary(start..<position)
    }

    /// Reads the value of `e`, recording its first two elements when it is a list.
    private mutating func readErrorList(depth: Int, into envelope: inout KRPCEnvelope) throws(BencodeError) -> KRPCSlot {
        guard position < input.count, input[position] == UInt8(ascii: "l") else { return try readValue(depth: depth) }
        let start = position
        try open(depth: depth + 1)
        var index = 0
        while try !atEnd() {
            let value = try readValue(depth: depth + 1)
            if index == 0 { envelope.errorCode = value } else if index == 1 { envelope.errorText = value }
            index += 1
        }
        return .list(start..<position)
    }

    /// Reads any value; `depth` counts the containers already open around it.
    private mutating func readValue(depth: Int) throws(BencodeError) -> KRPCSlot {
        guard position < input.count else { throw .truncated }
        let byte = input[position]
        switch byte {
        case UInt8(ascii: "i"):
            return .integer(try BencodeScalars.integer(in: input, at: &position))
        case asciiZero...asciiNine:
            return .bytes(try BencodeScalars.byteString(in: input, at: &position))
        case UInt8(ascii: "l"):
            let start = position
            try open(depth: depth + 1)
            while try !atEnd() { _ = try readValue(depth: depth + 1) }
            return .list(start..<position)
        case UInt8(ascii: "d"):
            let start = position
            try open(depth: depth + 1)
            var previous: Range<Int>? = nil
            while try nextKey(after: &previous) != nil { _ = try readValue(depth: depth + 1) }
            return .dictionary(start..<position)
        default:
            throw .unexpectedByte(byte, offset: position)
        }
    }

    /// Steps over the `l` or `d` of a container at nesting `depth`, refusing one too deep.
    private mutating func open(depth: Int) throws(BencodeError) {
        guard depth <= maxDepth else { throw .tooDeep(offset: position) }
        position += 1
    }

    /// True, past the `e`, when the open container ends here.
    private mutating func atEnd() throws(BencodeError) -> Bool {
        guard position < input.count else { throw .truncated }
        guard input[position] == UInt8(ascii: "e") else { return false }
        position += 1
        return true
    }

    /// The next key of the open dictionary, or nil past its `e`; keys must strictly ascend.
    private mutating func nextKey(after previous: inout Range<Int>?) throws(BencodeError) -> Range<Int>? {
        if try atEnd() { return nil }
        return try BencodeScalars.dictionaryKey(in: input, at: &position, after: &previous)
    }

    /// Whether the key at `range` spells the ASCII `name`.
    private func matches(_ range: Range<Int>, _ name: StaticString) -> Bool {
        Self.spells(UnsafeRawBufferPointer(rebasing: input[range]), name)
    }

    /// Whether `bytes` spell the ASCII `name`; a plain byte loop, where `elementsEqual` on a UTF8View is generic and slow.
    package static func spells(_ bytes: UnsafeRawBufferPointer, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        let wanted = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        var i = 0
        while i < wanted.count {
            if bytes[i] != wanted[i] { return false }
            i += 1
        }
        return true
    }
}
