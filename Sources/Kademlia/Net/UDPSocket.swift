import CLinux
import Glibc

/// A failed socket call: which call, and the errno it left behind.
public struct SocketError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call that failed ("socket", "bind", "sendto", ...), so a log line says where.
    public let call: String
    /// The errno value the call reported.
    public let code: Int32

    /// Wraps an errno value reported by `call`.
    public init(call: String, code: Int32) {
        self.call = call
        self.code = code
    }

    /// "call: reason", e.g. "bind: Address already in use".
    public var description: String {
        guard let text = strerror(code) else { return "\(call): errno \(code)" }
        return "\(call): \(String(cString: text))"
    }

    /// True when another socket already holds the port, so callers can pick another one.
    public var isAddressInUse: Bool { code == EADDRINUSE }
}

/// Runs a system call until it is not interrupted. Returns nil for "would block" so the
/// non-blocking callers can treat a full or empty socket buffer as a normal outcome.
@inline(__always)
func retryingEINTR(_ call: StaticString, _ body: () -> Int) throws(SocketError) -> Int? {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK { return nil }
        throw SocketError(call: "\(call)", code: code)
    }
}

extension SocketAddress {
    /// Reads a kernel address, which keeps address and port in network byte order.
    init(_ address: sockaddr_in) {
        self.init(ip: UInt32(bigEndian: address.sin_addr.s_addr), port: UInt16(bigEndian: address.sin_port))
    }

    /// The kernel form of this address (network byte order).
    var sockaddrIn: sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: ip.bigEndian)
        return address
    }
}

/// A non-blocking UDP/IPv4 descriptor. A plain value: whoever owns it decides when to close it,
/// because closing is tied to the poller's life cycle (see UDPTransport.close).
struct UDPSocket: Sendable {
    let fd: Int32

    /// Opens a non-blocking, close-on-exec UDP socket so no call ever parks a thread.
    static func open() throws(SocketError) -> UDPSocket {
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(AF_INET, type, 0)
        guard fd >= 0 else { throw SocketError(call: "socket", code: errno) }
        return UDPSocket(fd: fd)
    }

    /// Asks for large kernel buffers: they are the only queue, so they set how big a burst survives.
    /// Failure only means smaller buffers, so it is ignored.
    func setBufferSizes(_ bytes: Int32) {
        for (forced, plain) in [(SO_RCVBUFFORCE, SO_RCVBUF), (SO_SNDBUFFORCE, SO_SNDBUF)] {
            if setOption(forced, bytes) != 0 { _ = setOption(plain, bytes) }
        }
    }

    private func setOption(_ name: Int32, _ value: Int32) -> Int32 {
        var value = value
        return setsockopt(fd, SOL_SOCKET, name, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Binds to a local address; port 0 lets the kernel choose.
    func bind(to address: SocketAddress) throws(SocketError) {
        var kernel = address.sockaddrIn
        let result = withUnsafePointer(to: &kernel) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw SocketError(call: "bind", code: errno) }
    }

    /// The address the kernel actually bound, which is how a port-0 bind learns its port.
    func boundAddress() throws(SocketError) -> SocketAddress {
        var kernel = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &kernel) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw SocketError(call: "getsockname", code: errno) }
        return SocketAddress(kernel)
    }

    /// Sends one datagram; false when the send buffer is full.
    func send(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) throws(SocketError) -> Bool {
        var kernel = destination.sockaddrIn
        let sent = try withUnsafePointer(to: &kernel) { pointer throws(SocketError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(SocketError) in
                try retryingEINTR("sendto") {
                    Glibc.sendto(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL),
                                 address, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent != nil
    }

    /// Releases the descriptor. The result is ignored: after close(2) the fd is gone whatever it says.
    func close() {
        _ = Glibc.close(fd)
    }
}
