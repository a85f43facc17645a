import Kademlia

/// What the command line asks for.
enum Invocation: Equatable {
    /// Run a node with these options.
    case run(CommandLineOptions)
    /// Print the usage text and exit 0.
    case help
    /// Print the version and exit 0.
    case version
}

/// A command line that cannot be run; reported on one line and exit status 64.
struct UsageError: Error, Equatable {
    var message: String
}

/// The validated options of `dht <port> [host:port ...] [--bind ADDRESS] [--log-level LEVEL]`
/// and the timing options (`--replication-interval DURATION` and the rest, see `NodeTuning`).
///
/// Parsing is pure: bootstrap endpoints are only checked for shape here (host
/// non-empty, port 1...65535) so that typos are usage errors; name resolution,
/// which can fail at run time for other reasons, happens later.
struct CommandLineOptions: Equatable {
    var port: UInt16
    var bootstrap: [String] = []
    var bindAddress: String = "0.0.0.0"
    var logLevel: LogLevel = .warning
    /// Overrides of the node's lifetime and timing settings.
    var tuning = NodeTuning()

    /// Parses the arguments after the program name, left to right; `--help` and
    /// `--version` win as soon as they are reached.
    static func parse(_ arguments: [String]) -> Result<Invocation, UsageError> {
        var port: UInt16?
        var options = CommandLineOptions(port: 0)
        var index = 0
        var onlyPositionals = false
        func fail(_ message: String) -> Result<Invocation, UsageError> { .failure(UsageError(message: message)) }

        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if !onlyPositionals && argument.hasPrefix("-") {
                let (name, inlineValue) = splitOption(argument)
                switch name {
                case "--help", "-h":
                    return .success(.help)
                case "--version":
                    return .success(.version)
                case "--":
                    onlyPositionals = true
                default:
                    guard takesValue(name) else { return fail("unknown option '\(argument)'") }
                    let value: String
                    if let inlineValue {
                        value = inlineValue
                    } else if index < arguments.count {
                        value = arguments[index]
                        index += 1
                    } else {
                        return fail("option '\(name)' needs a value")
                    }
                    if let problem = options.set(name, to: value) { return fail(problem) }
                }
            } else if port == nil {
                guard let parsed = parsePort(argument) else {
                    return fail("invalid port '\(argument)' (expected a number from 0 to 65535)")
                }
                port = parsed
            } else {
                if let problem = endpointProblem(argument) { return fail(problem) }
                options.bootstrap.append(argument)
            }
        }
        guard let port else { return fail("missing port") }
        options.port = port
        return .success(.run(options))
    }

    /// Whether `name` is an option followed by a value (`--name VALUE` or `--name=VALUE`).
    private static func takesValue(_ name: String) -> Bool {
        name == "--bind" || name == "--log-level" || NodeTuning.handles(name)
    }

    /// Sets the value option `name` from `value`; returns the usage message if `value` cannot be used.
    private mutating func set(_ name: String, to value: String) -> String? {
        switch name {
        case "--bind":
            guard Self.isIPv4(value) else { return "invalid bind address '\(value)' (expected an IPv4 address such as 127.0.0.1)" }
            bindAddress = value
        case "--log-level":
            guard let level = LogLevel(name: value) else {
                return "invalid log level '\(value)' (expected debug, info, warning or error)"
            }
            logLevel = level
        default:
            return tuning.set(name, to: value)
        }
        return nil
    }

    /// Splits `--name=value`; other arguments have no inline value.
    private static func splitOption(_ argument: String) -> (name: String, value: String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    /// Decimal digits only, because `UInt16("+80")` would accept a sign.
    private static func parsePort(_ text: some StringProtocol) -> UInt16? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return UInt16(text)
    }

    /// Why `text` is not a usable `host:port` endpoint, or nil if it is one; `role` names it in the message.
    static func endpointProblem(_ text: String, role: String = "bootstrap node") -> String? {
        guard let colon = text.lastIndex(of: ":") else {
            return "\(role) '\(text)' has no port (expected host:port)"
        }
        let host = text[..<colon]
        let portText = text[text.index(after: colon)...]
        if host.isEmpty { return "\(role) '\(text)' has no host (expected host:port)" }
        if host.contains(":") { return "\(role) '\(text)' is not host:port (IPv6 is not supported)" }
        guard let port = parsePort(portText), port != 0 else {
            return "\(role) '\(text)' has an invalid port (expected 1 to 65535)"
        }
        return nil
    }

    /// Dotted-quad IPv4, the only kind of address the node binds to.
    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            part.count <= 3 && parsePort(part).map { $0 <= 255 } == true
        }
    }
}
