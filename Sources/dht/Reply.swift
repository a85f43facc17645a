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
    /// Whether the command failed: its text goes to stderr, and a piped run exits 1.
    var isError = false

    /// A failure of `op`: the text as the plain REPL words it, and `error` for scripts.
    static func failure(_ op: String, _ text: String, error: String, extra: [(String, JSONValue)] = []) -> Reply {
        Reply(text: text, json: .object([("op", .string(op))] + extra + [("error", .string(error))]), isError: true)
    }

    /// What Ctrl-C prints for a watch: the way it is meant to end, so no failure.
    static let watchStopped = Reply(text: "Stopped watching", json: .object([("op", "watch"), ("stopped", true)]))

    /// The reply to a command cancelled with Ctrl-C.
    static func cancelled(_ op: String) -> Reply {
        failure(op, "Cancelled", error: "cancelled")
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
        case .json: reply.json.encoded
        }
    }
}
