import Glibc
import Kademlia

/// Unbuffered writes to stdout and stderr.
///
/// Each call is one `write(2)`, so output is flushed at once (scripts read it
/// through pipes) and a log line from another thread never lands inside a
/// REPL line. Glibc's `stdout`/`stderr` globals are avoided because Swift 6
/// treats them as shared mutable state.
enum Console {
    /// Writes `text` followed by a newline to stdout.
    static func printLine(_ text: String) {
        write(text + "\n", to: STDOUT_FILENO)
    }

    /// Writes `text` as is (no newline) to stdout; used for the prompt.
    static func printRaw(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    /// Writes `text` followed by a newline to stderr.
    static func printError(_ text: String) {
        write(text + "\n", to: STDERR_FILENO)
    }

    /// A log sink writing records in `format` through `screen` (to stderr).
    static func logSink(format: LogFormat, screen: Screen) -> LogSink {
        { record in screen.warn(LogLine.format(record, as: format)) }
    }

    /// Whether standard input is a terminal, which decides if a prompt is shown.
    static var stdinIsTerminal: Bool {
        isatty(STDIN_FILENO) == 1
    }

    /// Whether stdin is a terminal whose foreground is another process group: started with `&`.
    static var startedInTheBackground: Bool {
        guard isatty(STDIN_FILENO) == 1 else { return false }
        let foreground = tcgetpgrp(STDIN_FILENO)
        return foreground >= 0 && foreground != getpgrp()
    }

    /// Ignores SIGTTOU, so a background process whose terminal has `tostop` set still writes
    /// its log lines instead of being stopped by the first one.
    static func keepRunningWhenWritingInTheBackground() {
        _ = signal(SIGTTOU, SIG_IGN)
    }

    /// Makes a closed reader pipe an ignorable write error instead of a fatal signal.
    static func ignoreBrokenPipes() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Writes every byte (see `RawIO.writeAll`); output that cannot be written is dropped.
    static func write(_ text: String, to fd: Int32) {
        RawIO.writeAll(text, to: fd)
    }
}
