import Foundation
import Glibc
@testable import dht

/// Why talking to a child `dht` failed; carries what it printed, for the test report.
struct ReplProcessError: Error, CustomStringConvertible {
    var description: String
}

/// A running `dht` binary with piped stdin, stdout and stderr, for end-to-end tests.
///
/// Every wait has a deadline so a broken build fails a test instead of hanging
/// the suite. Call `kill()` in a `defer`; `deinit` does it too as a safety net.
final class ReplProcess {
    /// How long one expected line or exit may take by default.
    static let defaultTimeout: Duration = .seconds(10)

    private let process = Process()
    private let input = Pipe()
    private let stdout = StreamCollector()
    private let stderr = StreamCollector()
    private let arguments: [String]

    /// Starts `dht` with `arguments`; `environment` replaces the inherited one when given,
    /// and `stdinClosed` gives the child /dev/null instead of a pipe, as under a service manager.
    init(_ arguments: [String], environment: [String: String]? = nil, stdinClosed: Bool = false) throws {
        // A child that exits early must make our writes fail, not kill the test runner.
        _ = Glibc.signal(SIGPIPE, SIG_IGN)
        self.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.executableURL = try Self.binaryURL()
        process.arguments = arguments
        process.standardInput = stdinClosed ? FileHandle.nullDevice : input
        if let environment { process.environment = environment }
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        stdout.start(reading: output.fileHandleForReading)
        stderr.start(reading: errors.fileHandleForReading)
    }

    deinit { kill() }

    /// The program to test: $DHT_BINARY (for `dht`), else the one SwiftPM built next to the test bundle.
    static func binaryURL(named name: String = "dht") throws -> URL {
        if name == "dht", let path = ProcessInfo.processInfo.environment["DHT_BINARY"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let bundle = Bundle.main.bundleURL
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            bundle,
            bundle.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw ReplProcessError(description: "no \(name) binary in \(candidates.map(\.path)); build it or set DHT_BINARY")
        }
        return found
    }

    /// Writes one line to the child's stdin.
    func send(_ line: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Closes the child's stdin: end of input.
    func closeInput() throws {
        try input.fileHandleForWriting.close()
    }

    /// The next stdout line, waiting at most `timeout`.
    func readLine(timeout: Duration = defaultTimeout) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = stdout.takeLine() { return line }
            if stdout.isFinished { throw failure("stdout ended") }
            if ContinuousClock.now >= deadline { throw failure("no stdout line within \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Stdout lines up to and including the first one that satisfies `isLast`.
    func readLines(timeout: Duration = defaultTimeout, until isLast: (String) -> Bool) async throws -> [String] {
        var lines: [String] = []
        while true {
            let line = try await readLine(timeout: timeout)
            lines.append(line)
            if isLast(line) { return lines }
        }
    }

    /// Sends a one-line command and returns its one-line reply.
    func command(_ line: String, timeout: Duration = defaultTimeout) async throws -> String {
        try send(line)
        return try await readLine(timeout: timeout)
    }

    /// The next stderr line that is not part of the start-up banner, waiting at most `timeout`.
    func readErrorLine(timeout: Duration = defaultTimeout) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = stderr.takeLine() {
                if Self.bannerPrefixes.contains(where: { line.hasPrefix($0) }) { continue }
                return line
            }
            if stderr.isFinished { throw failure("stderr ended") }
            if ContinuousClock.now >= deadline { throw failure("no stderr line within \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Sends a one-line command that fails and returns its one-line reply, which goes to stderr.
    func failingCommand(_ line: String, timeout: Duration = defaultTimeout) async throws -> String {
        try send(line)
        return try await readErrorLine(timeout: timeout)
    }

    /// Sends `status` and returns the whole block.
    func status(timeout: Duration = defaultTimeout) async throws -> [String] {
        try send("status")
        return try await readLines(timeout: timeout) { $0 == "==================" }
    }

    /// The port from `status`'s `Address: 127.0.0.1:PORT` line.
    func port(timeout: Duration = defaultTimeout) async throws -> UInt16 {
        let block = try await status(timeout: timeout)
        guard let line = block.first(where: { $0.hasPrefix("Address: ") }),
              let colon = line.lastIndex(of: ":"), let port = UInt16(line[line.index(after: colon)...]) else {
            throw failure("no Address line in \(block)")
        }
        return port
    }

    /// Waits for the child to exit and returns its exit status.
    func waitForExit(timeout: Duration = defaultTimeout) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { throw failure("still running after \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus
    }

    /// Everything the child wrote to stdout that no `readLine` has taken yet, once it has ended.
    func remainingOutput(timeout: Duration = defaultTimeout) async throws -> String {
        try await stdout.waitUntilFinished(timeout: timeout)
        return stdout.takeRest()
    }

    /// Everything the child has written to stderr so far.
    var errorOutput: String { stderr.all }

    /// Stderr so far without the start-up banner (`Banner`), which every node prints.
    var errorOutputAfterBanner: String {
        stderr.all.split(separator: "\n").filter { line in !Self.bannerPrefixes.contains { line.hasPrefix($0) } }
            .map { $0 + "\n" }.joined()
    }

    /// How the start-up banner's lines begin.
    static let bannerPrefixes = ["dht \(Output.version): node ", "listening on UDP ", "no bootstrap node given: ", "joined through ",
                                 Output.replHint]

    /// Stderr lines, once the child has closed it (on exit).
    func errorLines(timeout: Duration = defaultTimeout) async throws -> [String] {
        try await stderr.waitUntilFinished(timeout: timeout)
        return stderr.all.split(separator: "\n").map(String.init)
    }

    /// Sends `number` (SIGTERM, SIGINT, ...) to the child.
    func signal(_ number: Int32) {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, number) }
    }

    /// The port from the banner's `listening on UDP HOST:PORT` line, for nodes that read no commands.
    func bannerPort(timeout: Duration = defaultTimeout) async throws -> UInt16 {
        let line = try await waitForError(containing: "listening on UDP ", timeout: timeout)
        let address = line.split(separator: " ").dropFirst(3).first?.prefix { $0 != ";" } ?? ""
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...]) else {
            throw failure("no port in banner line \(line)")
        }
        return port
    }

    /// The first stderr line containing `text`, waiting at most `timeout`.
    @discardableResult
    func waitForError(containing text: String, timeout: Duration = defaultTimeout) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let line = stderr.all.split(separator: "\n").first(where: { $0.contains(text) }) { return String(line) }
            if ContinuousClock.now >= deadline { throw failure("no stderr line with \(text.debugDescription) within \(timeout)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Kills the child at once if it still runs; safe to call twice.
    func kill() {
        if process.isRunning { _ = Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    private func failure(_ what: String) -> ReplProcessError {
        ReplProcessError(description: "dht \(arguments.joined(separator: " ")): \(what); stdout so far: \(stdout.all.debugDescription); stderr: \(stderr.all.debugDescription)")
    }
}
