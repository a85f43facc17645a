/// A node we can talk to: its id and the address it answers at.
public struct Contact: Hashable, Sendable, CustomStringConvertible {
    public var id: NodeID
    public var address: SocketAddress

    public init(id: NodeID, address: SocketAddress) {
        self.id = id
        self.address = address
    }

    public var description: String { "\(id.hex.prefix(8))@\(address)" }
}
