/// One HTTP/1.1 request as the parser read it: nothing decoded beyond the framing.
public struct HTTPRequest: Sendable, Equatable {
    /// The method as sent (methods are case-sensitive): `GET`, `PUT`, ...
    public var method: String
    /// The request target as sent, in origin form: the path and, after `?`, the query.
    public var target: String
    /// `HTTP/1.0` or `HTTP/1.1`.
    public var version: HTTPVersion
    /// The header fields in order, names lowercased.
    public var headers: HTTPHeaders
    /// The body: as many bytes as `Content-Length` said (none without one).
    public var body: [UInt8]

    /// A request; tests and the server build replies from these.
    public init(method: String, target: String, version: HTTPVersion = .http11, headers: HTTPHeaders = HTTPHeaders(),
                body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The path part of the target, before any `?`, still percent-encoded.
    public var rawPath: Substring { target.prefix { $0 != "?" } }

    /// The query part of the target after `?`, still percent-encoded; empty without one.
    public var rawQuery: Substring {
        guard let mark = target.firstIndex(of: "?") else { return "" }
        return target[target.index(after: mark)...]
    }

    /// Whether the connection stays open after the reply: HTTP/1.1 unless `Connection:
    /// close`, HTTP/1.0 only with `Connection: keep-alive`.
    public var keepsAlive: Bool {
        let options = headers.values("connection").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingBlanks().lowercased() }
        switch version {
        case .http11: return !options.contains("close")
        case .http10: return options.contains("keep-alive")
        }
    }
}

/// The protocol versions the server speaks.
public enum HTTPVersion: String, Sendable, Equatable {
    case http10 = "HTTP/1.0"
    case http11 = "HTTP/1.1"
}

/// Header fields in the order they came, names lowercased (field names are case-insensitive).
public struct HTTPHeaders: Sendable, Equatable {
    /// Every field, in order.
    public private(set) var fields: [(name: String, value: String)] = []

    /// No fields.
    public init() {}

    /// These fields, names lowercased.
    public init(_ fields: [(String, String)]) {
        for (name, value) in fields { add(name, value) }
    }

    /// Appends a field.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name.lowercased(), value))
    }

    /// The first value of the field `name` (any case); nil when absent.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name == wanted }?.value
    }

    /// Every value of the field `name`, in order.
    public func values(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name == wanted }.map(\.value)
    }

    public static func == (lhs: HTTPHeaders, rhs: HTTPHeaders) -> Bool {
        lhs.fields.count == rhs.fields.count && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
    package func trimmingBlanks() -> Substring {
        let text = self[...]
        let start = text.firstIndex { $0 != " " && $0 != "\t" } ?? text.endIndex
        let end = text.lastIndex { $0 != " " && $0 != "\t" }.map { text.index(after: $0) } ?? start
        return Substring(text[start..<Swift.max(start, end)])
    }
}
