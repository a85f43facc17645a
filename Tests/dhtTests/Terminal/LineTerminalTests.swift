import Foundation
import Glibc
import Testing
@testable import dht

/// The whole line terminal on a pseudo-terminal: keys in, screen bytes and events out.
@Suite(.timeLimit(.minutes(1)))
struct LineTerminalTests {
    private static let clear = "\u{1b}[J"

    /// Waits for the next event; nil once the stream has finished.
    private func next(_ events: inout AsyncStream<TerminalEvent>.Iterator) async -> TerminalEvent? {
        await events.next()
    }

    @Test func refusesWhenStdinOrStdoutIsNoTerminal() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        let pty = try PseudoTerminal()
        #expect(LineTerminal.open(prompt: "> ", completions: [], historyFile: nil, input: ends[0], output: pty.slave) == nil)
        #expect(LineTerminal.open(prompt: "> ", completions: [], historyFile: nil, input: pty.slave, output: ends[1]) == nil)
    }

    @Test func editsSubmitsPrintsAboveThePromptAndKeepsHistory() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dht-terminal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let historyPath = directory.appendingPathComponent("history").path
        try Data("status\n".utf8).write(to: URL(fileURLWithPath: historyPath))

        let pty = try PseudoTerminal()
        let terminal = try #require(LineTerminal.open(
            prompt: "> ", completions: ["put", "get"], historyFile: HistoryFile(path: historyPath),
            input: pty.slave, output: pty.slave))
        var events = terminal.events().makeAsyncIterator()

        terminal.setReady(true)
        try await pty.waitFor("\r\(Self.clear)> ")
        pty.type("ge\t")
        try await pty.waitFor("\r\(Self.clear)> get ")
        pty.type("key")
        try await pty.waitFor("\r\(Self.clear)> get key")
        pty.type("\u{1b}[D")
        try await pty.waitFor("\r\(Self.clear)> get key\u{1b}[1D")

        // Output from elsewhere goes above the line, which comes back with the cursor in place.
        pty.clearScreen()
        terminal.print("log line", to: pty.slave)
        try await pty.waitFor("\r\(Self.clear)log line\r\n\r\(Self.clear)> get key\u{1b}[1D")

        pty.type("\r")
        #expect(await next(&events) == .line("get key"))
        pty.clearScreen()
        terminal.print("reply", to: pty.slave)
        try await pty.waitFor("reply\r\n")
        #expect(!pty.screenText.contains(">"))

        // Busy: typing waits for the prompt, and Ctrl-C interrupts and drops it.
        pty.type("ignored\u{03}")
        #expect(await next(&events) == .interrupt)

        terminal.setReady(true)
        pty.type("\u{1b}[A")
        try await pty.waitFor("\r\(Self.clear)> get key")
        pty.type("\u{1b}[A")
        try await pty.waitFor("\r\(Self.clear)> status")
        pty.type("\u{03}")
        try await pty.waitFor("^C\r\n\r\(Self.clear)> ")
        #expect(await next(&events) == .interrupt)
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: historyPath)), as: UTF8.self) == "status\nget key\n")

        pty.type("\u{04}")
        #expect(await next(&events) == .endOfInput)
        terminal.restore()
        terminal.restore()
        var settings = termios()
        #expect(tcgetattr(pty.slave, &settings) == 0)
        #expect(settings.c_lflag & tcflag_t(ICANON | ECHO) == tcflag_t(ICANON | ECHO))

        // A hang-up ends the stream.
        pty.closeMaster()
        #expect(await next(&events) == .endOfInput)
        #expect(await next(&events) == nil)
    }

    @Test func onlyTheFirstEventsCallReads() async throws {
        let pty = try PseudoTerminal()
        let terminal = try #require(LineTerminal.open(prompt: "> ", completions: [], historyFile: nil, input: pty.slave, output: pty.slave))
        var first = terminal.events().makeAsyncIterator()
        var second = terminal.events().makeAsyncIterator()
        #expect(await next(&second) == nil)
        terminal.restore()
        pty.closeMaster()
        #expect(await next(&first) == .endOfInput)
    }
}
