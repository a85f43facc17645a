import Glibc

/// Bytes the shell must write to one descriptor.
struct ScreenWrite: Equatable, Sendable {
    /// Where to write: stdout, or stderr for the text of an error.
    let fd: Int32
    /// What to write.
    let text: String
}

/// What the shell must do after a batch of keys.
struct ScreenReaction: Equatable, Sendable {
    /// Bytes for the screen's output, in order; one write keeps a redraw from tearing.
    var output = ""
    /// Events for the REPL, in order.
    var events: [TerminalEvent] = []
    /// Submitted lines that were new to history, for the history file.
    var recorded: [String] = []
    /// The history after those were added (for compacting the file); nil if none were.
    var history: History?
}

/// The line terminal's decisions without any I/O: which keys edit, what
/// bytes draw the prompt, and how text is printed above it.
///
/// Ready means idle at the prompt: the prompt is shown and keys edit the line.
/// Busy means a command runs: nothing is drawn, Ctrl-C interrupts it, and every
/// other key waits (type-ahead, or the rest of a paste) to be replayed when the
/// prompt comes back, so each line a person enters runs, in order. A submitted
/// line makes the screen busy by itself, so keys after it in the same read wait too.
///
/// A line longer than the terminal is wide wraps over several rows; the screen
/// remembers which row of them the cursor is on, so a redraw starts from the
/// prompt's first row and clears everything below (`LineLayout` does the arithmetic).
struct TerminalScreen: Sendable {
    /// Keys kept while busy, at most; a paste larger than this is cut (with a bell), never unbounded.
    static let maxPendingKeys = 65_536

    /// The prompt shown before the line, e.g. `"> "`.
    let prompt: String
    /// Where the prompt and the line are drawn: stdout, or a pseudo-terminal in tests.
    let outputFD: Int32
    /// The line being typed.
    private(set) var editor: LineEditor
    /// Whether the REPL is idle at the prompt.
    private(set) var isReady = false
    /// Whether the terminal was restored; nothing is drawn any more.
    private(set) var isClosed = false
    /// The terminal's width in columns.
    private(set) var layout: LineLayout
    /// The row of the drawn line the terminal's cursor is on (0 is the prompt's row).
    private var cursorRow = 0
    /// Keys typed or pasted while busy, for the next prompt.
    private var pendingKeys: [Key] = []

    /// A busy screen (nothing drawn) around `editor`, drawn on `outputFD`, `columns` wide.
    init(prompt: String, editor: LineEditor, outputFD: Int32 = STDOUT_FILENO, columns: Int = 80) {
        self.prompt = prompt
        self.editor = editor
        self.outputFD = outputFD
        self.layout = LineLayout(columns: columns)
    }

    /// Whether the prompt and the line are on the screen now.
    var isPromptShown: Bool { isReady && !isClosed }

    /// How many keys wait for the prompt.
    var pendingKeyCount: Int { pendingKeys.count }

    /// Applies keys read together and says what to write and which events to send.
    ///
    /// A printable character only ever redraws, so redraws are deferred until a
    /// different key or the end of the batch: a paste is drawn once, not once per character.
    mutating func handle(_ keys: [Key]) -> ScreenReaction {
        var reaction = ScreenReaction()
        var redrawPending = false
        for (index, key) in keys.enumerated() where !isClosed {
            guard isReady else {
                keep(keys[index...], in: &reaction)
                break
            }
            if redrawPending, !key.isCharacter {
                reaction.output += draw()
                redrawPending = false
            }
            let (toEnd, lineBreak) = Self.mayLeaveTheLine(key) ? leavingTheLine() : ("", "")
            let wasEmpty = editor.buffer.isEmpty
            let leaving = toEnd + lineBreak
            switch editor.handle(key) {
            case .none:
                break
            case .redraw:
                redrawPending = true
            case .bell:
                reaction.output += EscapeCode.bell
            case .submit(let line):
                reaction.output += leaving
                cursorRow = 0
                isReady = false
                if editor.history.add(line) { reaction.recorded.append(line) }
                reaction.events.append(.line(line))
            case .cancel:
                reaction.output += toEnd + "^C\n" + (wasEmpty ? Output.interruptHint + "\n" : "")
                cursorRow = 0
                reaction.output += draw()
                reaction.events.append(.interrupt)
            case .endOfInput:
                reaction.output += leaving
                cursorRow = 0
                isReady = false
                reaction.events.append(.endOfInput)
            case .clearScreen:
                cursorRow = 0
                reaction.output += EscapeCode.clearScreen + draw()
            case .showCompletions(let words):
                reaction.output += lineAbovePrompt(words.joined(separator: "  "))
            }
        }
        if redrawPending && isPromptShown { reaction.output += draw() }
        if !reaction.recorded.isEmpty { reaction.history = editor.history }
        return reaction
    }

    /// Keeps keys that arrived while busy, up to the bound; Ctrl-C among them still interrupts at once.
    private mutating func keep(_ keys: ArraySlice<Key>, in reaction: inout ScreenReaction) {
        var dropped = false
        for key in keys {
            if key == .control("C") {
                // As a terminal flushes its input on SIGINT: Ctrl-C drops the type-ahead too.
                pendingKeys = []
                reaction.events.append(.interrupt)
            } else if pendingKeys.count < Self.maxPendingKeys {
                pendingKeys.append(key)
            } else {
                dropped = true
            }
        }
        if dropped { reaction.output += EscapeCode.bell }
    }

    /// Whether `key` may end the line (Enter, Ctrl-C, Ctrl-D), so the cursor must first go past it.
    private static func mayLeaveTheLine(_ key: Key) -> Bool {
        key == .enter || key == .control("C") || key == .control("D")
    }

    /// Switches between ready and busy. Becoming ready draws the prompt and replays the
    /// keys that waited, which may submit the next line at once (and so go busy again).
    mutating func setReady(_ ready: Bool) -> ScreenReaction {
        guard ready != isReady else { return ScreenReaction() }
        let wasShown = isPromptShown
        isReady = ready
        guard !isClosed else { return ScreenReaction() }
        guard ready else { return ScreenReaction(output: wasShown ? erase() : "") }
        var reaction = ScreenReaction(output: draw())
        guard !pendingKeys.isEmpty else { return reaction }
        let waiting = pendingKeys
        pendingKeys = []
        let replayed = handle(waiting)
        reaction.output += replayed.output
        reaction.events = replayed.events
        reaction.recorded = replayed.recorded
        reaction.history = replayed.history
        return reaction
    }

    /// The terminal is now `columns` wide: the shown line is drawn again for that width.
    ///
    /// Terminals that reflow wrapped rows (tmux, VTE, kitty) leave the cursor on the row the
    /// new width puts it on, so the redraw starts from there.
    mutating func resize(columns: Int) -> String {
        layout = LineLayout(columns: columns)
        guard isPromptShown else { return "" }
        cursorRow = layout.cursor(prompt: prompt, line: editor.buffer, at: editor.cursor).row
        return draw()
    }

    /// The writes that show `text` plus a newline on `fd` above the prompt: the
    /// prompt's rows are erased, the text written, and the prompt and line drawn again
    /// with the cursor where it was. With no prompt shown, only the text.
    mutating func print(_ text: String, to fd: Int32) -> [ScreenWrite] {
        let line = ScreenWrite(fd: fd, text: text + "\n")
        guard isPromptShown else { return [line] }
        if fd == outputFD { return [ScreenWrite(fd: fd, text: lineAbovePrompt(text))] }
        let erased = erase()
        return [ScreenWrite(fd: outputFD, text: erased), line, ScreenWrite(fd: outputFD, text: draw())]
    }

    /// `text` where the prompt was, pushing the prompt and line down below it.
    private mutating func lineAbovePrompt(_ text: String) -> String {
        erase() + text + "\n" + draw()
    }

    /// Stops all drawing; returns what ends a shown prompt line, so the shell's own prompt starts on a fresh one.
    mutating func close() -> String {
        guard !isClosed else { return "" }
        let (toEnd, lineBreak) = isPromptShown ? leavingTheLine() : ("", "")
        let ending = toEnd + lineBreak
        isClosed = true
        return ending
    }

    /// Clears from the prompt's first row down, draws the prompt and the line, and puts
    /// the cursor on the editor's cursor.
    private mutating func draw() -> String {
        // Clear first: a wide character that wraps skips a cell, which must not keep old text.
        var out = EscapeCode.cursorUp(cursorRow) + "\r" + EscapeCode.clearToEndOfScreen + prompt + editor.line
        let end = layout.end(prompt: prompt, line: editor.buffer)
        // A row filled exactly leaves the cursor pending on it; step onto the next row for real.
        if end.startsFreshRow { out += "\r\n" }
        let target = layout.cursor(prompt: prompt, line: editor.buffer, at: editor.cursor)
        if target.row == end.row {
            out += EscapeCode.cursorLeft(end.column - target.column)
        } else {
            out += EscapeCode.cursorUp(end.row - target.row) + "\r" + EscapeCode.cursorRight(target.column)
        }
        cursorRow = target.row
        return out
    }

    /// Clears the prompt's rows, leaving the cursor at the start of its first row.
    private mutating func erase() -> String {
        defer { cursorRow = 0 }
        return EscapeCode.cursorUp(cursorRow) + "\r" + EscapeCode.clearToEndOfScreen
    }

    /// The moves from the editor's cursor to just after the end of the shown line, and the
    /// line break that then leaves it (none after a row filled exactly: that end is a fresh row).
    private func leavingTheLine() -> (toEnd: String, lineBreak: String) {
        let end = layout.end(prompt: prompt, line: editor.buffer)
        let lineBreak = end.startsFreshRow ? "" : "\n"
        guard end.row != cursorRow else {
            let column = layout.cursor(prompt: prompt, line: editor.buffer, at: editor.cursor).column
            return (EscapeCode.cursorRight(end.column - column), lineBreak)
        }
        return (EscapeCode.cursorDown(end.row - cursorRow) + "\r" + EscapeCode.cursorRight(end.column), lineBreak)
    }
}
