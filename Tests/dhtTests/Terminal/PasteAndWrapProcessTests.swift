import Foundation
import Testing
@testable import dht

/// The real binary in a 100-column tmux pane: pasted and typed-ahead lines all run, in
/// order, and lines wider than the terminal (and wide characters) edit and redraw cleanly.
@Suite(.enabled(if: TmuxSession.isAvailable, "tmux is not installed"), .timeLimit(.minutes(2)))
struct PasteAndWrapProcessTests {
    /// Starts `dht` alone on loopback in a `width`-column pane and waits for its prompt.
    private func start(width: Int = 100) async throws -> TmuxSession {
        let session = try TmuxSession([try ReplProcess.binaryURL().path, "0", "--bind", "127.0.0.1", "--history-file", ""],
                                      width: width, height: 40)
        try await session.waitFor(timeout: .seconds(10), "the prompt") { screen in
            screen.split(separator: "\n").contains { $0 == ">" || $0.hasPrefix("> ") }
        }
        return session
    }

    /// The screen's rows from the last one starting with `> ` (the prompt), trailing blank rows dropped.
    private func promptRows(_ screen: String) -> [String] {
        let rows = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = rows.lastIndex(where: { $0.hasPrefix("> ") || $0 == ">" }) else { return [] }
        var shown = Array(rows[start...])
        while shown.last?.isEmpty == true { shown.removeLast() }
        return shown
    }

    @Test func aPasteOfThreeLinesRunsEveryLineInOrder() async throws {
        let session = try await start()
        defer { session.kill() }
        // One write, as a terminal delivers a paste: CR ends each line.
        try session.sendText("put p1 one\rput p2 two\rget p1\r")
        let screen = try await session.waitFor(text: "Value: one")
        let replies = screen.split(separator: "\n").filter { $0.hasPrefix("Stored") || $0.hasPrefix("Value") }
        #expect(replies == ["Stored key 'p1' at 1 nodes", "Stored key 'p2' at 1 nodes", "Value: one"])

        // Typed ahead while a command runs (a join that waits 2 s on a silent node): each line runs after it.
        let silent = try SilentUDPSocket()
        try session.sendText("join 127.0.0.1:\(silent.port)\r")
        try await Task.sleep(for: .milliseconds(200))
        try session.sendText("get p2\r")
        try session.sendText("keys\r")
        let after = try await session.waitFor(timeout: .seconds(10), "both typed-ahead replies") { $0.contains("2 values") }
        let order = ["Could not join", "Value: two", "2 values"].map { after.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order == order.sorted { ($0 ?? after.endIndex) < ($1 ?? after.endIndex) },
                "the join's reply, then the two typed-ahead ones: \(after)")
        withExtendedLifetime(silent) {}
        try session.sendText("quit\r")
        #expect(try await session.waitForExit() == 0)
    }

    @Test func aLineWiderThanTheTerminalEditsWithoutStaleRows() async throws {
        let session = try await start()
        defer { session.kill() }
        let line = "put long " + String(repeating: "x", count: 212)
        try session.sendText(line)
        try session.sendKeys("Enter")
        try await session.waitFor(text: "Stored key 'long' at 1 nodes")

        // The keys: Up, Home, Right x4, Left, then Backspace; each redraw must leave the line whole.
        try session.sendKeys("Up", "Home", "Right", "Right", "Right", "Right", "Left")
        try await session.waitFor(timeout: .seconds(5), "the cursor after 'put'") { _ in
            (try? session.cursorPosition().column) == 5
        }
        try session.sendKeys("BSpace")
        let edited = "pu long " + String(repeating: "x", count: 212)
        let rows = [String(("> " + edited).prefix(100)), String(("> " + edited).dropFirst(100).prefix(100)),
                    String(("> " + edited).dropFirst(200))]
        let screen = try await session.waitFor(timeout: .seconds(5), "the edited line on three rows") { self.promptRows($0) == rows }
        #expect(promptRows(screen) == rows)
        #expect(try session.cursorPosition().column == 4)

        // A narrower window: the line is drawn again for 60 columns.
        try session.resize(width: 60, height: 40)
        let narrow = ("> " + edited)
        let narrowRows = stride(from: 0, to: narrow.count, by: 60).map { String(narrow.dropFirst($0).prefix(60)) }
        try await session.waitFor(timeout: .seconds(5), "the line at 60 columns") { self.promptRows($0) == narrowRows }
        try session.sendKeys("C-e", "C-u")
        try session.sendText("get 中文😀")
        try await session.waitFor(timeout: .seconds(5), "the wide key") { self.promptRows($0) == ["> get 中文😀"] }
        #expect(try session.cursorPosition().column == 12, "two columns per wide character")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "Key '中文😀' not found")
        try session.sendText("quit\r")
        #expect(try await session.waitForExit() == 0)
    }
}
