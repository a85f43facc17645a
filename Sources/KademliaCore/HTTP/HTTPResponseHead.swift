/// The head of an HTTP/1.1 reply, as a client (`dht --api`) reads it: pure, so what a
/// server may send back is tested without a socket.
public struct HTTPResponseHead: Sendable, Equatable {
    /// The status code.
    public var status: Int
    /// The header fields, names lowercased.
    public var headers: HTTPHeaders
    /// The bytes the head took, its blank line included: the body starts there.
    public var length: Int

    /// What the start of a reply holds so far.
    public enum Reading: Sendable, Equatable {
        /// The blank line that ends the head has not arrived yet.
        case incomplete
        case head(HTTPResponseHead)
        /// Not an HTTP/1.x reply, or a head over `limit`; carries why.
        case malformed(String)
    }

    /// Reads the head at the start of `bytes`; `limit` bounds how much a head may take.
    public static func read(_ bytes: [UInt8], limit: Int = 16 * 1024) -> Reading {
        guard let end = Self.endOfHead(in: bytes) else {
            return bytes.count > limit ? .malformed("the reply's head is over \(limit) bytes") : .incomplete
        }
        guard end <= limit else { return .malformed("the reply's head is over \(limit) bytes") }
        let lines = String(decoding: bytes[..<(end - 4)], as: UTF8.self).split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusLine = lines.first ?? ""
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0] == "HTTP/1.1" || parts[0] == "HTTP/1.0", parts[1].utf8.count == 3,
              let status = Int(parts[1]), (100...599).contains(status) else {
            return .malformed("not an HTTP reply: '\(statusLine.prefix(40))'")
        }
        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return .malformed("a header line without a colon") }
            headers.add(String(line[..<colon]), String(line[line.index(after: colon)...].trimmingBlanks()))
        }
        return .head(HTTPResponseHead(status: status, headers: headers, length: end))
    }

    /// The length of the body `Content-Length` gives; nil when absent (the body runs to the
    /// end of the connection) or not plain digits.
    public var contentLength: Int? {
        guard let text = headers["content-length"], !text.isEmpty, text.utf8.count <= 18,
              text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    /// Where the CR LF CR LF that ends the head ends, if it has arrived.
    private static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index] == 0x0A && bytes[index - 1] == 0x0D && bytes[index - 2] == 0x0A
            && bytes[index - 3] == 0x0D {
            return index + 1
        }
        return nil
    }
}

/// Reads a `text/event-stream` body as it arrives, event by event (WHATWG HTML § 9.2.6):
/// `data:` lines joined by newlines, `event:` and `id:` kept, comments and unknown fields
/// ignored, a blank line dispatching. Bounded: a line or an event over `limit` bytes is
/// dropped, so a server cannot grow the reader's memory.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var type = ""
    private var data: [String] = []
    private var dataBytes = 0
    private var id: UInt64?
    private let limit: Int

    /// A parser that drops any line or event over `limit` bytes.
    public init(limit: Int = 64 * 1024) {
        self.limit = limit
    }

    /// The events `bytes` completes, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if byte == 0x0A {
                if line.last == 0x0D { line.removeLast() }
                if let event = take(line) { events.append(event) }
                line.removeAll(keepingCapacity: true)
            } else if line.count < limit {
                line.append(byte)
            }
        }
        return events
    }

    /// Handles one line; returns the event a blank line dispatches.
    private mutating func take(_ line: [UInt8]) -> ServerSentEvent? {
        if line.isEmpty {
            defer { type = ""; data = []; dataBytes = 0; id = nil }
            guard !data.isEmpty else { return nil }
            return ServerSentEvent(id: id, type: type.isEmpty ? "message" : type, data: data.joined(separator: "\n"))
        }
        if line.first == UInt8(ascii: ":") { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let name = String(decoding: line[..<colon], as: UTF8.self)
        var value = line[colon...].dropFirst()
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        let text = String(decoding: value, as: UTF8.self)
        switch name {
        case "event": type = text
        case "id": id = UInt64(text)
        case "data" where dataBytes + value.count <= limit:
            data.append(text)
            dataBytes += value.count + 1
        default: break
        }
        return nil
    }
}
