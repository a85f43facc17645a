import Testing
@testable import dht

/// Scripted keystrokes against the pure line editor: buffer, cursor and actions.
@Suite struct LineEditorTests {
    private static let commands = ["put", "get", "delete", "join", "status", "help", "quit", "exit"]

    /// An editor holding `text` typed in, cursor at the end.
    private func editor(typing text: String = "", history: [String] = [], words: [String] = commands) -> LineEditor {
        var historyValue = History()
        for entry in history { historyValue.add(entry) }
        var editor = LineEditor(history: historyValue, completionWords: words)
        for character in text { _ = editor.handle(.character(character)) }
        return editor
    }

    /// Presses `keys` in order and returns the action of each.
    @discardableResult
    private func press(_ keys: [Key], on editor: inout LineEditor) -> [EditorAction] {
        keys.map { editor.handle($0) }
    }

    /// `key` pressed `count` times.
    private func repeated(_ key: Key, _ count: Int) -> [Key] { Array(repeating: key, count: count) }

    @Test func typingInsertsAtTheCursorEvenInTheMiddle() {
        var line = editor(typing: "pt")
        #expect(press([.left, .character("u")], on: &line) == [.redraw, .redraw])
        #expect(line.line == "put")
        #expect(line.cursor == 2)
    }

    @Test func combiningMarksJoinTheCharacterBefore() {
        var line = editor(typing: "e")
        press([.character("\u{301}")], on: &line)
        #expect(line.buffer == ["e\u{301}"])
        #expect(line.cursor == 1)
    }

    @Test func cursorMovesWithArrowsAndControlKeysAndRingsAtTheEdges() {
        var line = editor(typing: "abc")
        #expect(press([.right, .control("F")], on: &line) == [.bell, .bell])
        #expect(press([.left, .control("B")], on: &line) == [.redraw, .redraw])
        #expect(line.cursor == 1)
        #expect(press([.home], on: &line) == [.redraw])
        #expect(line.cursor == 0)
        #expect(press([.home, .control("A"), .left, .control("B")], on: &line) == [.none, .none, .bell, .bell])
        #expect(press([.end], on: &line) == [.redraw])
        #expect(line.cursor == 3)
        press([.control("A")], on: &line)
        #expect(line.cursor == 0)
        #expect(press([.control("E"), .end], on: &line) == [.redraw, .none])
        #expect(press([.right], on: &line) == [.bell])
        #expect(line.line == "abc")
    }

    @Test func backspaceDeletesBeforeTheCursor() {
        var line = editor(typing: "abc")
        press([.left, .backspace], on: &line)
        #expect(line.line == "ac")
        #expect(line.cursor == 1)
        #expect(press([.backspace, .backspace], on: &line) == [.redraw, .bell])
        #expect(line.line == "c")
        #expect(line.cursor == 0)
    }

    @Test func deleteAndControlDDeleteUnderTheCursor() {
        var line = editor(typing: "abc")
        press([.home, .delete], on: &line)
        #expect(line.line == "bc")
        press([.control("D")], on: &line)
        #expect(line.line == "c")
        #expect(line.cursor == 0)
        press([.end], on: &line)
        #expect(press([.delete, .control("D")], on: &line) == [.bell, .bell])
        #expect(line.line == "c")
    }

    @Test func controlDOnAnEmptyLineEndsInputButNotOnAFullOne() {
        var empty = editor()
        #expect(press([.control("D")], on: &empty) == [.endOfInput])
        var full = editor(typing: "x")
        #expect(press([.control("D")], on: &full) == [.bell])
        #expect(press([.backspace, .control("D")], on: &full) == [.redraw, .endOfInput])
    }

    @Test func controlKKillsToTheEndAndControlUToTheStart() {
        var line = editor(typing: "put key value")
        press(repeated(.left, 5), on: &line)
        #expect(press([.control("K")], on: &line) == [.redraw])
        #expect(line.line == "put key ")
        #expect(press([.control("K")], on: &line) == [.bell])
        press(repeated(.left, 4), on: &line)
        #expect(press([.control("U")], on: &line) == [.redraw])
        #expect(line.line == "key ")
        #expect(line.cursor == 0)
        #expect(press([.control("U")], on: &line) == [.bell])
    }

    @Test func controlWKillsBlanksThenAWordLikeReadline() {
        var line = editor(typing: "put  key   value  ")
        press([.control("W")], on: &line)
        #expect(line.line == "put  key   ")
        press([.control("W")], on: &line)
        #expect(line.line == "put  ")
        press([.control("W")], on: &line)
        #expect(line.line == "")
        #expect(press([.control("W")], on: &line) == [.bell])
    }

    @Test func controlWInTheMiddleKeepsWhatFollows() {
        var line = editor(typing: "get foo bar")
        press(repeated(.left, 3), on: &line)
        press([.control("W")], on: &line)
        #expect(line.line == "get bar")
        #expect(line.cursor == 4)
        press([.left, .control("W")], on: &line)
        #expect(line.line == " bar")
        #expect(line.cursor == 0)
    }

    @Test func enterSubmitsTheWholeLineWhereverTheCursorIs() {
        var line = editor(typing: "status")
        press([.home, .right], on: &line)
        #expect(press([.enter], on: &line) == [.submit("status")])
        #expect(line.line == "")
        #expect(line.cursor == 0)
        #expect(press([.enter], on: &line) == [.submit("")])
    }

    @Test func controlCDropsTheLine() {
        var line = editor(typing: "put k v", history: ["get a"])
        press([.up], on: &line)
        #expect(press([.control("C")], on: &line) == [.cancel])
        #expect(line.line == "")
        // The draft went with the line: walking down from a fresh line has nowhere to go.
        #expect(press([.down], on: &line) == [.bell])
    }

    @Test func controlLAsksForAClearScreenAndUnboundControlsDoNothing() {
        var line = editor(typing: "ab")
        #expect(press([.control("L"), .control("Z")], on: &line) == [.clearScreen, .none])
        #expect(line.line == "ab")
    }

    @Test func historyWalkKeepsTheDraftAndLeavesHistoryUnchanged() {
        var line = editor(typing: "dra", history: ["put a 1", "get a", "status"])
        #expect(press([.up], on: &line) == [.redraw])
        #expect(line.line == "status")
        #expect(line.cursor == 6)
        press([.control("P")], on: &line)
        #expect(line.line == "get a")
        press([.up], on: &line)
        #expect(line.line == "put a 1")
        #expect(press([.up, .control("P")], on: &line) == [.bell, .bell])
        #expect(line.line == "put a 1")
        // Editing a recalled entry changes the buffer only.
        press([.backspace, .character("2")], on: &line)
        #expect(line.line == "put a 2")
        press([.down], on: &line)
        #expect(line.line == "get a")
        press([.control("N")], on: &line)
        #expect(line.line == "status")
        press([.down], on: &line)
        #expect(line.line == "dra")
        #expect(line.cursor == 3)
        #expect(press([.down], on: &line) == [.bell])
        #expect(line.history.entries == ["put a 1", "get a", "status"])
        press([.up, .up, .up], on: &line)
        #expect(line.line == "put a 1")
    }

    @Test func historyWalkWithNoHistoryRings() {
        var line = editor(typing: "x")
        #expect(press([.up, .down, .control("P"), .control("N")], on: &line) == [.bell, .bell, .bell, .bell])
        #expect(line.line == "x")
    }

    @Test func submittingARecalledEntryStartsTheNextWalkFromTheNewest() {
        var line = editor(history: ["a", "b"])
        press([.up, .up], on: &line)
        #expect(press([.enter], on: &line) == [.submit("a")])
        line.history.add("a")
        press([.up], on: &line)
        #expect(line.line == "a")
        press([.up], on: &line)
        #expect(line.line == "b")
        press([.down, .down], on: &line)
        #expect(line.line == "")
    }

    @Test func tabCompletesAUniqueCommandAndAddsASpace() {
        var line = editor(typing: "st")
        #expect(press([.tab], on: &line) == [.redraw])
        #expect(line.line == "status ")
        #expect(line.cursor == 7)
        var complete = editor(typing: "  put")
        press([.tab], on: &complete)
        #expect(complete.line == "  put ")
    }

    @Test func tabOnAFinishedWordBeforeABlankStepsOverIt() {
        var line = editor(typing: "ge k")
        press([.left, .left], on: &line)
        press([.tab], on: &line)
        #expect(line.line == "get k")
        #expect(line.cursor == 4)
    }

    @Test func tabExtendsToTheLongestCommonPrefix() {
        var line = editor(typing: "s", words: ["status", "stats", "get"])
        #expect(press([.tab], on: &line) == [.redraw])
        #expect(line.line == "stat")
        #expect(press([.tab], on: &line) == [.showCompletions(["status", "stats"])])
        #expect(line.line == "stat")
    }

    @Test func tabListsCandidatesWhenNothingCanBeAdded() {
        var line = editor(typing: "e", words: ["exit", "echo", "exit"])
        #expect(press([.tab], on: &line) == [.showCompletions(["exit", "echo"])])
        var empty = editor()
        #expect(press([.tab], on: &empty) == [.showCompletions(Self.commands)])
        #expect(empty.line == "")
    }

    @Test func tabRingsWithNoMatchPastTheFirstWordOrInsideAWord() {
        var none = editor(typing: "xyz")
        #expect(press([.tab], on: &none) == [.bell])
        var second = editor(typing: "get st")
        #expect(press([.tab], on: &second) == [.bell])
        #expect(second.line == "get st")
        var inside = editor(typing: "stat")
        press([.left, .left], on: &inside)
        #expect(press([.tab], on: &inside) == [.bell])
        #expect(inside.line == "stat")
    }
}
