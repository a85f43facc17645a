/// One line of REPL input, parsed.
///
/// Grammar (words are separated by runs of spaces or tabs; leading blanks are ignored):
/// - `put <key> <value>`: the key is one word; after it exactly one separator
///   character is consumed and the rest of the line is the value, verbatim
///   (inner, leading and trailing spaces kept). An empty value is a usage error.
/// - `get <key>`: exactly one word.
/// - `status`, `help`, `quit`, `exit`: no arguments.
/// Command words are case-insensitive; keys and values are not.
enum Command: Equatable {
    case put(key: String, value: String)
    case get(key: String)
    case status
    case help
    /// `quit` and `exit` both leave, as does end of input.
    case quit
    /// A first word that is no command; carries the word as typed.
    case unknown(String)
    /// A known command with missing or extra arguments; carries the command word.
    case usage(command: String)

    /// Parses one input line; nil for a blank line, which the REPL ignores.
    static func parse(line: String) -> Command? {
        let text = line.drop(while: isSeparator)
        guard !text.isEmpty else { return nil }
        let word = text.prefix(while: { !isSeparator($0) })
        let rest = text.dropFirst(word.count)
        let name = word.lowercased()
        switch name {
        case "put":
            return parsePut(rest)
        case "get":
            let arguments = words(rest)
            guard arguments.count == 1 else { return .usage(command: name) }
            return .get(key: String(arguments[0]))
        case "status", "help", "quit", "exit":
            guard words(rest).isEmpty else { return .usage(command: name) }
            switch name {
            case "status": return .status
            case "help": return .help
            default: return .quit
            }
        default:
            return .unknown(String(word))
        }
    }

    /// Splits off the key and keeps everything after its single separator as the value.
    private static func parsePut(_ rest: Substring) -> Command {
        let afterBlanks = rest.drop(while: isSeparator)
        let key = afterBlanks.prefix(while: { !isSeparator($0) })
        let value = afterBlanks.dropFirst(key.count).dropFirst()
        guard !key.isEmpty, !value.isEmpty else { return .usage(command: "put") }
        return .put(key: String(key), value: String(value))
    }

    /// The blank-separated words of `text`.
    private static func words(_ text: Substring) -> [Substring] {
        text.split(whereSeparator: isSeparator)
    }

    /// Space and tab separate words; any other character (including `\r`) belongs to a word.
    private static func isSeparator(_ character: Character) -> Bool {
        character == " " || character == "\t"
    }
}
