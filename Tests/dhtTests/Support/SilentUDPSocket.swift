import Glibc

/// A UDP socket on 127.0.0.1 that never answers: a port in use, or a bootstrap node that is silent.
final class SilentUDPSocket {
    private let fd: Int32
    /// The port the OS picked.
    let port: UInt16

    /// Binds 127.0.0.1:0.
    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw ReplProcessError(description: "socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw ReplProcessError(description: "bind: errno \(errno)")
        }
        fd = descriptor
        port = UInt16(bigEndian: address.sin_port)
    }

    deinit { close(fd) }
}
