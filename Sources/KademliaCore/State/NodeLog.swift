/// How much a log line matters.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case debug, info, warning, error

    /// Parses `debug`, `info`, `warning` or `error`.
    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = level
    }

    /// The lowercase name, as options and log lines spell it.
    public var name: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What a log line is about, so a reader or a log shipper can filter by it.
public enum LogEvent: String, Sendable, CaseIterable {
    /// A query this node sent and how it ended.
    case rpc
    /// A query this node answered.
    case query
    /// A datagram dropped unread.
    case datagram
    /// Replication, republishing, expiry, refresh, pings and rejoins.
    case maintenance
    /// A user's put, get or delete.
    case data
    /// Joining and leaving the network.
    case membership
}

/// One log line from a node, before formatting.
public struct LogRecord: Sendable, Equatable {
    /// How much it matters.
    public var level: LogLevel
    /// What it is about.
    public var event: LogEvent
    /// The first 8 hex digits of the logging node's id.
    public var node: String
    /// The line itself: plain text, no type dumps.
    public var message: String
    /// The facts in the message as named values (peer, key, counts), for JSON log lines.
    public var fields: [LogField]

    /// A record; `fields` repeat the message's facts for a machine.
    public init(level: LogLevel, event: LogEvent, node: String, message: String, fields: [LogField] = []) {
        self.level = level
        self.event = event
        self.node = node
        self.message = message
        self.fields = fields
    }
}

/// One named fact of a log record: `peer`, `key`, `nodes`, `queries`.
public struct LogField: Sendable, Equatable {
    /// The field's name, in snake case.
    public var name: String
    /// The value: text or a count.
    public var value: Value

    /// A field's value.
    public enum Value: Sendable, Equatable {
        case text(String)
        case count(Int)
    }

    /// A text field.
    public static func text(_ name: String, _ text: String) -> LogField { LogField(name: name, value: .text(text)) }

    /// A count field.
    public static func count(_ name: String, _ count: Int) -> LogField { LogField(name: name, value: .count(count)) }
}

/// Where a node writes its log records.
public typealias LogSink = @Sendable (LogRecord) -> Void
