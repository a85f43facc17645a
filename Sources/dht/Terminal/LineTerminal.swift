import Dispatch
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
        /// Where events go once `events()` was called; yielded under the lock, so they stay in order.
        var events: AsyncStream<TerminalEvent>.Continuation?
        var eventsStarted = false
    }

    /// Bytes asked of one read; a paste larger than this arrives in several reads, which is fine.
    private static let readSize = 4096

    private let state: Mutex<State>
    /// Where keys come from (stdin).
    private let input: Int32
    /// Where the prompt is drawn (stdout).
    private let output: Int32
    /// The history file, written outside the screen's lock: a slow disk must not stall output.
    private let historyFile: Mutex<HistoryFile?>
    /// Redraws for the new width when the terminal is resized (SIGWINCH).
    private let resizeWatch: Mutex<(any DispatchSourceSignal)?> = Mutex(nil)

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
        let screen = TerminalScreen(prompt: prompt, editor: editor, outputFD: output, columns: columns(of: output))
        let terminal = LineTerminal(screen: screen, mode: mode, input: input, historyFile: file)
        terminal.watchResizes()
        return terminal
    }

    /// The width of the terminal on `fd`, 80 when it will not say.
    static func columns(of fd: Int32) -> Int {
        var size = winsize()
        let answered = withUnsafeMutablePointer(to: &size) { ioctl(fd, UInt(TIOCGWINSZ), $0) }
        return answered == 0 && size.ws_col > 0 ? Int(size.ws_col) : 80
    }

    /// Redraws the line for the new width on every SIGWINCH.
    private func watchResizes() {
        resizeWatch.withLock { watch in
            let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: DispatchQueue(label: "dht-resize"))
            source.setEventHandler { [weak self] in self?.resize() }
            source.resume()
            watch = source
        }
    }

    /// Reads the new width and draws the line again for it.
    private func resize() {
        let columns = Self.columns(of: output)
        state.withLock { state in
            _ = RawIO.writeAll(state.screen.resize(columns: columns), to: output)
        }
    }

    /// A terminal already in raw `mode`, reading keys from `input`.
    private init(screen: TerminalScreen, mode: TerminalMode, input: Int32, historyFile: HistoryFile?) {
        state = Mutex(State(screen: screen, mode: mode))
        self.input = input
        self.output = screen.outputFD
        self.historyFile = Mutex(historyFile)
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
            guard !state.eventsStarted else { return false }
            state.events = continuation
            return true
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

    /// Ready: show the prompt and edit, starting with the keys typed meanwhile.
    /// Busy: hide it; Ctrl-C interrupts, other keys wait for the prompt.
    func setReady(_ ready: Bool) {
        record(state.withLock { state in carryOut(state.screen.setReady(ready), in: &state) })
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
        resizeWatch.withLock { watch in
            watch?.cancel()
            watch = nil
        }
    }

    /// The reader thread: keys in, drawing and events out, until stdin ends or fails.
    private func readKeys(into continuation: AsyncStream<TerminalEvent>.Continuation) {
        var decoder = KeyDecoder()
        while let bytes = RawIO.readSome(from: input, count: Self.readSize) {
            let keys = decoder.decode(bytes)
            guard !keys.isEmpty else { continue }
            record(state.withLock { state in carryOut(state.screen.handle(keys), in: &state) })
        }
        continuation.yield(.endOfInput)
        continuation.finish()
    }

    /// Writes a reaction's bytes and sends its events, under the lock so both stay in order.
    private func carryOut(_ reaction: ScreenReaction, in state: inout State) -> ScreenReaction {
        RawIO.writeAll(reaction.output, to: output)
        for event in reaction.events { state.events?.yield(event) }
        return reaction
    }

    /// Appends the lines a reaction recorded to the history file, outside the screen's lock.
    private func record(_ reaction: ScreenReaction) {
        guard let history = reaction.history else { return }
        historyFile.withLock { file in
            for entry in reaction.recorded { file?.append(entry, keeping: history) }
        }
    }
}
