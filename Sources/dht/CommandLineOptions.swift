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

/// How log lines are written.
enum LogFormat: String, Equatable, CaseIterable {
    /// `2026-12-01T10:54:21.123Z warning [3fa2b1c0] membership: ...`
    case text
    /// One JSON object per line, for log shippers.
    case json
}

/// The validated options of `dht <port> [host:port ...] [options]`: see `HelpText.usage`.
///
/// Every option `--some-name` can also come from the environment variable
/// `DHT_SOME_NAME` (the port from `DHT_PORT`, bootstrap nodes from `DHT_BOOTSTRAP`,
/// comma- or space-separated); a flag on the command line wins over the environment.
/// Parsing is pure: bootstrap endpoints are only checked for shape here (host
/// non-empty, port 1...65535) so that typos are usage errors; name resolution,
/// which can fail at run time for other reasons, happens later.
struct CommandLineOptions: Equatable {
    var port: UInt16
    var bootstrap: [String] = []
    var bindAddress: String = "0.0.0.0"
    var logLevel: LogLevel = .warning
    var logFormat: LogFormat = .text
    /// `--no-repl`: run as a service, reading no commands, until a signal.
    var serviceMode = false
    /// `--json`: every REPL reply is one JSON object on one line.
    var jsonReplies = false
    /// `--history-file`: where the line editor keeps history; nil for the default, "" for none.
    var historyFile: String?
    /// `--data-dir`: where the node keeps its id, values and contacts; nil for memory only.
    var dataDirectory: String?
    /// `--fsync`: how soon a write to the data directory must reach the disk.
    var fsync: FsyncPolicy = .always
    /// `--mainline`: join the public BitTorrent DHT through its routers, with a BEP 42 id.
    var mainline = false
    /// `--pipeline`: network commands of piped input run at once, replies still in input order.
    var pipeline = 1
    /// The most `--pipeline` allows: the node's lookups in flight at once.
    static let maximumPipeline = 64
    /// `--routers`: the routers `--mainline` bootstraps from, `host:port` each.
    var routers = CommandLineOptions.defaultRouters

    /// The well-known public Mainline routers.
    static let defaultRouters = ["router.bittorrent.com:6881", "dht.transmissionbt.com:6881", "router.utorrent.com:6881"]
    /// Overrides of the node's lifetime and timing settings.
    var tuning = NodeTuning()
    /// Overrides of the node's store, rate and routing-table limits.
    var limits = LimitOptions()
    /// The HTTP API's settings.
    var http = HTTPOptions()

    /// The options that take no value.
    static let flags = ["--no-repl", "--json", LimitOptions.strictLoopbackFlag, "--mainline"]
    /// The options with a value that this type sets itself (the timing ones are `NodeTuning`'s).
    static let valueOptions = ["--bind", "--log-level", "--log-format", "--history-file", "--data-dir", "--fsync", "--routers",
                               "--pipeline", "--config"]

    /// The environment variable for `option`: `--log-level` is `DHT_LOG_LEVEL`.
    static func environmentName(of option: String) -> String {
        "DHT_" + String(option.drop(while: { $0 == "-" }).uppercased().map { $0 == "-" ? "_" : $0 })
    }

    /// Parses the arguments after the program name, left to right, over the settings
    /// `environment` gives; `--help` and `--version` win as soon as they are reached.
    static func parse(_ arguments: [String], environment: [String: String] = [:]) -> Result<Invocation, UsageError> {
        // The arguments first, alone: they decide help and usage errors, and which settings
        // the environment must not touch (an overridden variable is never even read).
        var given = Set<String>()
        let alone = parse(arguments, over: CommandLineOptions(port: 0), port: nil, requirePort: false, given: &given)
        guard case .success(.run) = alone else { return alone }
        var port: UInt16?
        var options = CommandLineOptions(port: 0)
        if let problem = options.apply(environment: environment, port: &port, except: given) {
            return .failure(UsageError(message: problem))
        }
        return parse(arguments, over: options, port: port, requirePort: true, given: &given)
    }

    /// One pass over `arguments`, setting what they give over `base`; `given` collects the
    /// option names seen, with "<port>" and "<bootstrap>" for the positional arguments.
    private static func parse(_ arguments: [String], over base: CommandLineOptions, port basePort: UInt16?,
                              requirePort: Bool, given: inout Set<String>) -> Result<Invocation, UsageError> {
        var port = basePort
        var options = base
        var positionalBootstrap: [String] = []
        var index = 0
        var positionalPort = false
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
                case _ where flags.contains(name):
                    // `--json` or, as the environment spells it, `--json=1` / `--json=0`.
                    guard let on = inlineValue.map(parseSwitch) ?? true else {
                        return fail("option '\(name)' takes no value, or =1 or =0 (got '\(inlineValue ?? "")')")
                    }
                    options.setFlag(name, on)
                    given.insert(name)
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
                    given.insert(name)
                }
            } else if !positionalPort {
                guard let parsed = parsePort(argument) else {
                    return fail("invalid port '\(argument)' (expected a number from 0 to 65535)")
                }
                port = parsed
                positionalPort = true
                given.insert("<port>")
            } else {
                if let problem = endpointProblem(argument) { return fail(problem) }
                positionalBootstrap.append(argument)
                given.insert("<bootstrap>")
            }
        }
        guard let port = port ?? (requirePort ? nil : 0) else { return fail("missing port (give it as the first argument or in DHT_PORT)") }
        options.port = port
        if !positionalBootstrap.isEmpty { options.bootstrap = positionalBootstrap }
        if requirePort, let problem = options.http.problem { return fail(problem) }
        return .success(.run(options))
    }

    /// Takes every `DHT_*` setting from `environment`; returns the usage message of the first bad one.
    private mutating func apply(environment: [String: String], port: inout UInt16?, except given: Set<String>) -> String? {
        if !given.contains("<port>"), let text = environment["DHT_PORT"], !text.isEmpty {
            guard let parsed = Self.parsePort(text) else { return "invalid port '\(text)' in DHT_PORT (expected a number from 0 to 65535)" }
            port = parsed
        }
        if !given.contains("<bootstrap>"), let text = environment["DHT_BOOTSTRAP"] {
            for endpoint in text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) {
                if let problem = Self.endpointProblem(endpoint) { return "DHT_BOOTSTRAP: \(problem)" }
                bootstrap.append(endpoint)
            }
        }
        for flag in Self.flags where !given.contains(flag) {
            let name = Self.environmentName(of: flag)
            guard let text = environment[name] else { continue }
            guard let on = Self.parseSwitch(text) else { return "invalid \(name) '\(text)' (expected 1 or 0)" }
            setFlag(flag, on)
        }
        let valued = Self.valueOptions + NodeTuning.durationOptions + [NodeTuning.failureLimitOption] + LimitOptions.valueOptions
            + HTTPOptions.valueOptions
        for option in valued where !given.contains(option) {
            let name = Self.environmentName(of: option)
            guard let text = environment[name], !text.isEmpty || option == "--history-file" else { continue }
            if let problem = set(option, to: text) { return "\(name): \(problem)" }
        }
        return nil
    }

    /// Sets the flag option `flag` (one of `flags`) on or off.
    private mutating func setFlag(_ flag: String, _ on: Bool) {
        switch flag {
        case "--no-repl": serviceMode = on
        case "--json": jsonReplies = on
        case "--mainline": mainline = on
        default: limits.strictLoopback = on
        }
    }

    /// Every `DHT_*` variable the program reads.
    static var environmentNames: Set<String> {
        let options = flags + valueOptions + NodeTuning.durationOptions + [NodeTuning.failureLimitOption] + LimitOptions.valueOptions
            + HTTPOptions.valueOptions
        return Set(["DHT_PORT", "DHT_BOOTSTRAP"] + options.map(environmentName(of:)))
    }

    /// A warning for each `DHT_*` variable in `environment` that the program does not read,
    /// naming the closest one it does (a typo such as `DHT_LOGLEVEL` is otherwise silent).
    static func unknownEnvironmentWarnings(_ environment: [String: String]) -> [String] {
        let known = environmentNames
        return environment.keys.filter { $0.hasPrefix("DHT_") && !known.contains($0) }.sorted().map { name in
            let squeezed = name.filter { $0 != "_" }
            let guess = known.first { $0.filter { $0 != "_" } == squeezed }
            return "warning: ignoring unknown environment variable \(name)" + (guess.map { " (did you mean \($0)?)" } ?? "")
        }
    }

    /// Reads an on/off setting: 1, true, yes, on; 0, false, no, off or empty.
    private static func parseSwitch(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "true", "yes", "on": true
        case "0", "false", "no", "off", "": false
        default: nil
        }
    }

    /// Whether `name` is an option followed by a value (`--name VALUE` or `--name=VALUE`).
    private static func takesValue(_ name: String) -> Bool {
        valueOptions.contains(name) || NodeTuning.handles(name) || LimitOptions.valueOptions.contains(name)
            || HTTPOptions.valueOptions.contains(name)
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
        case "--log-format":
            guard let format = LogFormat(rawValue: value.lowercased()) else {
                return "invalid log format '\(value)' (expected text or json)"
            }
            logFormat = format
        case "--history-file":
            historyFile = value
        case "--data-dir":
            guard !value.isEmpty else { return "option '--data-dir' needs a directory" }
            guard !value.utf8.contains(0) else { return "invalid data directory (it contains a NUL byte)" }
            dataDirectory = value
        case "--routers":
            let list = value.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
            guard !list.isEmpty else { return "option '--routers' needs host:port[,host:port...]" }
            for router in list {
                if let problem = Self.endpointProblem(router, role: "router") { return problem }
            }
            routers = list
        case "--fsync":
            guard let policy = FsyncPolicy(rawValue: value.lowercased()) else {
                return "invalid fsync policy '\(value.prefix(40))' (expected always, batch or never)"
            }
            fsync = policy
        case "--config":
            break  // read before parsing, by App.withConfigFile
        case "--pipeline":
            guard let count = LimitOptions.parseCount(value, allowingUnits: false), count <= Self.maximumPipeline else {
                return "invalid pipeline '\(value.prefix(40))' (expected a whole number from 1 to \(Self.maximumPipeline))"
            }
            pipeline = count
        case _ where LimitOptions.valueOptions.contains(name):
            return limits.set(name, to: value)
        case _ where HTTPOptions.valueOptions.contains(name):
            return http.set(name, to: value)
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
            if parsePort(text) != nil { return "\(role) '\(text)' is a port alone: give host:port, such as localhost:\(text)" }
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
