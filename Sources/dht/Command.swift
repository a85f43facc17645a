import Kademlia

/// One line of REPL input, parsed.
///
/// Grammar (words are separated by runs of spaces or tabs; leading blanks are ignored;
/// a key may be quoted, with `"` or `'`, to hold blanks, see `CommandWords`; an empty key is refused):
/// - `put [--ttl DURATION] <key> <value>`: options come right after `put`, as
///   `--ttl 30s` or `--ttl=30s` (see `DurationText`); `--` ends them, so a key may
///   start with `--`. After the key exactly one separator character is consumed and
///   the rest of the line is the value, verbatim (inner, leading and trailing spaces
///   and quotes kept). An empty value is a usage error.
/// - `get <key>`, `delete <key>`, `where <key>`, `watch <key>`, `join <host:port>`: exactly one word.
/// - `keys [--all]`; `status`, `peers`, `help`, `quit`, `exit`: no arguments.
/// - Mainline's: `announce <infohash> [port]`, `peers <infohash>`, `item-put <text>`,
///   `item-get <hash>` (see `MainlineCommands.swift`).
/// Command words are case-insensitive; options, keys and values are not.
enum Command: Equatable {
    /// Store `value` under `key`; `ttl` nil means the node's default lifetime.
    case put(key: String, value: String, ttl: Duration? = nil)
    case get(key: String)
    /// Delete `key` on the nodes that hold it.
    case delete(key: String)
    /// Show the K closest nodes to `key` and which of them hold it.
    case `where`(key: String)
    /// Print the current version of `key`, then each new one as its holders push it, until Ctrl-C.
    case watch(key: String)
    /// Join the network through the node at `endpoint`, already checked to be `host:port`.
    case join(endpoint: String)
    case status
    /// Map the network: every node found and its count of targets held (BEP 51).
    case crawl(maxNodes: Int?)
    /// List what this node stores; tombstones (deleted keys) only with `keys --all`.
    case keys(all: Bool = false)
    /// List this node's contacts.
    case peers
    case help
    /// `quit` and `exit` both leave, as does end of input.
    case quit
    /// A first word that is no command; carries the word as typed.
    case unknown(String)
    /// A Mainline command: BEP 5 announces and peer searches, BEP 44 items.
    case mainline(MainlineCommand)
    /// A known command with missing or extra arguments; carries the command word.
    case usage(command: String)
    /// An option the command does not take; carries the command word and the option as typed.
    case unknownOption(command: String, option: String)
    /// An option whose duration cannot be used; carries the option, the text after it and why.
    case invalidDuration(option: String, text: String, problem: DurationProblem)
    /// A `join` argument that is not `host:port`; carries the reason.
    case invalidEndpoint(reason: String)
    /// An argument that should be 40 hexadecimal digits (an info-hash or item target) and is not.
    case invalidHash(command: String, text: String)
    /// Quotes that do not close, or text glued to a closing quote; carries the command word.
    case badQuoting(command: String, problem: CommandWords.Problem)
    /// A key given as `""`: no node stores a value under nothing; carries the command word.
    case emptyKey(command: String)

    /// The command words, for `help` and Tab completion.
    static let words = ["announce", "crawl", "delete", "exit", "get", "help", "item-get", "item-put", "join", "keys", "mutable-get",
                        "mutable-put", "peers", "put", "quit", "status", "watch", "where"]

    /// Parses one input line; nil for a blank line, which the REPL ignores.
    static func parse(line: String) -> Command? {
        let text = line.drop(while: CommandWords.isSeparator)
        guard !text.isEmpty else { return nil }
        let word = text.prefix(while: { !CommandWords.isSeparator($0) })
        let rest = text.dropFirst(word.count)
        let name = word.lowercased()
        do {
            switch name {
            case "put":
                return try parsePut(rest)
            case "announce", "item-put", "item-get", "mutable-put", "mutable-get":
                return try MainlineCommand.parse(name, rest)
            case "peers" where try !CommandWords.all(in: rest).isEmpty:
                return try MainlineCommand.parse(name, rest)
            case "get", "delete", "where", "watch", "join":
                let arguments = try CommandWords.all(in: rest)
                guard arguments.count == 1 else { return .usage(command: name) }
                if arguments[0].isEmpty && name != "join" { return .emptyKey(command: name) }
                switch name {
                case "get": return .get(key: arguments[0])
                case "delete": return .delete(key: arguments[0])
                case "where": return .where(key: arguments[0])
                case "watch": return .watch(key: arguments[0])
                default: return parseJoin(arguments[0])
                }
            case "crawl":
                let arguments = try CommandWords.all(in: rest)
                guard let count = arguments.first else { return .crawl(maxNodes: nil) }
                guard arguments.count == 1, count.allSatisfy({ $0.isASCII && $0.isNumber }), let maxNodes = Int(count),
                      (1...CrawlLimits.nodeCeiling).contains(maxNodes) else { return .usage(command: name) }
                return .crawl(maxNodes: maxNodes)
            case "keys":
                switch try CommandWords.all(in: rest) {
                case []: return .keys()
                case ["--all"]: return .keys(all: true)
                default: return .usage(command: name)
                }
            case "status", "peers", "help", "quit", "exit":
                guard try CommandWords.all(in: rest).isEmpty else { return .usage(command: name) }
                switch name {
                case "status": return .status
                case "peers": return .peers
                case "help": return .help
                default: return .quit
                }
            default:
                return .unknown(String(word))
            }
        } catch {
            return .badQuoting(command: name, problem: error)
        }
    }

    /// Reads the options, then the key, and keeps everything after its single separator as the value.
    private static func parsePut(_ rest: Substring) throws(CommandWords.Problem) -> Command {
        var remaining = rest.drop(while: CommandWords.isSeparator)
        var ttl: Duration?
        while remaining.hasPrefix("--") {
            let option = firstWord(of: remaining)
            remaining = afterWord(option, in: remaining)
            if option == "--" { break }
            let name = option.prefix(while: { $0 != "=" })
            guard name == "--ttl" else { return .unknownOption(command: "put", option: String(option)) }
            var text = option.dropFirst(name.count + 1)
            if name.count == option.count {
                text = firstWord(of: remaining)
                remaining = afterWord(text, in: remaining)
            }
            do {
                ttl = try DurationText.parse(text)
            } catch {
                return .invalidDuration(option: String(name), text: String(text), problem: error)
            }
        }
        guard let (key, afterKey) = try CommandWords.next(in: remaining) else { return .usage(command: "put") }
        let value = afterKey.dropFirst()
        if key.isEmpty { return .emptyKey(command: "put") }
        guard !value.isEmpty else { return .usage(command: "put") }
        return .put(key: key, value: String(value), ttl: ttl)
    }

    /// Checks the shape of `host:port` here, so a typo never reaches the resolver.
    private static func parseJoin(_ endpoint: String) -> Command {
        if let reason = CommandLineOptions.endpointProblem(endpoint, role: "node") {
            return .invalidEndpoint(reason: reason)
        }
        return .join(endpoint: endpoint)
    }

    /// The leading word of `text`, which must not start with blanks.
    private static func firstWord(of text: Substring) -> Substring {
        text.prefix(while: { !CommandWords.isSeparator($0) })
    }

    /// What follows `word` (a prefix of `text`) and the blanks after it.
    private static func afterWord(_ word: Substring, in text: Substring) -> Substring {
        text.dropFirst(word.count).drop(while: CommandWords.isSeparator)
    }
}
