/// Who sent something, as the limits count it: one host, or one network of hosts.
///
/// On the internet one host is one IPv4 address, and one network a /24 (an attacker
/// rarely holds more than a /24, so stores and table places are shared per /24). On
/// loopback, where every local node shares 127.0.0.1, a relaxed count treats each
/// address and port as its own host, so tests and benchmarks with hundreds of local
/// nodes are not mistaken for a flood; a strict count makes each 127.x.y.z a host.
public struct TrafficSource: Hashable, Sendable, CustomStringConvertible {
    /// The bits and the prefix in one word: every rate limiter keeps one per host it
    /// tracks, so 8 bytes here instead of 16 is a third of a limiter's table.
    private let packed: UInt64

    /// The IPv4 address (masked to /24 for a network) shifted left 16, and the port when it counts.
    package var bits: UInt64 { packed & 0x00FF_FFFF_FFFF_FFFF }
    /// The prefix length the bits keep, for the description.
    package var prefix: Int { Int(packed >> 56) }

    private init(bits: UInt64, prefix: Int) {
        packed = bits | UInt64(prefix) << 56
    }

    /// The host that sent from `address`.
    public static func host(_ address: SocketAddress, relaxLoopback: Bool) -> TrafficSource {
        if relaxLoopback && address.isLoopback { return TrafficSource(bits: UInt64(address.ip) << 16 | UInt64(address.port), prefix: 48) }
        return TrafficSource(bits: UInt64(address.ip) << 16, prefix: 32)
    }

    /// The network that sent from `address`: its /24, or the host on loopback.
    public static func network(_ address: SocketAddress, relaxLoopback: Bool) -> TrafficSource {
        if address.isLoopback { return host(address, relaxLoopback: relaxLoopback) }
        return TrafficSource(bits: UInt64(address.ip & 0xFFFF_FF00) << 16, prefix: 24)
    }

    /// `10.0.0.0/24`, `10.0.0.5` or `127.0.0.1:8001`.
    public var description: String {
        let ip = UInt32(truncatingIfNeeded: bits >> 16)
        let dotted = "\(ip >> 24).\(ip >> 16 & 0xFF).\(ip >> 8 & 0xFF).\(ip & 0xFF)"
        switch prefix {
        case 48: return dotted + ":\(bits & 0xFFFF)"
        case 32: return dotted
        default: return dotted + "/\(prefix)"
        }
    }
}

extension SocketAddress {
    /// Whether the address is in 127.0.0.0/8.
    public var isLoopback: Bool { ip >> 24 == 127 }
}
