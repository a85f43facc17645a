import Kademlia

/// The exact text the program shows; pure, so tests can compare it line by line.
///
/// Strings returned here carry no trailing newline; multi-line ones join their
/// lines with "\n". Only the REPL and `App` print them.
enum Output {
    /// The program's version, shown by `--version`.
    static let version = "0.1.0"

    /// The reply to `--version`.
    static var versionLine: String { "dht \(version)" }

    /// The banner's last line at an interactive prompt.
    static let replHint = "Type 'help' for the commands; 'quit' or Ctrl-D leaves."

    /// Stderr line when started with `&` from an interactive shell.
    static let startedInTheBackground = "dht: started in the background, so no prompt: running as with --no-repl "
        + "(stop it with SIGTERM, e.g. kill %1; give --no-repl to skip this note)"

    /// The hint after Ctrl-C at an empty prompt, where a person may be trying to leave.
    static let interruptHint = "(to leave, type quit or press Ctrl-D)"

    /// The line printed when the REPL ends.
    static let goodbye = "Goodbye!"

    /// The reply to a successful put.
    static func stored(key: String, nodes: Int) -> String {
        "Stored key '\(key)' at \(nodes) nodes"
    }

    /// The reply to a failed put.
    static func putFailed(key: String, error: PutError) -> String {
        switch error {
        case .valueTooLarge(let size, let limit): valueTooLarge(size: size, limit: limit)
        case .keyTooLarge(let size, let limit): keyTooLarge(size: size, limit: limit)
        case .notStored, .stopped, .invalidItem: "Could not store key '\(key)': \(error)"
        }
    }

    /// The reply to a key over the limit; the REPL checks before sending anything.
    static func keyTooLarge(size: Int, limit: Int) -> String {
        "Key too large: \(size) bytes (limit \(limit))"
    }

    /// Stderr warning after a write that only this node took although others are known.
    static let storedOnlyHere = "warning: stored only on this node"

    /// The warning after a write only this node took, saying why that matters.
    static func storedOnlyHere(contactsKnown: Int) -> String {
        contactsKnown > 0
            ? storedOnlyHere + ": none of the \(OutputViews.count(contactsKnown, "other node")) known took it"
            : storedOnlyHere + ": no other node answered (is the bootstrap node running?)"
    }

    /// The note after a put whose `--ttl` is longer than a copy lives on any node.
    static func ttlBeyondLifetime(ttl: Duration, lifetime: Duration) -> String {
        "note: a copy lives at most \(DurationText.format(lifetime)) on a node; this node republishes it until its "
            + "\(DurationText.format(ttl)) are up, so it lives that long only while this node runs"
    }

    /// The warning when this node, among the K closest, could not journal a write.
    static func notKeptHere(_ reason: String) -> String {
        "warning: not kept on this node (held in memory only, not counted): \(reason)"
    }

    /// The reply to a put whose value is over the limit; the REPL checks before calling put.
    static func valueTooLarge(size: Int, limit: Int) -> String {
        "Value too large: \(size) bytes (limit \(limit))"
    }

    /// The reply to a delete that at least one node took.
    static func deleted(key: String, nodes: Int) -> String {
        "Deleted key '\(key)' at \(nodes) nodes"
    }

    /// The reply to a delete of a key no node held: the tombstone is written all the same,
    /// so a copy the lookup could not see (a node offline just now) cannot come back.
    static func deletedNothing(key: String, nodes: Int) -> String {
        "Key '\(key)' was not found; its tombstone is at \(OutputViews.count(nodes, "node")) all the same, so no unseen copy comes back"
    }

    /// The reply to a failed delete.
    static func deleteFailed(key: String, error: PutError) -> String {
        switch error {
        case .valueTooLarge(let size, let limit): valueTooLarge(size: size, limit: limit)
        case .keyTooLarge(let size, let limit): keyTooLarge(size: size, limit: limit)
        case .notStored, .stopped, .invalidItem: "Could not delete key '\(key)': \(error)"
        }
    }

    /// The reply to a get or where that could not tell whether the key exists.
    static func lookupFailed(op: String, key: String, error: GetError) -> String {
        switch error {
        case .keyTooLarge(let size, let limit): keyTooLarge(size: size, limit: limit)
        case .noNodeAnswered, .stopped: "Could not \(op == "get" ? "get" : "locate") key '\(key)': \(error)"
        }
    }

    /// The reply to a join whose node answered; `endpoint` is as the user typed it.
    static func joined(endpoint: String, nodes: Int) -> String {
        "Joined through \(endpoint): \(OutputViews.count(nodes, "node")) known"
    }

    /// The reply to a join whose node did not answer.
    static func joinUnanswered(endpoint: String) -> String {
        "Could not join through \(endpoint): no answer"
    }

    /// The reply to a failed join through `endpoint`.
    static func joinFailed(endpoint: String, error: JoinError) -> String {
        switch error {
        case .unresolvable(let resolveError): joinResolveFailed(resolveError)
        case .noAnswer: joinUnanswered(endpoint: endpoint)
        case .noBootstrapNodes: "Could not join through \(endpoint): that is this node"
        case .stopped: joinFailed("the node is stopped")
        }
    }

    /// The reply to a join whose endpoint is malformed or whose host cannot be resolved.
    static func joinFailed(_ reason: String) -> String {
        "Could not join: \(reason)"
    }

    /// Why a join endpoint cannot be resolved, worded as for bootstrap nodes but for the REPL.
    static func joinResolveFailed(_ error: ResolveError) -> String {
        switch error {
        case .malformed(let endpoint): joinFailed("node '\(endpoint)' is not host:port")
        case .unresolvable(let host, let reason): joinFailed("cannot resolve host '\(host)': \(reason)")
        }
    }

    /// The reply to an option whose duration is missing or cannot be used.
    static func invalidDuration(option: String, text: String, problem: DurationProblem) -> String {
        if problem == .empty { return "Option \(option) needs a duration: \(DurationText.expected)" }
        return "Invalid duration '\(text)' for \(option): \(problem.explanation)"
    }

    /// The reply to an option the command does not take.
    static func unknownOption(command: String, option: String) -> String {
        "Unknown option '\(option)' for \(command); \(command) takes only --ttl DURATION"
    }

    /// The reply to get; values are shown as UTF-8, invalid bytes replaced.
    static func getResult(key: String, value: [UInt8]?) -> String {
        guard let value else { return "Key '\(key)' not found" }
        return "Value: \(String(decoding: value, as: UTF8.self))"
    }

    /// The reply to status, from the node's snapshot.
    static func status(_ status: NodeStatus) -> String {
        self.status(
            id: status.id.hex, address: status.address.description,
            buckets: status.buckets.map { (index: $0.index, count: $0.count) },
            totalNodes: status.totalNodes, storedKeys: status.storedKeys,
            expiringWithinHour: status.expiringWithinHour, tombstones: status.tombstones, items: status.items,
            data: status.storage.map(dataLine), upkeep: upkeepLines(status.upkeep))
    }

    /// How many destinations the status block lists by name.
    static let upkeepDestinationsShown = 3

    /// `Upkeep: 1200 queries waiting, 8 in flight; 3400 values handed off; ...` and a line for
    /// each of the busiest destinations; nothing while upkeep and limits have had nothing to do.
    static func upkeepLines(_ upkeep: UpkeepStatus) -> [String] {
        guard !upkeep.isQuiet else { return [] }
        let backlog = upkeep.backlog
        var parts = ["\(backlog.waiting) queries waiting, \(backlog.inFlight) in flight",
                     "\(upkeep.valuesHandedOff) values handed off"]
        if upkeep.busyAnswersReceived + upkeep.busyAnswersSent > 0 {
            parts.append("busy answers \(upkeep.busyAnswersReceived) received, \(upkeep.busyAnswersSent) sent")
        }
        if upkeep.queriesRefused > 0 { parts.append("\(upkeep.queriesRefused) queries refused by limits") }
        if upkeep.storesRefused > 0 { parts.append("\(upkeep.storesRefused) stores refused by quotas") }
        if upkeep.upkeepAbandoned > 0 { parts.append("\(upkeep.upkeepAbandoned) dropped for silent nodes") }
        return ["Upkeep: " + parts.joined(separator: "; ")] + backlog.destinations.prefix(upkeepDestinationsShown).map {
            "Upkeep to \($0.address): \($0.waiting) waiting, \($0.inFlight) in flight, window \($0.window)"
        }
    }

    /// The status block from plain values, so tests need no library initialisers. `data`
    /// (where the state is kept) is shown only for a node with a data directory, so the
    /// block of a node in memory is as it always was.
    static func status(id: String, address: String, buckets: [(index: Int, count: Int)], totalNodes: Int, storedKeys: Int,
                       expiringWithinHour: Int = 0, tombstones: Int = 0, items: Int = 0, data: String? = nil,
                       upkeep: [String] = []) -> String {
        var lines = ["=== Node Status ===", "Node ID: \(id)", "Address: \(address)"]
        lines += buckets.map { "Bucket \($0.index): \($0.count) nodes" }
        lines += ["Total known nodes: \(totalNodes)", "Stored keys: \(storedKeys)"]
        lines += ["Values expiring within 1 h: \(expiringWithinHour)", "Tombstones: \(tombstones)"]
        // Only for a node that holds some, so the block of one that does not is as it was.
        lines += items > 0 ? ["BEP 44 items: \(items)"] : []
        lines += data.map { ["Data: \($0)"] } ?? []
        lines += upkeep
        lines += ["=================="]
        return lines.joined(separator: "\n")
    }

    /// `<dir> (journal 1.5 MiB, fsync always)`, and the reason while writes fail.
    static func dataLine(_ storage: StorageStatus) -> String {
        let failing = storage.failure.map { "; writes failing: \($0)" } ?? ""
        return "\(storage.directory) (journal \(byteCount(storage.journalBytes)), fsync \(storage.fsync.rawValue)\(failing))"
    }

    /// Bytes in B, KiB, MiB or GiB with one decimal past bytes.
    static func byteCount(_ bytes: Int) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        for unit in ["KiB", "MiB"] {
            if value < 1024 { return "\((value * 10).rounded() / 10) \(unit)" }
            value /= 1024
        }
        return "\((value * 10).rounded() / 10) GiB"
    }

    /// The reply to a line whose first word is no command.
    static func unknownCommand(_ word: String) -> String {
        "Unknown command: \(word)\nType 'help' for the list of commands."
    }

    /// The reply to a command with missing or extra arguments.
    static func usage(command: String) -> String {
        switch command {
        case "put": "Usage: put <key> <value>"
        case "get": "Usage: get <key>"
        case "delete": "Usage: delete <key>"
        case "where": "Usage: where <key>"
        case "watch": "Usage: watch <key>"
        case "join": "Usage: join <host:port>"
        case "crawl": "Usage: crawl [max-nodes]: at most 10000 nodes"
        case "announce": "Usage: announce <infohash> [port]"
        case "peers": "Usage: peers [<infohash>]"
        case "item-put": "Usage: item-put <text>"
        case "item-get": "Usage: item-get <hash>"
        case "mutable-put": "Usage: mutable-put [--salt SALT] <text>"
        case "mutable-get": "Usage: mutable-get <target or public key> [salt]"
        default: "Usage: \(command) (takes no arguments)"
        }
    }

    /// The reply to a line whose quotes cannot be read.
    static func badQuoting(command: String, problem: CommandWords.Problem) -> String {
        switch problem {
        case .unterminatedQuote: "Unclosed quote in \(command): end the key with the quote it starts with (inside \"...\" write \\\" for a quote)"
        case .textAfterQuote: "Text right after a closing quote in \(command): put a space after the quoted key"
        }
    }

    /// The REPL's reply to any command that needs no node; nil for those that do and for quit,
    /// which prints `goodbye` after leaving.
    static func reply(to command: Command) -> String? {
        switch command {
        case .help: help
        case .unknown(let word): unknownCommand(word)
        case .usage(let name): usage(command: name)
        case .badQuoting(let name, let problem): badQuoting(command: name, problem: problem)
        case .unknownOption(let name, let option): unknownOption(command: name, option: option)
        case .invalidDuration(let option, let text, let problem): invalidDuration(option: option, text: text, problem: problem)
        case .invalidEndpoint(let reason): joinFailed(reason)
        case .invalidHash(let name, let text): invalidHash(command: name, text: text)
        case .emptyKey(let name): "Empty keys are refused (\(name)): a key needs at least one character"
        case .put, .get, .delete, .where, .watch, .join, .status, .crawl, .keys, .peers, .mainline, .quit: nil
        }
    }

    /// The reply to an argument that should be a hash: says what the command takes.
    static func invalidHash(command: String, text: String) -> String {
        let expected = command == "mutable-get"
            ? "the 40-digit target or the 64-digit public key that mutable-put printed (hexadecimal)"
            : "40 hexadecimal digits"
        return "Invalid hash '\(text.prefix(72))' for \(command): expected \(expected)"
    }

    /// Stderr line: a command-line error (exit 64) or a start-up failure (exit 1).
    static func error(_ message: String) -> String {
        "dht: \(message)"
    }

    /// Stderr line after a usage error, pointing at the help.
    static let tryHelp = "Try 'dht --help'."

    /// Stderr line when binding fails; "in use" gets its own wording as the likely mistake.
    static func bindFailed(host: String, port: UInt16, addressInUse: Bool, reason: String) -> String {
        if addressInUse {
            return "dht: UDP port \(port) is already in use on \(host)"
        }
        return "dht: cannot listen on UDP \(host):\(port): \(reason)"
    }

    /// Stderr line when a bootstrap endpoint cannot be used.
    static func resolveFailed(_ error: ResolveError) -> String {
        switch error {
        case .malformed(let endpoint): "dht: bootstrap node '\(endpoint)' is not host:port"
        case .unresolvable(let host, let reason): "dht: cannot resolve bootstrap host '\(host)': \(reason)"
        }
    }
}
