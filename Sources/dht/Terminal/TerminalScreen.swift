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
/// Busy means a command runs: nothing is drawn and only Ctrl-C counts. A
/// submitted line makes the screen busy by itself, so keys typed before the
/// REPL has seen the line cannot edit a prompt that is about to go away.
struct TerminalScreen: Sendable {
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

    /// A busy screen (nothing drawn) around `editor`, drawn on `outputFD`.
    init(prompt: String, editor: LineEditor, outputFD: Int32 = STDOUT_FILENO) {
        self.prompt = prompt
        self.editor = editor
        self.outputFD = outputFD
    }

    /// Whether the prompt and the line are on the screen now.
    var isPromptShown: Bool { isReady && !isClosed }

    /// Applies keys read together and says what to write and which events to send.
    ///
    /// A printable character only ever redraws, so redraws are deferred until a
    /// different key or the end of the batch: a paste is drawn once, not once per character.
    mutating func handle(_ keys: [Key]) -> ScreenReaction {
        var reaction = ScreenReaction()
        var redrawPending = false
        for key in keys where !isClosed {
            guard isReady else {
                if key == .control("C") { reaction.events.append(.interrupt) }
                continue
            }
            if redrawPending, !key.isCharacter {
                reaction.output += editor.render(prompt: prompt)
                redrawPending = false
            }
            let columnsToEnd = editor.columnsAfterCursor
            switch editor.handle(key) {
            case .none:
                break
            case .redraw:
                redrawPending = true
            case .bell:
                reaction.output += EscapeCode.bell
            case .submit(let line):
                reaction.output += EscapeCode.cursorRight(columnsToEnd) + "\n"
                isReady = false
                if editor.history.add(line) { reaction.recorded.append(line) }
                reaction.events.append(.line(line))
            case .cancel:
                reaction.output += EscapeCode.cursorRight(columnsToEnd) + "^C\n" + editor.render(prompt: prompt)
                reaction.events.append(.interrupt)
            case .endOfInput:
                reaction.output += "\n"
                isReady = false
                reaction.events.append(.endOfInput)
            case .clearScreen:
                reaction.output += EscapeCode.clearScreen + editor.render(prompt: prompt)
            case .showCompletions(let words):
                reaction.output += lineAbovePrompt(words.joined(separator: "  "))
            }
        }
        if redrawPending && isPromptShown { reaction.output += editor.render(prompt: prompt) }
        if !reaction.recorded.isEmpty { reaction.history = editor.history }
        return reaction
    }

    /// Switches between ready and busy; returns what to draw (the prompt when becoming ready).
    mutating func setReady(_ ready: Bool) -> String {
        guard ready != isReady else { return "" }
        let wasShown = isPromptShown
        isReady = ready
        guard !isClosed else { return "" }
        return ready ? editor.render(prompt: prompt) : (wasShown ? EscapeCode.eraseLine : "")
    }

    /// The writes that show `text` plus a newline on `fd` above the prompt: the
    /// prompt line is erased, the text written, and the prompt and line drawn again
    /// with the cursor where it was. With no prompt shown, only the text.
    func print(_ text: String, to fd: Int32) -> [ScreenWrite] {
        let line = ScreenWrite(fd: fd, text: text + "\n")
        guard isPromptShown else { return [line] }
        if fd == outputFD { return [ScreenWrite(fd: fd, text: lineAbovePrompt(text))] }
        return [ScreenWrite(fd: outputFD, text: EscapeCode.eraseLine), line, ScreenWrite(fd: outputFD, text: editor.render(prompt: prompt))]
    }

    /// `text` on the prompt's row, pushing the prompt and line down to the next one.
    private func lineAbovePrompt(_ text: String) -> String {
        EscapeCode.eraseLine + text + "\n" + editor.render(prompt: prompt)
    }

    /// Stops all drawing; returns what ends a shown prompt line, so the shell's own prompt starts on a fresh one.
    mutating func close() -> String {
        guard !isClosed else { return "" }
        let ending = isPromptShown ? EscapeCode.cursorRight(editor.columnsAfterCursor) + "\n" : ""
        isClosed = true
        return ending
    }
}
