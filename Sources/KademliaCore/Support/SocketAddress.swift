/// An IPv4 address and UDP port, the only kind of endpoint the node speaks to.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    /// The IPv4 address in host byte order (127.0.0.1 is 0x7F00_0001).
    public var ip: UInt32
    public var port: UInt16

    public init(ip: UInt32, port: UInt16) {
        self.ip = ip
        self.port = port
    }

    /// Parses a dotted-quad address such as `127.0.0.1`; nil if it is not one.
    public init?(ipv4 text: some StringProtocol, port: UInt16) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII),
                  let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        self.init(ip: value, port: port)
    }

    /// The loopback address 127.0.0.1 with the given port.
    public static func loopback(port: UInt16) -> SocketAddress {
        SocketAddress(ip: 0x7F00_0001, port: port)
    }

    /// The four address bytes in network order.
    public var ipBytes: [UInt8] {
        [UInt8(ip >> 24), UInt8(ip >> 16 & 0xFF), UInt8(ip >> 8 & 0xFF), UInt8(ip & 0xFF)]
    }

    public var ipString: String {
        "\(ip >> 24).\(ip >> 16 & 0xFF).\(ip >> 8 & 0xFF).\(ip & 0xFF)"
    }

    public var description: String { "\(ipString):\(port)" }
}
