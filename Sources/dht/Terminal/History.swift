/// The lines entered before, oldest first, for Up and Down to recall.
///
/// Pure value; `HistoryFile` keeps it across runs. Capped so that a long
/// session (or a large file) never grows memory without bound.
struct History: Equatable, Sendable {
    /// How many entries are kept unless told otherwise.
    static let defaultCapacity = 1000

    /// The most entries kept; adding past it drops the oldest.
    let capacity: Int
    /// The kept entries, oldest first.
    private(set) var entries: [String] = []

    /// An empty history holding at most `capacity` entries (0 keeps none).
    init(capacity: Int = History.defaultCapacity) {
        self.capacity = max(0, capacity)
    }

    /// A history of the storable lines of `lines` (oldest first), as if added one by one.
    ///
    /// Walks from the newest and stops once `capacity` entries are found, so loading
    /// a file of millions of lines costs one pass over the tail, not one add per line.
    init(capacity: Int = History.defaultCapacity, lines: some BidirectionalCollection<String>) {
        self.init(capacity: capacity)
        var newestFirst: [String] = []
        for line in lines.reversed() {
            guard newestFirst.count < self.capacity else { break }
            if Self.isStorable(line) && newestFirst.last != line { newestFirst.append(line) }
        }
        entries = newestFirst.reversed()
    }

    /// Adds `line` as the newest entry unless it is blank, holds control characters,
    /// or repeats the newest entry; returns whether it was added.
    @discardableResult
    mutating func add(_ line: String) -> Bool {
        guard capacity > 0, Self.isStorable(line), entries.last != line else { return false }
        entries.append(line)
        if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        return true
    }

    /// Whether `line` may be an entry: not blank, and free of control characters.
    ///
    /// Controls are refused because a recalled entry is written to the terminal
    /// as is (an ESC from a corrupt file would become a terminal command) and a
    /// newline could not be stored as one line of the file.
    static func isStorable(_ line: String) -> Bool {
        var sawNonBlank = false
        for scalar in line.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1f, 0x7f...0x9f: return false
            default: if !scalar.properties.isWhitespace { sawNonBlank = true }
            }
        }
        return sawNonBlank
    }
}
