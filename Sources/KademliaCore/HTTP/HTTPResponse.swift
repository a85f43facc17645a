/// One HTTP/1.1 reply, before encoding.
public struct HTTPResponse: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// Header fields beyond the ones `encoded` always writes.
    public var headers: HTTPHeaders
    /// The body.
    public var body: [UInt8]

    /// A reply with `status`, `headers` and `body`.
    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON reply: `body` is one JSON text.
    public static func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array((body + "\n").utf8))
    }

    /// The bytes on the wire. Every reply says its length (so keep-alive works), is never
    /// cached, is never sniffed into another type, and carries no CORS header: a page on
    /// another origin may not read it. A reply to HEAD has the headers of the GET and no
    /// body; `closing` adds `Connection: close`.
    public func encoded(forHEAD: Bool = false, closing: Bool = false) -> [UInt8] {
        var head = statusLineAndFields
        head += "Content-Length: \(body.count)\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
        if closing { head += "Connection: close\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (forHEAD ? [] : body)
    }

    /// The head of a reply whose body is a stream (Server-Sent Events): no length, so the
    /// body runs until the connection closes, which `Connection: close` says up front.
    public func encodedStreamHead() -> [UInt8] {
        var head = statusLineAndFields
        head += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
        return Array(head.utf8)
    }

    /// The status line and the caller's fields. No CORS header ever leaves, whoever set
    /// it: a page on another origin must not read the API.
    private var statusLineAndFields: String {
        var head = "HTTP/1.1 \(status) \(Self.reason(for: status))\r\n"
        for field in headers.fields where !Self.writtenHere.contains(field.name) && !field.name.hasPrefix("access-control-") {
            head += "\(Self.displayName(field.name)): \(field.value)\r\n"
        }
        return head
    }

    /// The fields `encoded` writes itself, which a caller's copy must not repeat.
    private static let writtenHere: Set<String> = ["content-length", "connection", "cache-control", "x-content-type-options",
                                                   "transfer-encoding"]

    /// `content-type` as `Content-Type`.
    private static func displayName(_ name: String) -> String {
        name.split(separator: "-", omittingEmptySubsequences: false)
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
    }

    /// The reason phrase of the statuses this server sends.
    public static func reason(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}
