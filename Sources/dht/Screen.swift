import Glibc
import Synchronization

/// Where a session's replies, warnings and prompt go; the program's is `Screen`, tests collect.
protocol SessionScreen: Sendable {
    /// Writes one reply (lines joined by "\n") to stdout.
    func reply(_ text: String)
    /// Writes one line to stderr.
    func warn(_ text: String)
    /// Shows the prompt (ready for a command) or hides it (a command is running).
    func setReady(_ ready: Bool)
}

/// A line editor that owns the terminal: output goes above its prompt, never through it.
protocol LineDisplay: Sendable {
    /// Writes `text` and a newline to `fd` above the prompt and the line being typed.
    func print(_ text: String, to fd: Int32)
    /// Shows the prompt and takes keys (true) or hides it while a command runs (false).
    func setReady(_ ready: Bool)
    /// Gives the terminal back as it was.
    func restore()
}

/// The process's stdout and stderr: through the line editor when one is attached, so a
/// log line from another thread never breaks what the user is typing; plain writes
/// otherwise, with `> ` prompts when a person types without an editor.
final class Screen: SessionScreen {
    private let display = Mutex<(any LineDisplay)?>(nil)
    /// Print `> ` when ready: stdin is a terminal but no line editor could take it.
    private let plainPrompt: Bool

    init(plainPrompt: Bool) {
        self.plainPrompt = plainPrompt
    }

    /// Routes all further output through `editor`.
    func attach(_ editor: any LineDisplay) {
        display.withLock { $0 = editor }
    }

    /// Gives the terminal back and writes plainly from now on.
    func detach() {
        let editor = display.withLock { current -> (any LineDisplay)? in
            defer { current = nil }
            return current
        }
        editor?.restore()
    }

    func reply(_ text: String) { write(text, to: STDOUT_FILENO) }

    func warn(_ text: String) { write(text, to: STDERR_FILENO) }

    func setReady(_ ready: Bool) {
        if let editor = display.withLock({ $0 }) {
            editor.setReady(ready)
        } else if ready && plainPrompt {
            Console.printRaw("> ")
        }
    }

    /// Whether plain `> ` prompts are shown, so end of input ends the prompt line.
    var showsPlainPrompt: Bool { plainPrompt && display.withLock { $0 == nil } }

    private func write(_ text: String, to fd: Int32) {
        if let editor = display.withLock({ $0 }) {
            editor.print(text, to: fd)
        } else if fd == STDERR_FILENO {
            Console.printError(text)
        } else {
            Console.printLine(text)
        }
    }
}
