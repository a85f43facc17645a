import Foundation
import Kademlia
import Testing
@testable import dht

/// The real binary on a pseudo-terminal through tmux: what a person sees while typing.
@Suite(.enabled(if: TmuxSession.isAvailable, "tmux is not installed"), .timeLimit(.minutes(2)))
struct TerminalProcessTests {
    /// A temporary history file path, unique per test.
    private func historyPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dht-history-\(UUID().uuidString)").path
    }

    /// Starts `dht` in a pane and waits for its first prompt.
    private func start(_ arguments: [String]) async throws -> TmuxSession {
        let session = try TmuxSession([try ReplProcess.binaryURL().path, "0", "--bind", "127.0.0.1"] + arguments)
        // tmux trims trailing blanks, so an empty prompt reads as ">".
        try await session.waitFor(timeout: .seconds(10), "the prompt") { screen in
            screen.split(separator: "\n").contains { $0 == ">" || $0.hasPrefix("> ") }
        }
        return session
    }

    /// The last line of the screen that is not blank.
    private func lastLine(_ screen: String) -> String {
        String(screen.split(separator: "\n").last { !$0.allSatisfy { $0 == " " } } ?? "")
    }

    @Test func lineEditingHistoryAndCompletion() async throws {
        let history = historyPath()
        defer { try? FileManager.default.removeItem(atPath: history) }
        let session = try await start(["--history-file", history])
        defer { session.kill() }
        try session.sendText("put k1 hello")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "Stored key 'k1' at 1 nodes")

        // Fix a typo in the middle: "gt k1" -> Home, Right, "e" -> "get k1".
        try session.sendText("gt k1")
        try session.sendKeys("Home", "Right")
        try session.sendText("e")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "Value: hello")

        // Tab completes a command word; Ctrl-U drops a recalled line.
        try session.sendKeys("Up")
        try await session.waitFor(timeout: .seconds(5), "the recalled line") { self.lastLine($0) == "> get k1" }
        try session.sendKeys("C-u")
        try session.sendText("sta")
        try session.sendKeys("Tab")
        try await session.waitFor(timeout: .seconds(5), "completion") { self.lastLine($0) == "> status" }
        try session.sendKeys("Enter")
        try await session.waitFor(text: "=== Node Status ===")

        // Up twice reaches "get k1"; Ctrl-W deletes its last word, End and Left move.
        try session.sendKeys("Up", "Up")
        try await session.waitFor(timeout: .seconds(5), "the older entry") { self.lastLine($0) == "> get k1" }
        try session.sendKeys("C-w")
        try session.sendText("k2")
        try session.sendKeys("Left", "Left", "C-a", "C-e", "BSpace")
        try session.sendText("1")
        try session.sendKeys("Enter")
        try await session.waitFor(timeout: .seconds(5), "the second read") { $0.components(separatedBy: "Value: hello").count == 3 }
        let screen = try session.capture()
        #expect(!screen.contains("^[["), "no raw escape sequences on screen: \(screen)")

        try session.sendKeys("C-d")
        try await session.waitFor(text: "Goodbye!")
        #expect(try await session.waitForExit() == 0)
        let saved = try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n")
        #expect(saved == ["put k1 hello", "get k1", "status ", "get k1"], "lines kept verbatim (Tab added the blank): \(saved)")
    }

    @Test func ctrlCDropsTheLineAndCancelsTheRunningCommand() async throws {
        let silent = try SilentUDPSocket()
        let session = try await start(["--history-file", ""])
        defer { session.kill() }
        try session.sendText("put junk value")
        try session.sendKeys("C-c")
        try await session.waitFor(text: "^C")
        try session.sendText("keys")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "No keys stored on this node")

        // The join waits 2 s for a silent node; Ctrl-C gives the prompt back at once.
        try session.sendText("join 127.0.0.1:\(silent.port)")
        try session.sendKeys("Enter")
        try await Task.sleep(for: .milliseconds(200))
        try session.sendKeys("C-c")
        try await session.waitFor(timeout: .seconds(1), "Cancelled") { $0.contains("Cancelled") }
        try await Task.sleep(for: .seconds(3))
        #expect(!(try session.capture()).contains("Could not join"), "the cancelled command's reply is dropped")
        try session.sendText("quit")
        try session.sendKeys("Enter")
        #expect(try await session.waitForExit() == 0)
        withExtendedLifetime(silent) {}
    }

    @Test func aLogLineArrivingWhileTypingLeavesTheLineWhole() async throws {
        let session = try await start(["--log-level", "debug", "--history-file", ""])
        defer { session.kill() }
        let banner = try await session.waitFor(text: "listening on UDP 127.0.0.1:")
        let port = try #require(banner.split(separator: "\n").first { $0.contains("listening on UDP") }
            .flatMap { $0.split(separator: ";").first?.split(separator: ":").last }.flatMap { UInt16($0) })

        try session.sendText("put abc de")
        try await session.waitFor(timeout: .seconds(5), "the typed line") { self.lastLine($0) == "> put abc de" }
        // Another node joins: this one logs every query it answers, above the prompt.
        let peer = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { peer.stop() }
        _ = try await peer.bootstrap([SocketAddress.loopback(port: port)])
        let screen = try await session.waitFor(text: "ping from 127.0.0.1:\(peer.address.port)")
        #expect(lastLine(screen) == "> put abc de", "the prompt and the half-typed line are redrawn below the log: \(screen)")

        try session.sendText("f")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "Stored key 'abc' at 2 nodes")
        #expect(peer.localValue(for: "abc")?.value == Array("def".utf8))
        try session.sendText("quit")
        try session.sendKeys("Enter")
        #expect(try await session.waitForExit() == 0)
    }
}
