/// What the terminal shell should do after the editor handled one key.
enum EditorAction: Equatable, Sendable {
    /// Nothing changed and nothing needs drawing.
    case none
    /// The buffer or the cursor changed: draw the line again.
    case redraw
    /// The key did nothing here (nothing to delete, no older entry, no completion).
    case bell
    /// Enter: the line is done; the buffer is already empty for the next one.
    case submit(String)
    /// Ctrl-C: the line was dropped; the buffer is already empty.
    case cancel
    /// Ctrl-D on an empty line.
    case endOfInput
    /// Ctrl-L: clear the screen, then draw the line.
    case clearScreen
    /// Tab with several candidates and no longer common prefix: list them, then draw the line.
    case showCompletions([String])
}

/// The line being typed: a buffer of Characters, a cursor, history recall and completion.
///
/// Pure, no I/O: `handle` turns one key into a change of state plus an
/// `EditorAction` telling the terminal shell what to draw; `TerminalScreen` draws
/// it, wrapped and with wide characters counted (`LineLayout`).
struct LineEditor: Sendable {
    /// The characters of the line.
    private(set) var buffer: [Character] = []
    /// Where the next character goes: 0 is before the first, `buffer.count` is the end.
    private(set) var cursor = 0
    /// The entries Up and Down walk; the shell adds submitted lines to it.
    var history: History
    /// The words Tab completes the first word of the line to.
    var completionWords: [String]
    /// The history entry shown, or nil while the user's own line (the draft) is shown.
    private var historyPosition: Int?
    /// The line being typed before walking into history, given back when walking out.
    private var draft: [Character] = []

    /// Creates an empty line.
    init(history: History = History(), completionWords: [String] = []) {
        self.history = history
        self.completionWords = completionWords
    }

    /// The buffer as text.
    var line: String { String(buffer) }

    /// Applies one key and says what to draw.
    mutating func handle(_ key: Key) -> EditorAction {
        switch key {
        case .character(let character): return insert(character)
        case .enter:
            let submitted = line
            clear()
            return .submit(submitted)
        case .tab: return completeFirstWord()
        case .backspace: return remove(cursor - 1..<cursor)
        case .delete: return remove(cursor..<cursor + 1)
        case .left, .control("B"): return step(by: -1)
        case .right, .control("F"): return step(by: 1)
        case .home, .control("A"): return jump(to: 0)
        case .end, .control("E"): return jump(to: buffer.count)
        case .up, .control("P"): return recallOlder()
        case .down, .control("N"): return recallNewer()
        case .control("D"): return buffer.isEmpty ? .endOfInput : remove(cursor..<cursor + 1)
        case .control("K"): return remove(cursor..<buffer.count)
        case .control("U"): return remove(0..<cursor)
        case .control("W"): return remove(startOfWordBeforeCursor()..<cursor)
        case .control("C"):
            clear()
            return .cancel
        case .control("L"): return .clearScreen
        case .control: return .none
        }
    }

    /// Inserts at the cursor; a combining mark or joiner merges into the character before it,
    /// so a character typed as several scalars stays one Character.
    private mutating func insert(_ character: Character) -> EditorAction {
        if cursor > 0 {
            let merged = String(buffer[cursor - 1]) + String(character)
            if merged.count == 1, let joined = merged.first {
                buffer[cursor - 1] = joined
                return .redraw
            }
        }
        buffer.insert(character, at: cursor)
        cursor += 1
        return .redraw
    }

    /// Inserts several characters at the cursor.
    private mutating func insert(contentsOf text: some Sequence<Character>) {
        for character in text { _ = insert(character) }
    }

    /// Deletes `range` (clamped to the buffer) and leaves the cursor at its start; bell if empty.
    private mutating func remove(_ range: Range<Int>) -> EditorAction {
        let clamped = range.clamped(to: 0..<buffer.count)
        guard !clamped.isEmpty else { return .bell }
        buffer.removeSubrange(clamped)
        cursor = clamped.lowerBound
        return .redraw
    }

    /// Moves the cursor one character; bell at either end.
    private mutating func step(by offset: Int) -> EditorAction {
        let target = cursor + offset
        guard (0...buffer.count).contains(target) else { return .bell }
        cursor = target
        return .redraw
    }

    /// Moves the cursor to `target`; nothing to draw if it is there already.
    private mutating func jump(to target: Int) -> EditorAction {
        guard target != cursor else { return .none }
        cursor = target
        return .redraw
    }

    /// Where Ctrl-W starts killing: back over blanks, then back over non-blanks, as readline does.
    private func startOfWordBeforeCursor() -> Int {
        var start = cursor
        while start > 0 && buffer[start - 1].isWhitespace { start -= 1 }
        while start > 0 && !buffer[start - 1].isWhitespace { start -= 1 }
        return start
    }

    /// Shows the entry before the one shown, keeping the draft when leaving it.
    private mutating func recallOlder() -> EditorAction {
        let entries = history.entries
        let target: Int
        if let position = historyPosition {
            target = min(position, entries.count) - 1
        } else {
            target = entries.count - 1
        }
        guard target >= 0 else { return .bell }
        if historyPosition == nil { draft = buffer }
        show(entries[target], at: target)
        return .redraw
    }

    /// Shows the entry after the one shown, or the draft after the newest.
    private mutating func recallNewer() -> EditorAction {
        guard let position = historyPosition else { return .bell }
        let entries = history.entries
        if position + 1 < entries.count {
            show(entries[position + 1], at: position + 1)
        } else {
            buffer = draft
            cursor = buffer.count
            historyPosition = nil
            draft = []
        }
        return .redraw
    }

    /// Puts a copy of a history entry in the buffer, cursor at the end; edits never reach history.
    private mutating func show(_ entry: String, at position: Int) {
        buffer = Array(entry)
        cursor = buffer.count
        historyPosition = position
    }

    /// Empties the line and leaves history, ready for the next line.
    private mutating func clear() {
        buffer = []
        cursor = 0
        historyPosition = nil
        draft = []
    }

    /// Tab: completes the first word when the cursor is at its end; a bell anywhere else.
    private mutating func completeFirstWord() -> EditorAction {
        let wordStart = buffer[..<cursor].firstIndex(where: { !$0.isWhitespace }) ?? cursor
        let typed = buffer[wordStart..<cursor]
        let cursorEndsWord = cursor == buffer.count || buffer[cursor].isWhitespace
        guard !typed.contains(where: \.isWhitespace), cursorEndsWord else { return .bell }
        switch WordCompletion.complete(String(typed), among: completionWords) {
        case .noMatch:
            return .bell
        case .ambiguous(let words):
            return .showCompletions(words)
        case .extended(let prefix):
            insert(contentsOf: prefix.dropFirst(typed.count))
            return .redraw
        case .unique(let word):
            insert(contentsOf: word.dropFirst(typed.count))
            // The word is finished: step over the blank after it, or type one.
            if cursor < buffer.count && buffer[cursor].isWhitespace {
                cursor += 1
            } else {
                _ = insert(Character(" "))
            }
            return .redraw
        }
    }
}
