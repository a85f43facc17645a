/// The 26-byte "compact node info" of BEP 5: id (20), IPv4 address (4) and port (2), network order.
public enum CompactNode {
    /// Bytes per contact.
    public static let size = 26

    /// Appends the compact form of each contact.
    public static func encode(_ contacts: some Sequence<Contact>, into buffer: inout [UInt8]) {
        for contact in contacts {
            contact.id.appendBytes(to: &buffer)
            CompactPeer.append(contact.address, to: &buffer)
        }
    }

    /// The compact form of the contacts.
    public static func encode(_ contacts: some Collection<Contact>) -> [UInt8] {
        var buffer = [UInt8]()
        buffer.reserveCapacity(contacts.count * size)
        encode(contacts, into: &buffer)
        return buffer
    }

    /// Decodes a `nodes` string; nil when its length is not a multiple of 26 (a protocol error).
    public static func decode(_ bytes: [UInt8]) -> [Contact]? {
        bytes.withUnsafeBytes { decode($0) }
    }

    /// Decodes a `nodes` string in place, so the message decoder need not copy it out first.
    package static func decode(_ bytes: UnsafeRawBufferPointer) -> [Contact]? {
        guard bytes.count % size == 0 else { return nil }
        var contacts = [Contact]()
        contacts.reserveCapacity(bytes.count / size)
        var offset = 0
        while offset < bytes.count {
            guard let id = NodeID(raw: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 20])) else { return nil }
            let ip = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 20, as: UInt32.self))
            let port = UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt16.self))
            contacts.append(Contact(id: id, address: SocketAddress(ip: ip, port: port)))
            offset += size
        }
        return contacts
    }
}
