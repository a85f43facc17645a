import Kademlia

/// What one command answers: the text a person reads, the JSON object a script reads,
/// and an optional warning for stderr. The REPL prints one of the first two.
struct Reply: Sendable, Equatable {
    /// The human reply, lines joined with "\n", no trailing newline.
    var text: String
    /// The `--json` reply: one object, always with `op`; failures carry `error`.
    var json: JSONValue
    /// Lines for stderr, such as `warning: stored only on this node`.
    var warning: String? = nil
    /// How the command failed; nil when it did not.
    var failure: FailureKind? = nil
    /// The `--json` line as another node already wrote it (`dht --api`), printed as it is.
    var rawJSON: String? = nil

    /// Whether the command failed: its text goes to stderr, and a piped run exits 1.
    var isError: Bool { failure != nil }

    /// A failure of `op`: the text as the plain REPL words it, and `error` for scripts.
    static func failure(_ op: String, _ text: String, error: String, extra: [(String, JSONValue)] = [],
                        kind: FailureKind = .unavailable) -> Reply {
        Reply(text: text, json: .object([("op", .string(op))] + extra + [("error", .string(error))]), failure: kind)
    }

    /// Whether the reply says a key was not found (`"found": false`).
    var isNotFound: Bool {
        guard case .object(let members) = json else { return false }
        return members.contains { $0.0 == "found" && $0.1 == .bool(false) }
    }

    /// What Ctrl-C prints for a watch: the way it is meant to end, so no failure.
    static let watchStopped = Reply(text: "Stopped watching", json: .object([("op", "watch"), ("stopped", true)]))

    /// The reply to a command cancelled with Ctrl-C.
    static func cancelled(_ op: String) -> Reply {
        failure(op, "Cancelled", error: "cancelled")
    }
}

/// How a command failed, which the HTTP API turns into a status.
enum FailureKind: Sendable, Equatable {
    /// The command itself is wrong: usage, a bad argument, an item the rules refuse (400).
    case refused
    /// A key or value over its limit (413).
    case tooLarge
    /// The network did not do it: no node answered, nothing stored, the node stopped (503).
    case unavailable

    /// The kind of a put's failure.
    static func of(_ error: PutError) -> FailureKind {
        switch error {
        case .valueTooLarge, .keyTooLarge: .tooLarge
        case .invalidItem: .refused
        case .notStored, .stopped: .unavailable
        }
    }

    /// The kind of a get's failure.
    static func of(_ error: GetError) -> FailureKind {
        if case .keyTooLarge = error { return .tooLarge }
        return .unavailable
    }

    /// The kind of a join's failure: an address that is no address is the caller's mistake.
    static func of(_ error: JoinError) -> FailureKind {
        if case .unresolvable(.malformed) = error { return .refused }
        return .unavailable
    }
}

/// Whether replies are written for people or for programs.
enum ReplyFormat: Sendable, Equatable {
    case text
    /// One JSON object per line (`--json`).
    case json

    /// The line to print for `reply` in this format.
    func render(_ reply: Reply) -> String {
        switch self {
        case .text: reply.text
        case .json: reply.rawJSON ?? reply.json.encoded
        }
    }
}
