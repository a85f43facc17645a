import Glibc

/// Why a host or "host:port" string could not become an address.
public enum ResolveError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text itself is wrong (no port, bad port, no host); retrying will not help.
    case malformed(String)
    /// The name is well formed but the resolver found no IPv4 address; `reason` is gai_strerror's.
    case unresolvable(host: String, reason: String)

    /// A message fit for a command-line error.
    public var description: String {
        switch self {
        case .malformed(let message): message
        case .unresolvable(let host, let reason): "cannot resolve '\(host)': \(reason)"
        }
    }
}

/// Turns user-supplied host names into IPv4 addresses. Blocking (getaddrinfo), so call it while
/// setting up, not from the poller thread or a hot path.
public enum HostResolver {
    /// Resolves a host name or dotted quad to an IPv4 address (getaddrinfo, AF_INET, SOCK_DGRAM).
    public static func resolve(host: String, port: UInt16) throws(ResolveError) -> SocketAddress {
        guard !host.isEmpty else { throw .malformed("empty host name") }
        // Dotted quads need no resolver round trip.
        if let address = SocketAddress(ipv4: host, port: port) { return address }

        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0 else {
            throw .unresolvable(host: host, reason: failureReason(status: status, errno: errno))
        }
        defer { freeaddrinfo(list) }

        var cursor = list
        while let entry = cursor?.pointee {
            if entry.ai_family == AF_INET, let raw = entry.ai_addr,
               Int(entry.ai_addrlen) >= MemoryLayout<sockaddr_in>.size {
                let kernel = UnsafeRawPointer(raw).loadUnaligned(as: sockaddr_in.self)
                return SocketAddress(ip: SocketAddress(kernel).ip, port: port)
            }
            cursor = entry.ai_next
        }
        throw .unresolvable(host: host, reason: "no IPv4 address")
    }

    /// Parses "host:port" (port 1...65535) and resolves the host.
    public static func resolve(endpoint: String) throws(ResolveError) -> SocketAddress {
        guard let colon = endpoint.lastIndex(of: ":") else {
            throw .malformed("missing port in '\(endpoint)'")
        }
        let host = endpoint[..<colon]
        let portText = endpoint[endpoint.index(after: colon)...]
        guard !portText.isEmpty else { throw .malformed("missing port in '\(endpoint)'") }
        // Digits only: UInt16("+80") would otherwise sneak through.
        guard portText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let port = UInt16(portText), port != 0 else {
            throw .malformed("bad port in '\(endpoint)'")
        }
        guard !host.isEmpty else { throw .malformed("missing host in '\(endpoint)'") }
        return try resolve(host: String(host), port: port)
    }

    private static func failureReason(status: Int32, errno: Int32) -> String {
        if status == EAI_SYSTEM, let text = strerror(errno) { return String(cString: text) }
        guard let text = gai_strerror(status) else { return "getaddrinfo error \(status)" }
        return String(cString: text)
    }
}
