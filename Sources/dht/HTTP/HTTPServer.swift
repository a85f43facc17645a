import Foundation
import Glibc
import Kademlia
import Synchronization

/// The HTTP server's shell: a TCP listener and its connections on one thread's `poll`
/// loop. Every decision is `HTTPConnectionState`'s (framing, order, deadlines); this
/// reads, writes, accepts and closes, and runs each request's handler as a task whose
/// reply comes back through a wake-up pipe.
///
/// Bounded: at most `maxConnections` at once (the next is answered 503 and closed), a
/// connection's unread input is bounded by the parser's limits, and its unsent output by
/// the replies of one request at a time, or for a stream by `HTTPBodyStream.maxBacklog`
/// (a reader further behind is cut off).
final class HTTPServer: Sendable {
    /// Connections served at once, at most.
    static let maxConnections = 64
    /// What answers a request.
    typealias Handler = @Sendable (HTTPRequest) async -> HTTPAnswer

    /// The address the listener is bound to (port 0 resolved).
    let address: SocketAddress
    private let listener: Int32
    /// The wake-up pipe: the loop polls `wakeRead`, finished handlers write to `wakeWrite`.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Replies finished by handlers, for the loop to send.
    private let finished = Mutex<[(connection: Int, answer: HTTPAnswer, keepAlive: Bool)]>([])
    private let stopping = Atomic<Bool>(false)

    /// Binds `host:port` (port 0 takes a free one); `serve` then starts answering.
    static func bind(host: String, port: UInt16) throws(SocketError) -> HTTPServer {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard listener >= 0 else { throw SocketError(call: "socket", code: errno) }
        var reuse: Int32 = 1
        _ = setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var kernel = sockaddr_in()
        kernel.sin_family = sa_family_t(AF_INET)
        kernel.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &kernel.sin_addr) == 1 else {
            Glibc.close(listener)
            throw SocketError(call: "inet_pton", code: EINVAL)
        }
        let bound = withUnsafePointer(to: &kernel) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 128) == 0 else {
            let code = errno
            Glibc.close(listener)
            throw SocketError(call: "bind", code: code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &kernel) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            Glibc.close(listener)
            throw SocketError(call: "pipe", code: errno)
        }
        for end in pipeEnds { Self.makeNonBlocking(end) }
        let address = SocketAddress(ip: UInt32(bigEndian: kernel.sin_addr.s_addr), port: UInt16(bigEndian: kernel.sin_port))
        return HTTPServer(address: address, listener: listener, wakeRead: pipeEnds[0], wakeWrite: pipeEnds[1])
    }

    /// Answers requests with `handler` on a thread of its own until `stop`.
    func serve(_ handler: @escaping Handler) {
        let thread = Thread { [self] in run(handler) }
        thread.name = "dht-http"
        thread.start()
    }

    private init(address: SocketAddress, listener: Int32, wakeRead: Int32, wakeWrite: Int32) {
        self.address = address
        self.listener = listener
        self.wakeRead = wakeRead
        self.wakeWrite = wakeWrite
    }

    /// Stops accepting and closes every connection; the loop ends at its next wake-up.
    func stop() {
        stopping.store(true, ordering: .releasing)
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    /// One accepted connection: its decisions, and the bytes waiting to be written.
    private struct Connection {
        var fd: Int32
        var state: HTTPConnectionState
        var outbox: [UInt8] = []
        var closeWhenFlushed = false
        /// The stream the connection carries, once its head is sent.
        var stream: HTTPBodyStream?
        /// Since when unsent bytes have waited without the client taking any.
        var stalledSince: Timestamp?
    }

    /// The loop: accept, read, write, carry out decisions, until stopped.
    private func run(_ handler: @escaping Handler) {
        let clock = SystemClock()
        var connections: [Int: Connection] = [:]
        var nextID = 0
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while !stopping.load(ordering: .acquiring) {
            let ids = Array(connections.keys)
            var polls = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0), pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            polls += ids.map { id in
                let connection = connections[id]
                let wantsWrite = !(connection?.outbox.isEmpty ?? true)
                return pollfd(fd: connection?.fd ?? -1, events: Int16(POLLIN) | (wantsWrite ? Int16(POLLOUT) : 0), revents: 0)
            }
            let now = clock.now()
            let due = connections.values.compactMap(\.state.deadline).min()
            let waitMilliseconds = due.map { max(0, min(1000, Int32(($0.nanoseconds - now.nanoseconds) / 1_000_000) + 1)) } ?? 1000
            _ = poll(&polls, nfds_t(polls.count), waitMilliseconds)
            let after = clock.now()

            if polls[0].revents != 0 { drainWakeups() }
            let replies = finished.withLock { taken -> [(connection: Int, answer: HTTPAnswer, keepAlive: Bool)] in
                defer { taken = [] }
                return taken
            }
            for reply in replies {
                guard var open = connections[reply.connection] else {
                    reply.answer.stream?.closed()
                    continue
                }
                if let stream = reply.answer.stream {
                    carryOut(open.state.repliedWithStream(reply.answer.response, now: after), on: &open, id: reply.connection, handler: handler)
                    open.stream = stream
                    stream.attach { [self] in wake() }
                } else {
                    let actions = open.state.replied(reply.answer.response, keepAlive: reply.keepAlive, now: after)
                    carryOut(actions, on: &open, id: reply.connection, handler: handler)
                }
                connections[reply.connection] = open
            }
            if polls[1].revents & Int16(POLLIN) != 0 {
                acceptAll(into: &connections, nextID: &nextID, now: after)
            }
            for (index, id) in ids.enumerated() {
                guard var connection = connections[id] else { continue }
                let events = polls[index + 2].revents
                if events & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    let got = buffer.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
                    if got > 0 {
                        carryOut(connection.state.received(buffer[..<got], now: after), on: &connection, id: id, handler: handler)
                    } else if got == 0 || (errno != EAGAIN && errno != EINTR) {
                        connection.outbox = []
                        connection.closeWhenFlushed = true
                    }
                }
                if connection.stream != nil { pullStream(into: &connection, now: after) }
                carryOut(connection.state.tick(now: after), on: &connection, id: id, handler: handler)
                flush(&connection, now: after)
                if connection.closeWhenFlushed && connection.outbox.isEmpty {
                    Glibc.close(connection.fd)
                    connection.stream?.closed()
                    connections[id] = nil
                } else {
                    connections[id] = connection
                }
            }
        }
        for connection in connections.values {
            Glibc.close(connection.fd)
            connection.stream?.closed()
        }
        Glibc.close(listener)
    }

    /// Moves what the connection's stream has ready into its outbox. A reader whose unsent
    /// bytes pass the backlog bound (here or in the stream) is cut off: closed at once.
    private func pullStream(into connection: inout Connection, now: Timestamp) {
        guard let stream = connection.stream, !connection.closeWhenFlushed else { return }
        let ready = stream.take()
        if ready.cut || connection.outbox.count + ready.bytes.count > HTTPBodyStream.maxBacklog {
            connection.outbox = []
            connection.closeWhenFlushed = true
            return
        }
        if !ready.bytes.isEmpty {
            connection.outbox += ready.bytes
            connection.state.streamed(now: now)
        }
        if ready.ended { connection.closeWhenFlushed = true }
    }

    /// Does what the connection's state decided: queue bytes, mark it closing, start handlers.
    private func carryOut(_ actions: [HTTPConnectionAction], on connection: inout Connection, id: Int, handler: @escaping Handler) {
        for action in actions {
            switch action {
            case .send(let bytes): connection.outbox += bytes
            case .close: connection.closeWhenFlushed = true
            case .handle(let request):
                Task { [self] in
                    let answer = await handler(request)
                    finished.withLock { $0.append((id, answer, request.keepsAlive)) }
                    wake()
                }
            }
        }
    }

    /// Writes what the kernel takes now; the rest waits for POLLOUT. A reader gone away
    /// (EPIPE) just closes the connection: MSG_NOSIGNAL keeps it from killing the process.
    /// A client that takes nothing for `HTTPConnectionState.sendTimeout` (it never reads its
    /// replies) is closed, so it cannot hold one of the connections for good.
    private func flush(_ connection: inout Connection, now: Timestamp) {
        defer {
            if connection.outbox.isEmpty {
                connection.stalledSince = nil
            } else if let since = connection.stalledSince, now - since >= HTTPConnectionState.sendTimeout {
                connection.outbox = []
                connection.closeWhenFlushed = true
            }
        }
        if !connection.outbox.isEmpty && connection.stalledSince == nil { connection.stalledSince = now }
        while !connection.outbox.isEmpty {
            let sent = connection.outbox.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 {
                connection.outbox.removeFirst(sent)
                connection.stalledSince = now
            } else {
                if sent < 0 && errno != EAGAIN && errno != EINTR {
                    connection.outbox = []
                    connection.closeWhenFlushed = true
                }
                return
            }
        }
    }

    /// Accepts every waiting connection; past the cap each is answered 503 and closed.
    private func acceptAll(into connections: inout [Int: Connection], nextID: inout Int, now: Timestamp) {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            Self.makeNonBlocking(fd)
            guard connections.count < Self.maxConnections else {
                let busy = HTTPResponse.json(503, #"{"error":"too many connections"}"#).encoded(closing: true)
                _ = busy.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                Glibc.close(fd)
                continue
            }
            nextID += 1
            connections[nextID] = Connection(fd: fd, state: HTTPConnectionState(now: now))
        }
    }

    /// Non-blocking and close-on-exec, as `accept4` and `pipe2` would set them (which Glibc's module does not export).
    private static func makeNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    private func drainWakeups() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while bytes.withUnsafeMutableBytes({ Glibc.read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }
}
