/// A bencode value (BEP 3).
public enum BencodeValue: Equatable, Sendable {
    /// A signed integer, `i<digits>e`.
    case integer(Int64)
    /// A raw byte string, `<length>:<bytes>`; not necessarily valid UTF-8.
    case bytes([UInt8])
    /// An ordered list, `l<values>e`.
    case list([BencodeValue])
    /// A dictionary, `d<key><value>...e`; entries are in strictly ascending raw-byte key order when decoded.
    case dictionary([BencodeEntry])
}

/// One key/value pair of a bencode dictionary.
public struct BencodeEntry: Equatable, Sendable {
    /// The raw key bytes.
    public var key: [UInt8]
    /// The value stored under `key`.
    public var value: BencodeValue

    /// Creates an entry mapping `key` to `value`.
    public init(key: [UInt8], value: BencodeValue) {
        self.key = key
        self.value = value
    }
}

extension BencodeValue {
    /// A byte string holding the UTF-8 encoding of `s`.
    public static func string(_ s: String) -> BencodeValue {
        .bytes(Array(s.utf8))
    }

    /// A dictionary built from string-keyed pairs, sorted by raw key bytes.
    ///
    /// If a key repeats, the first pair wins, matching what `subscript(key:)` and the encoder see.
    public static func dictionary(_ pairs: [(String, BencodeValue)]) -> BencodeValue {
        var entries: [BencodeEntry] = []
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            entries.append(BencodeEntry(key: Array(key.utf8), value: value))
        }
        // Stable sort, so the first of any duplicates stays first and is the one kept.
        let order = entries.indices.sorted { lhs, rhs in
            let l = entries[lhs].key, r = entries[rhs].key
            return l == r ? lhs < rhs : l.lexicographicallyPrecedes(r)
        }
        var sorted: [BencodeEntry] = []
        sorted.reserveCapacity(entries.count)
        for index in order where sorted.last?.key != entries[index].key {
            sorted.append(entries[index])
        }
        return .dictionary(sorted)
    }

    /// The value stored under the UTF-8 key `key`; nil if this is not a dictionary or the key is absent.
    public subscript(key: String) -> BencodeValue? {
        guard case .dictionary(let entries) = self else { return nil }
        // KRPC dictionaries hold a handful of keys, so a linear scan beats binary search
        // setup; comparing contiguous buffers keeps this off the generic slow path, since
        // every field of every datagram is read through here.
        var key = key
        return key.withUTF8 { wanted in
            for entry in entries where entry.key.count == wanted.count
                && entry.key.withUnsafeBufferPointer({ $0.elementsEqual(wanted) }) {
                return entry.value
            }
            return nil
        }
    }

    /// The payload if this is a byte string.
    public var bytesValue: [UInt8]? {
        if case .bytes(let b) = self { return b }
        return nil
    }

    /// The payload if this is an integer.
    public var integerValue: Int64? {
        if case .integer(let i) = self { return i }
        return nil
    }

    /// The elements if this is a list.
    public var listValue: [BencodeValue]? {
        if case .list(let l) = self { return l }
        return nil
    }

    /// The canonical bencoding of this value.
    public func encoded() -> [UInt8] {
        var buffer: [UInt8] = []
        encode(into: &buffer)
        return buffer
    }

    /// Appends the canonical bencoding of this value to `buffer`.
    ///
    /// Dictionary keys are written in ascending raw-byte order whatever order the entries
    /// are stored in; for duplicate keys only the first entry is written, so the output
    /// always decodes under the strict decoder.
    public func encode(into buffer: inout [UInt8]) {
        switch self {
        case .integer(let value):
            buffer.append(UInt8(ascii: "i"))
            if value < 0 { buffer.append(UInt8(ascii: "-")) }
            // magnitude avoids the overflow of negating Int64.min.
            Self.appendDecimal(value.magnitude, to: &buffer)
            buffer.append(UInt8(ascii: "e"))
        case .bytes(let bytes):
            Self.appendByteString(bytes, to: &buffer)
        case .list(let elements):
            buffer.append(UInt8(ascii: "l"))
            for element in elements { element.encode(into: &buffer) }
            buffer.append(UInt8(ascii: "e"))
        case .dictionary(let entries):
            buffer.append(UInt8(ascii: "d"))
            if Self.isStrictlySorted(entries) {
                // Decoded values and `dictionary(_:)` results take this path with no extra allocation.
                for entry in entries {
                    Self.appendByteString(entry.key, to: &buffer)
                    entry.value.encode(into: &buffer)
                }
            } else {
                let order = entries.indices.sorted { lhs, rhs in
                    let l = entries[lhs].key, r = entries[rhs].key
                    return l == r ? lhs < rhs : l.lexicographicallyPrecedes(r)
                }
                var previous: Int? = nil
                for index in order {
                    if let p = previous, entries[p].key == entries[index].key { continue }
                    Self.appendByteString(entries[index].key, to: &buffer)
                    entries[index].value.encode(into: &buffer)
                    previous = index
                }
            }
            buffer.append(UInt8(ascii: "e"))
        }
    }

    private static func isStrictlySorted(_ entries: [BencodeEntry]) -> Bool {
        var i = 1
        while i < entries.count {
            guard entries[i - 1].key.lexicographicallyPrecedes(entries[i].key) else { return false }
            i += 1
        }
        return true
    }

    private static func appendByteString(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        appendDecimal(UInt64(bytes.count), to: &buffer)
        buffer.append(UInt8(ascii: ":"))
        buffer.append(contentsOf: bytes)
    }

    /// Writes `value` in decimal without going through String, which would allocate.
    private static func appendDecimal(_ value: UInt64, to buffer: inout [UInt8]) {
        // UInt64.max has 20 digits; the 20-byte stack buffer is filled from the end.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var v = value
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v % 10)
                v /= 10
            } while v > 0
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }
}
