/// What the server must do for one connection after bytes arrived or time passed.
public enum HTTPConnectionAction: Equatable, Sendable {
    /// Run this request; its reply comes back through `replied`.
    case handle(HTTPRequest)
    /// Write these bytes (a refusal or a reply), in order with earlier ones.
    case send([UInt8])
    /// Close once what was sent has been written.
    case close
}

/// One connection's life, without I/O: framing, one request at a time so replies keep
/// the order of pipelined requests, and the deadlines that bound a slow or idle client.
///
/// A request's head must arrive within `headerTimeout` of its first byte (or of the
/// connection, for the first), so a client sending a byte a second (slowloris) is closed;
/// a connection with nothing under way closes after `idleTimeout`. A parse error is
/// answered with its status and closes the connection.
public struct HTTPConnectionState: Sendable {
    /// The whole head of a request must arrive within this.
    public static let headerTimeout: Duration = .seconds(10)
    /// A connection with no request under way closes after this.
    public static let idleTimeout: Duration = .seconds(30)
    /// A client that takes none of what is sent to it for this long is closed (the shell's
    /// writes decide it: only they see the socket's buffer).
    public static let sendTimeout: Duration = .seconds(30)
    /// A stream with nothing to say sends a comment this often, so it is not mistaken for dead.
    public static let heartbeatInterval: Duration = .seconds(15)

    private var parser: HTTPRequestParser
    /// Whether a request is being handled; the next waits, so replies keep request order.
    public private(set) var isHandling = false
    /// Whether the connection closes after the reply under way.
    public private(set) var isClosing = false
    /// When the head under way must be complete; nil when no request has started.
    private var headDeadline: Timestamp?
    /// When the connection last finished something, for the idle timeout.
    private var idleSince: Timestamp
    /// Whether the request being handled is a HEAD, whose reply has no body.
    private var handlingHEAD = false
    /// When a stream last sent anything; nil unless the connection carries a stream, which
    /// it then does until it closes (the stream's body runs to the end of the connection).
    private var streamedAt: Timestamp?

    /// Whether the connection carries an event stream.
    public var isStreaming: Bool { streamedAt != nil }

    /// A connection accepted at `now`: its first request's head is due within `headerTimeout`.
    public init(now: Timestamp, limits: HTTPLimits = HTTPLimits()) {
        parser = HTTPRequestParser(limits: limits)
        idleSince = now
        headDeadline = now + Self.headerTimeout
    }

    /// The next instant something is due: the head's deadline, or the idle timeout.
    public var deadline: Timestamp? {
        // While a request is handled nothing is due: a slow lookup is the server's time, not the client's.
        if isClosing || isHandling { return nil }
        if let streamedAt { return streamedAt + Self.heartbeatInterval }
        return headDeadline ?? idleSince + Self.idleTimeout
    }

    /// Bytes arrived at `now`.
    public mutating func received(_ bytes: some Sequence<UInt8>, now: Timestamp) -> [HTTPConnectionAction] {
        // A stream reader has nothing more to ask: what it sends is dropped unbuffered.
        guard !isClosing, !isStreaming else { return [] }
        parser.append(bytes)
        if headDeadline == nil && !isHandling && parser.bufferedCount > 0 { headDeadline = now + Self.headerTimeout }
        return nextRequest(now: now)
    }

    /// The reply to the request being handled is ready: send it, then go on with the next.
    public mutating func replied(_ response: HTTPResponse, keepAlive: Bool, now: Timestamp) -> [HTTPConnectionAction] {
        guard isHandling else { return [] }
        isHandling = false
        idleSince = now
        let closing = !keepAlive
        var actions: [HTTPConnectionAction] = [.send(response.encoded(forHEAD: handlingHEAD, closing: closing))]
        if closing {
            isClosing = true
            return actions + [.close]
        }
        if parser.bufferedCount > 0 && headDeadline == nil { headDeadline = now + Self.headerTimeout }
        actions += nextRequest(now: now)
        return actions
    }

    /// The request being handled is answered with a stream: send its head; from now on the
    /// connection carries the stream's events (`streamed`) and a heartbeat when they pause,
    /// and reads no more requests.
    public mutating func repliedWithStream(_ head: HTTPResponse, now: Timestamp) -> [HTTPConnectionAction] {
        guard isHandling else { return [] }
        isHandling = false
        streamedAt = now
        return [.send(head.encodedStreamHead())]
    }

    /// The shell wrote some of the stream at `now`, which puts the next heartbeat off.
    public mutating func streamed(now: Timestamp) {
        if isStreaming { streamedAt = now }
    }

    /// Time passed: a head that is late, or an idle connection, is closed (a late head with
    /// a 408); a quiet stream is sent a heartbeat.
    public mutating func tick(now: Timestamp) -> [HTTPConnectionAction] {
        guard !isClosing, let deadline, now >= deadline else { return [] }
        if isStreaming {
            streamedAt = now
            return [.send(ServerSentEvent.heartbeat)]
        }
        isClosing = true
        if headDeadline != nil && parser.bufferedCount > 0 {
            return [.send(HTTPResponse.json(408, #"{"error":"the request head took too long"}"#).encoded(closing: true)), .close]
        }
        return [.close]
    }

    /// Takes the next whole request if none is being handled.
    private mutating func nextRequest(now: Timestamp) -> [HTTPConnectionAction] {
        guard !isHandling, let outcome = parser.next() else { return [] }
        switch outcome {
        case .success(let request):
            isHandling = true
            handlingHEAD = request.method == "HEAD"
            headDeadline = nil
            return [.handle(request)]
        case .failure(let error):
            isClosing = true
            let body = #"{"error":"\#(Self.reason(of: error))"}"#
            return [.send(HTTPResponse.json(error.status, body).encoded(closing: true)), .close]
        }
    }

    /// The words a refusal's body gives, JSON-safe (the parser's reasons are plain ASCII without quotes).
    private static func reason(of error: HTTPParseError) -> String {
        switch error {
        case .badRequest(let why): "bad request: \(why)"
        case .uriTooLong: "the request line is too long"
        case .headersTooLarge: "the headers are too large"
        case .bodyTooLarge: "the body is too large"
        case .lengthRequired: "send the body with a Content-Length"
        case .notImplemented: "that transfer coding is not supported"
        case .versionNotSupported: "only HTTP/1.0 and HTTP/1.1 are spoken"
        }
    }
}
