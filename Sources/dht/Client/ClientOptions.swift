/// `dht --api URL [--http-token TOKEN] [--json] [command ...]`: talk to a running node
/// through its HTTP API instead of starting one. With a command, run it once and exit
/// with the REPL's status; without, read commands as the REPL does.
struct ClientOptions: Equatable {
    /// The node's API, `http://HOST:PORT`.
    var url: String
    /// The bearer token the node asks for (`--http-token`, or `DHT_HTTP_TOKEN`).
    var token: String?
    /// `--json`: every reply as the REPL's one-line JSON object.
    var json = false
    /// `--history-file`: where the line editor keeps history; nil for the default, "" for none.
    var historyFile: String?
    /// The command's words, as the shell split them; empty to read commands.
    var words: [String] = []

    /// The client's options when the command line has `--api`; nil when it has not (the
    /// command line then runs a node).
    static func parse(_ arguments: [String], environment: [String: String]) -> Result<ClientOptions, UsageError>? {
        let ended = arguments.firstIndex(of: "--") ?? arguments.endIndex
        guard arguments[..<ended].contains(where: { $0 == "--api" || $0.hasPrefix("--api=") }) else { return nil }
        var options = ClientOptions(url: "", token: environment["DHT_HTTP_TOKEN"])
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if index - 1 >= ended || !argument.hasPrefix("--") || !options.words.isEmpty {
                if argument != "--" || index - 1 != ended { options.words.append(argument) }
                continue
            }
            let parts = argument.split(separator: "=", maxSplits: 1)
            let name = String(parts[0])
            switch name {
            case "--json":
                options.json = true
                continue
            case "--api", "--http-token", "--history-file":
                break
            default:
                return .failure(UsageError(message: "option '\(name)' does not apply with --api (it talks to a running node)"))
            }
            let value: String
            if parts.count == 2 {
                value = String(parts[1])
            } else if index < arguments.count {
                value = arguments[index]
                index += 1
            } else {
                return .failure(UsageError(message: "option '\(name)' needs a value"))
            }
            switch name {
            case "--api": options.url = value
            case "--http-token": options.token = value
            default: options.historyFile = value
            }
        }
        guard !options.url.isEmpty else { return .failure(UsageError(message: "option '--api' needs a URL such as http://127.0.0.1:8080")) }
        return .success(options)
    }

    /// The command as one REPL line: a word holding a blank or a quote is quoted, as the
    /// REPL reads it back; a put's value (everything after its key) is the rest of the line as it is.
    var line: String? {
        guard let name = words.first else { return nil }
        guard name == "put" else { return ([name] + words.dropFirst().map(Self.quoted)).joined(separator: " ") }
        // `put [--ttl D | --ttl=D] [--] <key> <value...>`: the options stay as they are.
        var index = 1
        while index < words.count, words[index].hasPrefix("--") {
            let option = words[index]
            index += option == "--ttl" ? 2 : 1
            if option == "--" { break }
        }
        let options = words[1..<min(index, words.count)]
        let key = words.indices.contains(index) ? [Self.quoted(words[index])] : []
        let value = words.dropFirst(index + 1)
        return ([name] + options + key + (value.isEmpty ? [] : [value.joined(separator: " ")])).joined(separator: " ")
    }

    /// `word` in double quotes (backslash and quote escaped) when the REPL would otherwise
    /// split it or read its quotes.
    private static func quoted(_ word: String) -> String {
        guard word.isEmpty || word.contains(where: { CommandWords.isSeparator($0) || $0 == "\"" || $0 == "'" }) else { return word }
        return "\"" + word.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
    }
}
