import Testing

/// Proves the tmux harness on programs everyone has, before the REPL is driven through it.
@Suite(.enabled(if: TmuxSession.isAvailable, "tmux is not installed"), .timeLimit(.minutes(1)))
struct TmuxSessionTests {
    @Test func drivesAShellWithTextKeyNamesAndExitStatus() async throws {
        let session = try TmuxSession(["sh"], environment: ["DHT_TMUX_PROBE": "probe-value"])
        defer { session.kill() }
        // Quoting splits the word as typed, so only the command's output shows it whole,
        // wherever it lands: on a loaded machine sh may print its prompt after the typing.
        try session.sendText("echo hel''lo-from-sh")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "hello-from-sh")
        try session.sendText("echo \"$DHT_TMUX_PROBE\"")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "probe-value")

        // C-c reaches the command as SIGINT: the harness started tmux with no signals blocked.
        try session.sendText("sleep 30")
        try session.sendKeys("Enter")
        try await session.waitForForeground("sleep")
        try session.sendKeys("C-c")
        try await session.waitForForeground("sh")
        try session.sendText("echo after-interrupt")
        try session.sendKeys("Enter")
        try await session.waitFor(text: "\nafter-interrupt")

        #expect(try session.exitStatus() == nil)
        try session.sendText("exit 3")
        try session.sendKeys("Enter")
        #expect(try await session.waitForExit() == 3)
    }

    @Test func fixedSizeCursorAndEchoOfKeysInCat() async throws {
        let session = try TmuxSession(["cat"], width: 100, height: 20)
        defer { session.kill() }
        try session.sendText("abc")
        try await session.waitFor(text: "abc")
        #expect(try session.cursorPosition() == (column: 3, row: 0))
        try session.sendKeys("Enter")
        // The terminal echoes the line, then cat writes it back.
        let screen = try await session.waitFor("cat's copy of the line") { screen in
            screen.split(separator: "\n").prefix(2) == ["abc", "abc"]
        }
        #expect(screen.split(separator: "\n", omittingEmptySubsequences: false).count >= 20)
        // Only that cat ends is checked, not how: on a loaded CI machine tmux 3.3 has once
        // recorded SIGHUP for a cat that read end-of-file. Exit statuses are `sh`'s test above.
        try session.sendKeys("C-d")
        _ = try await session.waitFor("the pane to close") { _ in (try? session.hasExited()) ?? false }
    }
}
