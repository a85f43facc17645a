import Foundation
import Glibc

/// An HTTP reply as read off a socket.
struct RawHTTPReply {
    var status: Int
    /// Header lines, names lowercased.
    var headers: [String: String]
    var body: String
    /// The body's bytes, exactly.
    var bytes: [UInt8] = []
}

/// A TCP connection to a local server, to send exact bytes (hostile ones included) and
/// read exact replies: what curl would hide.
///
/// The reads block, so the async ones run on a thread of their own: a test waiting ten
/// seconds for a reply must not hold one of the cooperative pool's few threads, which
/// every other test running beside it needs. Used by one task at a time.
final class RawHTTPConnection: @unchecked Sendable {
    let fd: Int32
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port`, with `timeout` on every read.
    init(port: UInt16, timeout: Duration = .seconds(10)) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = in_addr(s_addr: UInt32(0x7F00_0001).bigEndian)
        var limit = timeval(tv_sec: Int(timeout.components.seconds), tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawHTTPError(description: "connect: errno \(errno)") }
    }

    deinit { close(fd) }

    /// Writes `text` as it is.
    func send(_ text: String) {
        Self.send(text, on: fd)
    }

    /// Writes `text` to the socket `fd`, from any task.
    static func send(_ text: String, on fd: Int32) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads one reply off the cooperative pool (see the type's note).
    func reply(head: Bool = false) async throws -> RawHTTPReply {
        try await offThePool { try self.readReply(head: head) }
    }

    /// Reads a stream's body until it contains `text`; returns everything read so far
    /// (and keeps it). Throws when the read timeout passes first.
    func streamed(until text: String) async throws -> String {
        try await offThePool {
            while String(decoding: self.pending, as: UTF8.self).range(of: text) == nil { try self.fill() }
            return String(decoding: self.pending, as: UTF8.self)
        }
    }

    /// Whether the server closes the connection, waited for off the cooperative pool.
    func closedByServer() async -> Bool {
        (try? await offThePool { self.isClosedByServer() }) ?? false
    }

    /// Runs a blocking `body` on a new thread and waits for it without blocking a pool thread.
    private func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try body() }) }.start()
        }
    }

    /// Reads one reply: the head, then `Content-Length` bytes of body (none for a HEAD request).
    private func readReply(head: Bool = false) throws -> RawHTTPReply {
        while true {
            if let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                let headText = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                var lines = headText.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                guard let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
                    throw RawHTTPError(description: "bad status line \(statusLine)")
                }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = head ? 0 : Int(headers["content-length"] ?? "0") ?? 0
                let bodyStart = end.upperBound
                while pending.count - bodyStart < length { try fill() }
                let bytes = Array(pending[bodyStart..<bodyStart + length])
                pending.removeFirst(bodyStart + length)
                return RawHTTPReply(status: status, headers: headers, body: String(decoding: bytes, as: UTF8.self), bytes: bytes)
            }
            try fill()
        }
    }

    /// Whether the server has closed the connection (a read finds the end or a reset), waiting at most the read timeout.
    /// An orderly close (end of file) or a reset: a server that closes a socket with bytes
    /// unread, as a cut-off slow client's still arriving, makes the kernel send a reset.
    private func isClosedByServer() -> Bool {
        var byte: UInt8 = 0
        let got = recv(fd, &byte, 1, 0)
        return got == 0 || (got < 0 && errno == ECONNRESET)
    }

    private func fill() throws {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard got > 0 else { throw RawHTTPError(description: got == 0 ? "closed by the server" : "read: errno \(errno)") }
        pending += buffer[..<got]
    }
}

/// A raw HTTP exchange that went wrong.
struct RawHTTPError: Error, CustomStringConvertible {
    var description: String
}
