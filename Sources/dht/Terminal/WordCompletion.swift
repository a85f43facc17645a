/// Completes a partly typed word from a list of candidate words.
///
/// Pure and case-sensitive: the REPL's commands are typed in lower case, and
/// keeping the typed case avoids rewriting what the user entered.
enum WordCompletion {
    /// The outcome of completing one prefix.
    enum Result: Equatable, Sendable {
        /// No candidate starts with the prefix.
        case noMatch
        /// Exactly one candidate matches; it is the whole word.
        case unique(String)
        /// Several match and share a longer prefix than the one typed; carries that prefix.
        case extended(String)
        /// Several match and nothing more can be added; carries them in the given order.
        case ambiguous([String])
    }

    /// Completes `prefix` among `candidates` (duplicates count once).
    static func complete(_ prefix: String, among candidates: [String]) -> Result {
        var matches: [String] = []
        for word in candidates where word.hasPrefix(prefix) && !matches.contains(word) {
            matches.append(word)
        }
        guard let first = matches.first else { return .noMatch }
        if matches.count == 1 { return .unique(first) }
        let common = matches.dropFirst().reduce(first) { commonPrefix($0, $1) }
        return common.count > prefix.count ? .extended(common) : .ambiguous(matches)
    }

    /// The longest prefix `a` and `b` share, compared by Character.
    static func commonPrefix(_ a: String, _ b: String) -> String {
        String(zip(a, b).prefix(while: { $0 == $1 }).map(\.0))
    }
}
