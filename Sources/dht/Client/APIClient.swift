import Foundation
import Glibc
import Kademlia
import Synchronization

/// Why a request to a node's API failed before any reply.
struct APIClientError: Error, Equatable, CustomStringConvertible {
    var description: String
}

/// A small HTTP/1.1 client for one node's API (`dht --api`): one connection per request,
/// blocking calls on a thread of their own so the caller's task never holds a pool thread.
/// Replies are bounded: a head over 16 KiB or a body over 1 MiB is an error.
struct APIClient: Sendable {
    /// The largest reply body read.
    static let maxBody = 1 << 20

    /// The `Host` the requests name: as the URL gave it, so the server's Host check sees
    /// what the user typed (`127.0.0.1:8080` or `localhost:8080`).
    let hostHeader: String
    /// Where the API listens.
    let address: SocketAddress
    /// The bearer token, if the node asks for one.
    let token: String?

    /// A client for `url` (`http://HOST:PORT`, an optional trailing `/`); the host must resolve.
    init(url: String, token: String?) throws(APIClientError) {
        var rest = Substring(url)
        guard rest.hasPrefix("http://") else { throw APIClientError(description: "--api takes http://HOST:PORT, not '\(url.prefix(60))'") }
        rest = rest.dropFirst("http://".count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.contains("/"), !rest.contains("@") else {
            throw APIClientError(description: "--api takes http://HOST:PORT with no path, not '\(url.prefix(60))'")
        }
        do {
            address = try HostResolver.resolve(endpoint: String(rest))
        } catch {
            throw APIClientError(description: "--api \(url.prefix(60)): \(error)")
        }
        hostHeader = String(rest)
        self.token = token
    }

    /// Sends one request and returns the reply's head and body.
    func send(_ method: String, _ path: String, body: [UInt8] = [], accept: String = "application/json") async throws(APIClientError)
        -> (head: HTTPResponseHead, body: [UInt8]) {
        let request = requestBytes(method, path, body: body, accept: accept)
        let result = await Self.offThePool { [self] () -> Result<(HTTPResponseHead, [UInt8]), APIClientError> in
            Result { () throws(APIClientError) in try exchange(request) }
        }
        return try result.get()
    }

    /// Opens the event stream at `path` and hands `each` every event until the server ends
    /// it, `each` returns false, or the task is cancelled (checked each second).
    func stream(_ path: String, each: @escaping @Sendable (ServerSentEvent) -> Bool) async throws(APIClientError) {
        let cancelled = CancelFlag()
        let request = requestBytes("GET", path, body: [], accept: "text/event-stream")
        let result = await withTaskCancellationHandler {
            await Self.offThePool { [self] () -> Result<Void, APIClientError> in
                Result { () throws(APIClientError) in try follow(request, cancelled: cancelled, each: each) }
            }
        } onCancel: {
            cancelled.raise()
        }
        try result.get()
    }

    private func requestBytes(_ method: String, _ path: String, body: [UInt8], accept: String) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(hostHeader)\r\nAccept: \(accept)\r\nUser-Agent: dht-cli\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if method != "GET" { head += "Content-Length: \(body.count)\r\nContent-Type: text/plain; charset=utf-8\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// One request and its whole reply, on the calling thread.
    private func exchange(_ request: [UInt8]) throws(APIClientError) -> (HTTPResponseHead, [UInt8]) {
        let fd = try connected(timeoutSeconds: 30)
        defer { Glibc.close(fd) }
        try write(request, to: fd)
        var received: [UInt8] = []
        var head: HTTPResponseHead?
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got < 0 { throw APIClientError(description: errno == EAGAIN ? "the node took over 30 s to answer" : "read failed (errno \(errno))") }
            if got > 0 { received += buffer[..<got] }
            if head == nil {
                switch HTTPResponseHead.read(received) {
                case .incomplete: if got == 0 { throw APIClientError(description: "the node closed the connection without a reply") }
                case .malformed(let why): throw APIClientError(description: why)
                case .head(let read): head = read
                }
            }
            if let head {
                let bodySoFar = received.count - head.length
                if bodySoFar > Self.maxBody { throw APIClientError(description: "the reply is over \(Self.maxBody) bytes") }
                if let length = head.contentLength, bodySoFar >= length {
                    return (head, Array(received[head.length..<head.length + length]))
                }
                if got == 0 { return (head, Array(received[head.length...])) }
            }
        }
    }

    /// Reads an event stream on the calling thread.
    private func follow(_ request: [UInt8], cancelled: CancelFlag, each: (ServerSentEvent) -> Bool) throws(APIClientError) {
        let fd = try connected(timeoutSeconds: 1)
        defer { Glibc.close(fd) }
        try write(request, to: fd)
        var received: [UInt8] = []
        var parser = ServerSentEventParser()
        var head: HTTPResponseHead?
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while !cancelled.isRaised {
            let got = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if got < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            guard got > 0 else { return }
            if head != nil {
                for event in parser.feed(buffer[..<got]) where !each(event) { return }
                continue
            }
            received += buffer[..<got]
            switch HTTPResponseHead.read(received) {
            case .incomplete: continue
            case .malformed(let why): throw APIClientError(description: why)
            case .head(let read):
                head = read
                guard read.status == 200 else {
                    let body = String(decoding: received[read.length...], as: UTF8.self)
                    throw APIClientError(description: "HTTP \(read.status): \(body.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
                for event in parser.feed(received[read.length...]) where !each(event) { return }
                received = []
            }
        }
    }

    /// A TCP socket connected to the API, reads timing out after `timeoutSeconds`.
    private func connected(timeoutSeconds: Int) throws(APIClientError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw APIClientError(description: "socket failed (errno \(errno))") }
        var limit = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = address.port.bigEndian
        target.sin_addr = in_addr(s_addr: address.ip.bigEndian)
        let status = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            let code = errno
            Glibc.close(fd)
            throw APIClientError(description: "cannot reach the node's API at \(hostHeader): \(String(cString: strerror(code)))")
        }
        return fd
    }

    private func write(_ bytes: [UInt8], to fd: Int32) throws(APIClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw APIClientError(description: "the node's API closed the connection") }
            offset += sent
        }
    }

    /// Runs blocking `work` on a new thread and waits for it without holding a pool thread.
    private static func offThePool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}

/// A flag one thread raises and another polls: a stream's reader stops at the next second.
private final class CancelFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Raises the flag.
    func raise() { raised.store(true, ordering: .relaxed) }

    /// Whether it was raised.
    var isRaised: Bool { raised.load(ordering: .relaxed) }
}
