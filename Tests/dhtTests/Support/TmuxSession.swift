import Foundation
import Glibc

/// Why talking to tmux failed, or what the screen showed instead of the awaited text.
struct TmuxError: Error, CustomStringConvertible {
    var description: String
}

/// A command running in a detached tmux session of a fixed size, for end-to-end
/// tests of what a person sees in a real terminal: type keys, read the screen.
///
/// Each session has its own tmux server (a unique `-L` socket and no user
/// config), so tests never touch a user's tmux and can run in parallel.
/// Panes stay after their command exits, so its last screen and exit status
/// can still be read. `kill()` (also run by `deinit`) stops the server.
/// Tests should be gated with `.enabled(if: TmuxSession.isAvailable)`. One
/// session is driven from one task at a time (it is not thread-safe). Needs
/// tmux 3.2 or later for `environment` (`new-session -e`).
final class TmuxSession {
    /// The tmux binary found on PATH, or nil when tmux is not installed.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin", "/opt/homebrew/bin"]
        return directories.map { $0 + "/tmux" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Whether tmux is installed, for `.enabled(if:)`.
    static var isAvailable: Bool { executable != nil }

    /// How long a wait takes at most unless told otherwise.
    static let defaultTimeout: Duration = .seconds(10)

    /// The private server's socket name.
    let socketName: String
    private let target = "test"
    /// Where each tmux command's output lands (a file, so the daemon cannot hold it open).
    private let outputPath: String
    /// The server's socket file, which `kill-server` leaves behind.
    private var socketPath: String?
    private var killed = false

    /// Starts `command` (program and arguments, not run through a shell) in a
    /// `width` x `height` pane, with `environment` added to what the server passes on.
    init(_ command: [String], width: Int = 120, height: Int = 30, environment: [String: String] = [:]) throws {
        socketName = "dht-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("\(socketName).out").path
        var arguments = ["start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
                         "new-session", "-d", "-s", target, "-x", "\(width)", "-y", "\(height)"]
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) { arguments += ["-e", "\(name)=\(value)"] }
        arguments += ["--"] + command
        _ = try tmux(arguments)
        socketPath = try? format("#{socket_path}")
    }

    deinit { kill() }

    /// Types `text` literally (tmux `send-keys -l`): no key names are looked up.
    func sendText(_ text: String) throws {
        _ = try tmux(["send-keys", "-t", target, "-l", "--", text])
    }

    /// Presses keys by tmux name, such as `Enter`, `Up`, `Tab`, `BSpace`, `C-c`, `C-d`, `M-b`.
    func sendKeys(_ keys: String...) throws {
        _ = try tmux(["send-keys", "-t", target, "--"] + keys)
    }

    /// Resizes the window, as a person dragging the terminal's edge would (the program gets SIGWINCH).
    func resize(width: Int, height: Int) throws {
        _ = try tmux(["resize-window", "-t", target, "-x", "\(width)", "-y", "\(height)"])
    }

    /// The visible screen, one line per row, trailing blanks trimmed by tmux.
    func capture() throws -> String {
        try tmux(["capture-pane", "-p", "-t", target])
    }

    /// The cursor's column and row, both from 0.
    func cursorPosition() throws -> (column: Int, row: Int) {
        let fields = try format("#{cursor_x} #{cursor_y}").split(separator: " ").compactMap { Int($0) }
        guard fields.count == 2 else { throw TmuxError(description: "no cursor position from tmux") }
        return (fields[0], fields[1])
    }

    /// The name of the program in the pane's foreground, e.g. `sleep` while a shell runs it.
    func foregroundCommand() throws -> String {
        try format("#{pane_current_command}")
    }

    /// Polls until `name` is the pane's foreground program.
    func waitForForeground(_ name: String, timeout: Duration = defaultTimeout) async throws {
        let deadline = ContinuousClock.now + timeout
        while try foregroundCommand() != name {
            if ContinuousClock.now >= deadline {
                throw TmuxError(description: "\(name) not in the foreground within \(timeout) (\(try foregroundCommand()) is)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The command's exit status once it has exited and tmux has reaped it; nil before.
    /// A command killed by a signal gets 128 plus its number, as a shell reports it.
    func exitStatus() throws -> Int32? {
        let fields = try format("#{pane_dead} [#{pane_dead_status}] [#{pane_dead_signal}]").split(separator: " ")
        guard fields.count == 3, fields[0] == "1" else { return nil }
        let status = Int32(fields[1].dropFirst().dropLast())
        let signal = Int32(fields[2].dropFirst().dropLast())
        return status ?? signal.map { 128 + $0 }
    }

    /// Whether the command has exited (its terminal closed), with or without a known status.
    func hasExited() throws -> Bool {
        try format("#{pane_dead}") == "1"
    }

    /// Polls the screen until it contains `text`; returns that screen, or throws
    /// with the last screen once `timeout` has passed.
    @discardableResult
    func waitFor(text: String, timeout: Duration = defaultTimeout) async throws -> String {
        try await waitFor(timeout: timeout, "\(text.debugDescription) on screen") { $0.contains(text) }
    }

    /// Polls the screen until `isDone` holds for it; `what` names the wait in the error.
    @discardableResult
    func waitFor(timeout: Duration = defaultTimeout, _ what: String, until isDone: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            let screen = try capture()
            if isDone(screen) { return screen }
            if ContinuousClock.now >= deadline {
                throw TmuxError(description: "no \(what) within \(timeout); screen:\n\(screen)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Polls until the command has exited and returns its status.
    ///
    /// tmux 3.3 sometimes misses the SIGCHLD of a pane whose terminal it has just
    /// seen close, leaving the status unknown and the child a zombie; a SIGCHLD sent
    /// to our own private server makes it reap and record the status.
    func waitForExit(timeout: Duration = defaultTimeout) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = try exitStatus() { return status }
            if try hasExited(), let server = Int32(try format("#{pid}")) {
                _ = Glibc.kill(server, SIGCHLD)
            }
            if ContinuousClock.now >= deadline {
                throw TmuxError(description: "still running after \(timeout); screen:\n\(try capture())")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Stops the private server and with it the command; safe to call twice.
    func kill() {
        guard !killed else { return }
        killed = true
        _ = try? tmux(["kill-server"])
        unlink(outputPath)
        if let socketPath, !socketPath.isEmpty { unlink(socketPath) }
    }

    /// A tmux format expanded for the pane.
    private func format(_ text: String) throws -> String {
        try tmux(["display-message", "-p", "-t", target, text]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs one tmux client command against the private server and returns its stdout.
    private func tmux(_ arguments: [String]) throws -> String {
        guard let executable = Self.executable else { throw TmuxError(description: "tmux is not installed") }
        var environment = ProcessInfo.processInfo.environment
        environment["TMUX"] = nil  // a test run inside tmux must still start its own server
        if (environment["TERM"] ?? "").isEmpty || environment["TERM"] == "dumb" { environment["TERM"] = "xterm-256color" }
        let status = try CleanSpawn.run(executable, ["-L", socketName, "-f", "/dev/null"] + arguments,
                                        environment: environment, outputPath: outputPath)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            throw TmuxError(description: "tmux \(arguments.joined(separator: " ")) failed (\(status)): \(output)")
        }
        return output
    }
}
