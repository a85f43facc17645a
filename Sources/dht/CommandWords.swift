/// Splitting a REPL line into words: blanks separate words, and a word that starts with
/// a quote runs to the closing one, so a key can hold spaces (`"my key"`, `'my key'`).
///
/// Inside double quotes `\"` is a quote and `\\` a backslash; any other backslash is kept
/// as typed, so Windows paths and regexes survive. Single quotes work as in a shell: every
/// character up to the next `'` is taken as it is. A quoted word must end at a blank or
/// the end of the line.
enum CommandWords {
    /// Why a line's words cannot be read.
    enum Problem: Error, Equatable {
        /// An opening quote with no closing one.
        case unterminatedQuote
        /// A closing quote followed directly by more text, as in `"a"b`.
        case textAfterQuote
    }

    /// The first word of `text` (leading blanks skipped) and what follows it, blanks not
    /// skipped; nil when only blanks remain.
    static func next(in text: Substring) throws(Problem) -> (word: String, rest: Substring)? {
        let start = text.drop(while: isSeparator)
        guard let first = start.first else { return nil }
        if first == "'" { return try singleQuoted(start.dropFirst()) }
        guard first == "\"" else {
            let word = start.prefix(while: { !isSeparator($0) })
            return (String(word), start.dropFirst(word.count))
        }
        var word = ""
        var index = start.index(after: start.startIndex)
        while index < start.endIndex {
            let character = start[index]
            index = start.index(after: index)
            if character == "\"" {
                guard index == start.endIndex || isSeparator(start[index]) else { throw .textAfterQuote }
                return (word, start[index...])
            }
            if character == "\\", index < start.endIndex, start[index] == "\"" || start[index] == "\\" {
                word.append(start[index])
                index = start.index(after: index)
            } else {
                word.append(character)
            }
        }
        throw .unterminatedQuote
    }

    /// A word after its opening `'`: everything up to the closing one, taken literally.
    private static func singleQuoted(_ text: Substring) throws(Problem) -> (word: String, rest: Substring) {
        guard let close = text.firstIndex(of: "'") else { throw .unterminatedQuote }
        let rest = text[text.index(after: close)...]
        guard rest.first.map(isSeparator) ?? true else { throw .textAfterQuote }
        return (String(text[..<close]), rest)
    }

    /// Every word of `text`.
    static func all(in text: Substring) throws(Problem) -> [String] {
        var words: [String] = []
        var rest = text
        while let (word, after) = try next(in: rest) {
            words.append(word)
            rest = after
        }
        return words
    }

    /// Space and tab separate words; any other character (including `\r`) belongs to a word.
    static func isSeparator(_ character: Character) -> Bool {
        character == " " || character == "\t"
    }
}
