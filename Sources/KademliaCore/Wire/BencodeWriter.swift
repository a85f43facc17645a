/// Appends bencode straight into a byte buffer, for the per-datagram encode path
/// where building a `BencodeValue` tree first would only cost allocations.
/// Callers write dictionary keys in ascending order themselves.
package struct BencodeWriter {
    package var bytes: [UInt8]

    package init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    package mutating func beginDictionary() { bytes.append(UInt8(ascii: "d")) }
    package mutating func beginList() { bytes.append(UInt8(ascii: "l")) }
    package mutating func end() { bytes.append(UInt8(ascii: "e")) }

    package mutating func integer(_ value: Int64) {
        bytes.append(UInt8(ascii: "i"))
        decimal(value)
        bytes.append(UInt8(ascii: "e"))
    }

    package mutating func string(_ value: some Collection<UInt8>) {
        decimal(Int64(value.count))
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: value)
    }

    package mutating func string(_ text: StaticString) {
        text.withUTF8Buffer { string($0) }
    }

    package mutating func nodeID(_ id: NodeID) {
        bytes.append(UInt8(ascii: "2"))
        bytes.append(UInt8(ascii: "0"))
        bytes.append(UInt8(ascii: ":"))
        id.appendBytes(to: &bytes)
    }

    /// Writes contacts as one compact-node string, straight into the buffer.
    package mutating func compactNodes(_ contacts: [Contact]) {
        decimal(Int64(contacts.count * CompactNode.size))
        bytes.append(UInt8(ascii: ":"))
        CompactNode.encode(contacts, into: &bytes)
    }

    /// Writes a 6-byte compact peer (BEP 5) as one string, straight into the buffer.
    package mutating func compactPeer(_ address: SocketAddress) {
        bytes.append(UInt8(ascii: "6"))
        bytes.append(UInt8(ascii: ":"))
        CompactPeer.append(address, to: &bytes)
    }

    /// Writes bytes that are already a bencoded value (a BEP 44 item, kept as it came).
    package mutating func raw(_ bencoded: [UInt8]) { bytes.append(contentsOf: bencoded) }

    /// Writes a dictionary key: a short ASCII byte string.
    package mutating func key(_ text: StaticString) { string(text) }

    private mutating func decimal(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
    }
}
