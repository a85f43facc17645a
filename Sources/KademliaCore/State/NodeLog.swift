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

    public init(level: LogLevel, event: LogEvent, node: String, message: String) {
        self.level = level
        self.event = event
        self.node = node
        self.message = message
    }
}

/// Where a node writes its log records.
public typealias LogSink = @Sendable (LogRecord) -> Void
