import Foundation
import Glibc
import Synchronization

/// What the REPL hears from the terminal.
enum TerminalEvent: Sendable, Equatable {
    /// A submitted line, without its newline (possibly empty).
    case line(String)
    /// Ctrl-C: cancels a running command; ignored by an idle REPL.
    case interrupt
    /// Ctrl-D on an empty line, or stdin closed or failed.
    case endOfInput
}

/// The interactive terminal for the REPL: raw-mode input with line editing,
/// history and completion, and output that never breaks the line being typed.
///
/// A thin shell: decisions live in `KeyDecoder`, `LineEditor` and
/// `TerminalScreen`; this class reads stdin on a thread of its own, writes
/// what they decide, and keeps the history file. All screen state sits under
/// one lock, held across each write, so a log line from another thread and a
/// redraw can never interleave.
///
/// Use: `open`, then iterate `events()`. The terminal starts busy; call
/// `setReady(true)` to show the prompt, and again after each `.line` (a
/// submitted line makes it busy). Send all output through `print`. Call
/// `restore()` before exiting.
final class LineTerminal: Sendable {
    /// Everything the lock guards.
    private struct State: Sendable {
        var screen: TerminalScreen
        var mode: TerminalMode
        var eventsStarted = false
    }

    /// Bytes asked of one read; a paste larger than this arrives in several reads, which is fine.
    private static let readSize = 4096

    private let state: Mutex<State>
    /// Where keys come from (stdin).
    private let input: Int32
    /// Where the prompt is drawn (stdout).
    private let output: Int32
    /// The history file as loaded; from then on only the reader thread touches its copy.
    private let historyFile: HistoryFile?

    /// Takes over the terminal; nil if stdin or stdout is no terminal or raw mode fails,
    /// in which case the caller reads plain lines instead.
    static func open(prompt: String, completions: [String], historyFile: HistoryFile?) -> LineTerminal? {
        open(prompt: prompt, completions: completions, historyFile: historyFile, input: STDIN_FILENO, output: STDOUT_FILENO)
    }

    /// `open` on any pair of terminal descriptors; tests pass a pseudo-terminal.
    static func open(prompt: String, completions: [String], historyFile: HistoryFile?, input: Int32, output: Int32) -> LineTerminal? {
        guard isatty(input) == 1, isatty(output) == 1 else { return nil }
        var file = historyFile
        let history = file?.load() ?? History()
        guard let mode = TerminalMode.enterRaw(fd: input) else { return nil }
        let editor = LineEditor(history: history, completionWords: completions)
        let screen = TerminalScreen(prompt: prompt, editor: editor, outputFD: output)
        return LineTerminal(screen: screen, mode: mode, input: input, historyFile: file)
    }

    /// A terminal already in raw `mode`, reading keys from `input`.
    private init(screen: TerminalScreen, mode: TerminalMode, input: Int32, historyFile: HistoryFile?) {
        state = Mutex(State(screen: screen, mode: mode))
        self.input = input
        self.output = screen.outputFD
        self.historyFile = historyFile
    }

    /// Starts reading keys and returns the events; only the first call reads, later ones get a finished stream.
    ///
    /// The blocking `read` runs on a dedicated thread so it never holds a thread
    /// of the cooperative pool. The stream stays open after Ctrl-D (the REPL
    /// decides to stop) and finishes when stdin ends; a thread still blocked in
    /// `read` when the program exits simply ends with it.
    func events() -> AsyncStream<TerminalEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: TerminalEvent.self, bufferingPolicy: .unbounded)
        let isFirst = state.withLock { state in
            defer { state.eventsStarted = true }
            return !state.eventsStarted
        }
        guard isFirst else {
            continuation.finish()
            return stream
        }
        let reader = Thread { [self] in readKeys(into: continuation) }
        reader.name = "dht-terminal"
        reader.start()
        return stream
    }

    /// Ready: show the prompt and edit. Busy: hide it, and let only Ctrl-C through.
    func setReady(_ ready: Bool) {
        state.withLock { state in
            _ = RawIO.writeAll(state.screen.setReady(ready), to: output)
        }
    }

    /// Writes `text` and a newline to `fd` (stdout or stderr) above the prompt, which is then drawn again.
    func print(_ text: String, to fd: Int32 = STDOUT_FILENO) {
        state.withLock { state in
            for write in state.screen.print(text, to: fd) {
                RawIO.writeAll(write.text, to: write.fd)
            }
        }
    }

    /// Puts the terminal's settings back and stops drawing; safe to call more than once.
    func restore() {
        state.withLock { state in
            RawIO.writeAll(state.screen.close(), to: output)
            state.mode.restore()
        }
    }

    /// The reader thread: keys in, drawing and events out, until stdin ends or fails.
    private func readKeys(into continuation: AsyncStream<TerminalEvent>.Continuation) {
        var decoder = KeyDecoder()
        var file = historyFile
        while let bytes = RawIO.readSome(from: input, count: Self.readSize) {
            let keys = decoder.decode(bytes)
            guard !keys.isEmpty else { continue }
            let reaction = state.withLock { state in
                let reaction = state.screen.handle(keys)
                RawIO.writeAll(reaction.output, to: output)
                return reaction
            }
            // The file is written outside the lock: a slow disk must not stall output.
            if let history = reaction.history {
                for entry in reaction.recorded { file?.append(entry, keeping: history) }
            }
            for event in reaction.events { continuation.yield(event) }
        }
        continuation.yield(.endOfInput)
        continuation.finish()
    }
}
