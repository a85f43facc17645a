import Foundation
import Testing
@testable import dht

/// The real binary in tmux: what a newcomer is told at the prompt, and `dht ... &` from a shell.
@Suite(.enabled(if: TmuxSession.isAvailable, "tmux is not installed"), .timeLimit(.minutes(2)))
struct HintsAndBackgroundProcessTests {
    @Test func theBannerNamesHelpAndCtrlCAtAnEmptyPromptSaysHowToLeave() async throws {
        let session = try TmuxSession([try ReplProcess.binaryURL().path, "0", "--bind", "127.0.0.1", "--history-file", ""])
        defer { session.kill() }
        try await session.waitFor(text: Output.replHint)
        try await session.waitFor(timeout: .seconds(10), "the prompt") { $0.split(separator: "\n").contains { $0 == ">" } }
        try session.sendKeys("C-c")
        try await session.waitFor(text: "^C\n" + Output.interruptHint)
        // With text on the line, Ctrl-C only drops it: no hint.
        try session.sendText("put half")
        try session.sendKeys("C-c")
        let screen = try await session.waitFor(text: "> put half^C")
        #expect(screen.components(separatedBy: Output.interruptHint).count == 2, "the hint once, for the empty line: \(screen)")
        try session.sendKeys("C-d")
        #expect(try await session.waitForExit() == 0)
    }

    @Test func startedInTheBackgroundItRunsAsAServiceInsteadOfFightingTheShell() async throws {
        let session = try TmuxSession(["sh"])
        defer { session.kill() }
        let binary = try ReplProcess.binaryURL().path
        try session.sendText("\(binary) 0 --bind 127.0.0.1 --history-file '' &\r")
        try await session.waitFor(text: "started in the background, so no prompt: running as with --no-repl")
        try await session.waitFor(text: "listening on UDP 127.0.0.1:")
        // Seconds later it still runs, and the shell still has its terminal.
        try await Task.sleep(for: .seconds(2))
        try session.sendText("jobs; echo shell-still-here\r")
        let screen = try await session.waitFor(text: "\nshell-still-here")
        #expect(screen.contains("Running"), "\(screen)")
        #expect(!screen.contains("Stopped"), "\(screen)")
        try session.sendText("kill %1; wait; echo exit-status-$?\r")
        try await session.waitFor(text: "Goodbye!")
        try await session.waitFor(text: "exit-status-0")
    }
}
