import Glibc
import Testing
@testable import dht

/// The terminal's decisions as bytes and events, without a terminal.
@Suite struct TerminalScreenTests {
    private static let clear = "\u{1b}[J"
    private static let stdout = STDOUT_FILENO
    private static let stderr = STDERR_FILENO

    /// A screen with prompt "> ", `columns` wide, made ready (its first drawing discarded).
    private func readyScreen(history: [String] = [], words: [String] = ["put", "get"], columns: Int = 80) -> TerminalScreen {
        var recall = History()
        for entry in history { recall.add(entry) }
        var screen = TerminalScreen(prompt: "> ", editor: LineEditor(history: recall, completionWords: words), columns: columns)
        _ = screen.setReady(true)
        return screen
    }

    /// Decodes `text` into keys and hands them over in one batch.
    private func press(_ text: String, on screen: inout TerminalScreen) -> ScreenReaction {
        var decoder = KeyDecoder()
        return screen.handle(decoder.decode(Array(text.utf8)))
    }

    @Test func startsBusyAndDrawsThePromptWhenReady() {
        var screen = TerminalScreen(prompt: "> ", editor: LineEditor())
        #expect(!screen.isPromptShown)
        #expect(screen.setReady(true).output == "\r\(Self.clear)> ")
        #expect(screen.setReady(true) == ScreenReaction())
        #expect(screen.isPromptShown)
    }

    @Test func aBatchOfTypingIsDrawnOnce() {
        var screen = readyScreen()
        #expect(press("get k", on: &screen) == ScreenReaction(output: "\r\(Self.clear)> get k"))
        #expect(press("\u{1b}[D", on: &screen).output == "\r\(Self.clear)> get k\u{1b}[1D")
    }

    @Test func theCursorCountsColumnsNotBytesOrCharacters() {
        var screen = readyScreen()
        _ = press("é€😀中x", on: &screen)
        // x is one column, 中 and 😀 two each: three Left keys put the cursor before 😀, 5 columns from the end.
        #expect(press("\u{1b}[D\u{1b}[D\u{1b}[D", on: &screen).output.hasSuffix("é€😀中x\u{1b}[5D"))
    }

    @Test func enterEndsTheLineSendsItAndGoesBusy() {
        var screen = readyScreen()
        _ = press("get k", on: &screen)
        let reaction = press("\u{1b}[D\u{1b}[D\r", on: &screen)
        // Only typed characters wait to be drawn together; each arrow is drawn, then
        // Enter moves the cursor to the end before the newline.
        #expect(reaction.output == "\r\(Self.clear)> get k\u{1b}[1D" + "\r\(Self.clear)> get k\u{1b}[2D" + "\u{1b}[2C\n")
        #expect(reaction.events == [.line("get k")])
        #expect(reaction.recorded == ["get k"])
        #expect(reaction.history?.entries == ["get k"])
        #expect(!screen.isPromptShown)
    }

    @Test func keysAfterEnterWaitAndRunWhenThePromptReturns() {
        var screen = readyScreen()
        // A paste of three lines: the first runs, the others wait for the prompt.
        let reaction = press("put p1 one\rput p2 two\rget p", on: &screen)
        #expect(reaction.events == [.line("put p1 one")])
        #expect(screen.pendingKeyCount == "put p2 two\rget p".count)
        // Keys typed while the command runs wait too, and are not drawn.
        #expect(press("1\r", on: &screen) == ScreenReaction())
        let second = screen.setReady(true)
        #expect(second.events == [.line("put p2 two")])
        #expect(second.output == "\r\(Self.clear)> " + "\r\(Self.clear)> put p2 two" + "\n")
        #expect(second.recorded == ["put p2 two"])
        let third = screen.setReady(true)
        #expect(third.events == [.line("get p1")])
        #expect(screen.pendingKeyCount == 0)
        #expect(screen.setReady(true).output == "\r\(Self.clear)> ")
        #expect(press("\u{1b}[A", on: &screen).output == "\r\(Self.clear)> get p1")
    }

    @Test func controlCWhileBusyInterruptsAndDropsTheTypeAhead() {
        var screen = readyScreen()
        _ = press("status\rhelp\r", on: &screen)
        #expect(press("xy\u{03}z", on: &screen) == ScreenReaction(events: [.interrupt]))
        #expect(screen.pendingKeyCount == 1)
        var busy = TerminalScreen(prompt: "> ", editor: LineEditor())
        #expect(press("ab\u{03}c\u{03}", on: &busy) == ScreenReaction(events: [.interrupt, .interrupt]))
        #expect(busy.editor.line == "")
        #expect(busy.pendingKeyCount == 0)
    }

    @Test func typeAheadIsBounded() {
        var screen = TerminalScreen(prompt: "> ", editor: LineEditor())
        let flood = String(repeating: "x", count: TerminalScreen.maxPendingKeys + 10)
        #expect(press(flood, on: &screen).output == "\u{07}")
        #expect(screen.pendingKeyCount == TerminalScreen.maxPendingKeys)
    }

    @Test func aRepeatedLineIsSentButNotRecordedTwice() {
        var screen = readyScreen(history: ["status"])
        let reaction = press("status\r", on: &screen)
        #expect(reaction.events == [.line("status")])
        #expect(reaction.recorded.isEmpty)
        #expect(reaction.history == nil)
    }

    @Test func controlCWhenReadyShowsCaretCAndAFreshPrompt() {
        var screen = readyScreen()
        _ = press("put k v", on: &screen)
        let reaction = press("\u{1b}[H\u{03}", on: &screen)
        #expect(reaction.output == "\r\(Self.clear)> put k v\u{1b}[7D" + "\u{1b}[7C^C\n\r\(Self.clear)> ")
        #expect(reaction.events == [.interrupt])
        #expect(screen.isPromptShown)
        #expect(screen.editor.line == "")
    }

    @Test func controlDOnAnEmptyLineEndsInput() {
        var screen = readyScreen()
        #expect(press("\u{04}", on: &screen) == ScreenReaction(output: "\n", events: [.endOfInput]))
        #expect(!screen.isPromptShown)
    }

    @Test func bellClearScreenAndCompletionList() {
        var screen = readyScreen(words: ["get", "gets"])
        #expect(press("\u{7f}", on: &screen).output == "\u{07}")
        _ = press("g", on: &screen)
        #expect(press("\t", on: &screen).output == "\r\(Self.clear)> get")
        #expect(press("\t", on: &screen).output == "\r\(Self.clear)get  gets\n\r\(Self.clear)> get")
        #expect(press("\u{0c}", on: &screen).output == "\u{1b}[H\u{1b}[2J\r\(Self.clear)> get")
    }

    @Test func printAboveAShownPromptErasesWritesAndRedrawsWithTheCursorInPlace() {
        var screen = readyScreen()
        _ = press("get key\u{1b}[D\u{1b}[D", on: &screen)
        let redraw = "\r\(Self.clear)> get key\u{1b}[2D"
        #expect(screen.print("log line", to: Self.stdout) == [ScreenWrite(fd: Self.stdout, text: "\r\(Self.clear)log line\n" + redraw)])
        #expect(screen.print("oops", to: Self.stderr) == [
            ScreenWrite(fd: Self.stdout, text: "\r\(Self.clear)"),
            ScreenWrite(fd: Self.stderr, text: "oops\n"),
            ScreenWrite(fd: Self.stdout, text: redraw),
        ])
    }

    @Test func printWithThePromptHiddenOnlyWrites() {
        var screen = TerminalScreen(prompt: "> ", editor: LineEditor())
        #expect(screen.print("reply", to: Self.stdout) == [ScreenWrite(fd: Self.stdout, text: "reply\n")])
        #expect(screen.print("error", to: Self.stderr) == [ScreenWrite(fd: Self.stderr, text: "error\n")])
    }

    @Test func goingBusyWhileShownErasesThePromptButKeepsTheLine() {
        var screen = readyScreen()
        _ = press("ab", on: &screen)
        #expect(screen.setReady(false).output == "\r\(Self.clear)")
        #expect(screen.setReady(false) == ScreenReaction())
        #expect(screen.setReady(true).output == "\r\(Self.clear)> ab")
    }

    @Test func closingEndsTheShownLineAndStopsAllDrawing() {
        var screen = readyScreen()
        _ = press("ab\u{1b}[D", on: &screen)
        #expect(screen.close() == "\u{1b}[1C\n")
        #expect(screen.close() == "")
        #expect(screen.print("bye", to: Self.stdout) == [ScreenWrite(fd: Self.stdout, text: "bye\n")])
        #expect(press("x\u{03}\u{04}\r", on: &screen).output == "")
        #expect(screen.setReady(false) == ScreenReaction())
        #expect(screen.setReady(true) == ScreenReaction())
        var busy = TerminalScreen(prompt: "> ", editor: LineEditor())
        #expect(busy.close() == "")
    }
}
