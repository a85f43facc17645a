/// Why a request cannot be served; every one closes the connection, since what follows
/// the bad bytes cannot be framed.
public enum HTTPParseError: Error, Equatable, Sendable {
    /// Malformed: a bad request line, header or framing (400). Carries why, for the reply.
    case badRequest(String)
    /// The request line is longer than `HTTPLimits.maxRequestLine` (414).
    case uriTooLong
    /// The header section is over `HTTPLimits.maxHeaderBytes` or `maxHeaderFields` (431).
    case headersTooLarge
    /// `Content-Length` is over `HTTPLimits.maxBody` (413), decided before reading the body.
    case bodyTooLarge
    /// A chunked body: this server takes `Content-Length` bodies only (411).
    case lengthRequired
    /// A transfer coding other than chunked (501).
    case notImplemented
    /// An HTTP version other than 1.0 and 1.1 (505).
    case versionNotSupported

    /// The status code of the reply.
    public var status: Int {
        switch self {
        case .badRequest: 400
        case .uriTooLong: 414
        case .headersTooLarge: 431
        case .bodyTooLarge: 413
        case .lengthRequired: 411
        case .notImplemented: 501
        case .versionNotSupported: 505
        }
    }
}

/// The most a request may take, so a connection's memory is bounded whatever arrives.
public struct HTTPLimits: Sendable, Equatable {
    /// Bytes of the request line, CRLF excluded.
    public var maxRequestLine = 8 * 1024
    /// Bytes of the header fields after the request line, line ends included.
    public var maxHeaderBytes = 16 * 1024
    /// Header fields.
    public var maxHeaderFields = 100
    /// Bytes of a body.
    public var maxBody = 16 * 1024

    /// The defaults above.
    public init() {}
}

/// HTTP/1.1 requests from a connection's bytes: pure, incremental, strict.
///
/// Feed bytes as they arrive with `append`, then call `next()` until it returns nil (it
/// needs more bytes); pipelined requests come out one by one, in order. After an error
/// the parser stays failed: the connection must be answered and closed.
///
/// As strict as the KRPC decoder, since a lenient parser is how requests get smuggled:
/// CRLF line ends only; a bare CR, a NUL or another control character in the head, a
/// folded header, a blank before a header's colon, a `Content-Length` that is not plain
/// digits or comes twice, or one beside a `Transfer-Encoding`, are all refused. Bodies
/// are `Content-Length` only; a chunked one gets 411 so the client resends it with a length.
public struct HTTPRequestParser: Sendable {
    /// The limits this parser enforces.
    public let limits: HTTPLimits
    /// Bytes received and not yet parsed into a request.
    private var buffer: [UInt8] = []
    /// Where the unparsed bytes start in `buffer`.
    private var start = 0
    /// The error the parser failed with; it stays failed.
    public private(set) var failure: HTTPParseError?

    /// A parser with `limits`.
    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
    }

    /// Bytes waiting to be parsed, which the server bounds by the limits.
    public var bufferedCount: Int { buffer.count - start }

    /// Adds bytes read from the connection.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole request, an error, or nil when more bytes are needed.
    public mutating func next() -> Result<HTTPRequest, HTTPParseError>? {
        if let failure { return .failure(failure) }
        do {
            guard let (request, length) = try parse(buffer[start...]) else { return nil }
            start += length
            return .success(request)
        } catch {
            failure = error
            return .failure(error)
        }
    }

    /// One request from the front of `bytes` and the bytes it took; nil when incomplete.
    private func parse(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> (HTTPRequest, Int)? {
        // Leading empty lines before a request line are allowed (RFC 9112 §2.2).
        var cursor = bytes.startIndex
        while bytes[cursor...].starts(with: [13, 10]) {
            cursor += 2
            // Counted against the request line, so a stream of empty lines cannot grow the buffer.
            guard cursor - bytes.startIndex <= limits.maxRequestLine else { throw .badRequest("only empty lines") }
        }
        guard let lineEnd = try findLineEnd(in: bytes[cursor...], limit: limits.maxRequestLine, tooLong: .uriTooLong) else { return nil }
        var request = try Self.requestLine(bytes[cursor..<lineEnd])
        cursor = lineEnd + 2
        let headerStart = cursor
        while true {
            let used = cursor - headerStart
            guard let end = try findLineEnd(in: bytes[cursor...], limit: limits.maxHeaderBytes - used, tooLong: .headersTooLarge) else {
                return nil
            }
            let line = bytes[cursor..<end]
            cursor = end + 2
            if line.isEmpty { break }
            guard request.headers.fields.count < limits.maxHeaderFields else { throw .headersTooLarge }
            let (name, value) = try Self.headerField(line)
            request.headers.add(name, value)
        }
        if request.version == .http11 && request.headers.values("host").count != 1 {
            throw .badRequest(request.headers["host"] == nil ? "no Host header" : "more than one Host header")
        }
        let length = try bodyLength(of: request)
        guard bytes.endIndex - cursor >= length else { return nil }
        request.body = Array(bytes[cursor..<cursor + length])
        return (request, cursor + length - bytes.startIndex)
    }

    /// The index of the CR of the first CRLF in `bytes`; nil when none came yet and the
    /// line is still within `limit`. A lone CR, a bare LF or a NUL is an error.
    private func findLineEnd(in bytes: ArraySlice<UInt8>, limit: Int, tooLong: HTTPParseError) throws(HTTPParseError) -> Int? {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            switch bytes[index] {
            case 13:
                guard index + 1 < bytes.endIndex else { return nil }
                guard bytes[index + 1] == 10 else { throw .badRequest("a CR not followed by LF") }
                guard index - bytes.startIndex <= limit else { throw tooLong }
                return index
            case 10: throw .badRequest("a line ended by LF alone")
            case 0: throw .badRequest("a NUL byte in the request head")
            default: index += 1
            }
            if index - bytes.startIndex > limit { throw tooLong }
        }
        return nil
    }

    /// `METHOD SP target SP HTTP/1.x`, with exactly one space between the three.
    private static func requestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        let parts = line.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte) else {
            throw .badRequest("the request line is not METHOD TARGET VERSION")
        }
        let target = parts[1]
        guard target.first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            throw .badRequest("the target must be a path starting with /")
        }
        let versionText = String(decoding: parts[2], as: UTF8.self)
        guard let version = HTTPVersion(rawValue: versionText) else {
            let looksLikeHTTP = versionText.hasPrefix("HTTP/") && versionText.count == 8
            throw looksLikeHTTP ? .versionNotSupported : .badRequest("no HTTP version")
        }
        return HTTPRequest(method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: target, as: UTF8.self),
                           version: version)
    }

    /// `name: value`: a token, a colon right after it, the value without its surrounding blanks.
    private static func headerField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (String, String) {
        guard let first = line.first, first != 32, first != 9 else { throw .badRequest("a folded header line") }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
              line[..<colon].allSatisfy(isTokenByte) else {
            throw .badRequest("a header line is not NAME: VALUE")
        }
        let value = line[(colon + 1)...]
        // Visible characters, blanks and obs-text only: no control characters in a value.
        guard value.allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else { throw .badRequest("a control character in a header value") }
        return (String(decoding: line[..<colon], as: UTF8.self), String(String(decoding: value, as: UTF8.self).trimmingBlanks()))
    }

    /// The body's length from the framing headers, refusing anything ambiguous.
    private func bodyLength(of request: HTTPRequest) throws(HTTPParseError) -> Int {
        let lengths = request.headers.values("content-length")
        let codings = request.headers.values("transfer-encoding")
        if !codings.isEmpty {
            if !lengths.isEmpty { throw .badRequest("both Content-Length and Transfer-Encoding") }
            let chunked = codings.flatMap { $0.split(separator: ",") }.map { $0.trimmingBlanks().lowercased() } == ["chunked"]
            throw chunked ? .lengthRequired : .notImplemented
        }
        guard let text = lengths.first else { return 0 }
        guard lengths.count == 1 else { throw .badRequest("more than one Content-Length") }
        guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let length = Int(text) else {
            throw .badRequest("a Content-Length that is not a plain number")
        }
        guard length <= limits.maxBody else { throw .bodyTooLarge }
        return length
    }

    /// A byte of an HTTP token (method, field name): RFC 9110's tchar.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
