import Kademlia
import Testing
@testable import dht

/// Lines wider than the terminal: every redraw, checked on an emulated terminal against
/// the same text written plainly, leaves exactly the wrapped line and the cursor on the
/// right cell, with no stale rows (what a 221-character `put` in a 100-column tmux broke).
@Suite struct WrappedLineTests {
    /// A screen `columns` wide showing its prompt on a blank emulated terminal.
    private func start(columns: Int) -> (TerminalScreen, VirtualTerminal) {
        var screen = TerminalScreen(prompt: "> ", editor: LineEditor(), columns: columns)
        var terminal = VirtualTerminal(columns: columns, rows: 80)
        terminal.write(screen.setReady(true).output)
        return (screen, terminal)
    }

    /// What the screen should show and where the cursor should be: the prompt and line
    /// written plainly, and the cell the character at the cursor lands on.
    private func expected(_ editor: LineEditor, columns: Int, above: [String]) -> (text: String, row: Int, column: Int) {
        let printed = above.map { $0 + "\n" }.joined()
        var whole = VirtualTerminal(columns: columns, rows: 80)
        whole.write(printed + "> " + editor.line)
        var before = VirtualTerminal(columns: columns, rows: 80)
        before.write(printed + "> " + String(editor.buffer[..<editor.cursor]))
        let next = editor.cursor < editor.buffer.count ? DisplayWidth.of(editor.buffer[editor.cursor]) : 1
        if before.pendingWrap || before.column + next > columns { return (whole.text, before.row + 1, 0) }
        return (whole.text, before.row, before.column)
    }

    private func check(_ terminal: VirtualTerminal, _ screen: TerminalScreen, columns: Int, after what: String, above: [String] = [],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        let want = expected(screen.editor, columns: columns, above: above)
        #expect(terminal.unsupported.isEmpty, "codes the editor should not write: \(terminal.unsupported)", sourceLocation: sourceLocation)
        #expect(terminal.text == want.text, "after \(what)", sourceLocation: sourceLocation)
        #expect(terminal.row == want.row && terminal.column == want.column,
                "cursor at \(terminal.row),\(terminal.column), wanted \(want.row),\(want.column) after \(what)",
                sourceLocation: sourceLocation)
    }

    @Test func theIssuesLongPutEditsCleanlyAtOneHundredColumns() {
        let (screen, terminal) = start(columns: 100)
        var (edited, shown) = (screen, terminal)
        let line = "put long " + String(repeating: "x", count: 212)
        shown.write(edited.handle(line.map { Key.character($0) }).output)
        check(shown, edited, columns: 100, after: "typing 221 characters")
        for key in [Key.home, .right, .right, .right, .right, .left, .backspace, .end, .backspace, .control("A"), .delete] {
            shown.write(edited.handle([key]).output)
            check(shown, edited, columns: 100, after: "\(key)")
        }
    }

    @Test func randomEditsOfWideAndNarrowTextNeverLeaveStaleRows() {
        var random = SeededGenerator(seed: 19)
        let alphabet: [Character] = ["a", "b", " ", "x", "中", "😀", "é"]
        let moves: [Key] = [.left, .right, .home, .end, .backspace, .delete, .control("W"), .control("K"), .control("U")]
        for columns in [7, 10, 23, 100] {
            var (screen, terminal) = start(columns: columns)
            var logged: [String] = []
            for step in 0..<600 {
                let keys: [Key] = Int.random(in: 0..<10, using: &random) < 6
                    ? (0..<Int.random(in: 1...12, using: &random)).map { _ in .character(alphabet.randomElement(using: &random) ?? "a") }
                    : [moves.randomElement(using: &random) ?? .left]
                if screen.editor.buffer.count > 300 { continue }
                terminal.write(screen.handle(keys).output)
                check(terminal, screen, columns: columns, after: "step \(step) at \(columns) columns: \(keys)", above: logged)
                if step % 50 == 49 {
                    // A log line above a wrapped prompt moves it down whole.
                    logged.append("log \(step)")
                    for write in screen.print("log \(step)", to: screen.outputFD) { terminal.write(write.text) }
                    check(terminal, screen, columns: columns, after: "a log line at step \(step)", above: logged)
                }
            }
        }
    }

    @Test func aLineThatFillsARowExactlyPutsTheCursorOnTheNextOne() {
        var (screen, terminal) = start(columns: 10)
        terminal.write(screen.handle("12345678".map { Key.character($0) }).output)
        check(terminal, screen, columns: 10, after: "filling the row")
        #expect(terminal.row == 1 && terminal.column == 0)
        terminal.write(screen.handle([.backspace]).output)
        check(terminal, screen, columns: 10, after: "backspace at a row's end")
        let submitted = screen.handle("8\r".map { $0 == "\r" ? Key.enter : Key.character($0) })
        terminal.write(submitted.output)
        #expect(terminal.text == "> 12345678" && terminal.row == 1 && terminal.column == 0, "one newline, not two")
    }

    @Test func printingAboveAWrappedLineRedrawsItBelowWhole() {
        var (screen, terminal) = start(columns: 10)
        terminal.write(screen.handle("abcdefghijklmnopq".map { Key.character($0) } + [.left, .left, .left]).output)
        for write in screen.print("log line", to: screen.outputFD) { terminal.write(write.text) }
        #expect(terminal.text == "log line\n> abcdefgh\nijklmnopq")
        #expect(terminal.row == 2 && terminal.column == 6)
    }

    @Test func aResizeRedrawsForTheNewWidthFromTheRowTheCursorIsOnAfterReflow() {
        var screen = TerminalScreen(prompt: "> ", editor: LineEditor(), columns: 100)
        _ = screen.setReady(true)
        _ = screen.handle(String(repeating: "y", count: 150).map { Key.character($0) })
        // At 60 columns a reflowed 152-column line puts the end on row 2: go up two rows, draw, clear.
        let redraw = screen.resize(columns: 60)
        #expect(!redraw.isEmpty)
        #expect(redraw.hasPrefix("\u{1b}[2A\r\u{1b}[J> yyy"))
        #expect(screen.layout.columns == 60)
        var busy = TerminalScreen(prompt: "> ", editor: LineEditor())
        #expect(busy.resize(columns: 0).isEmpty)
        #expect(busy.layout.columns == 1)
    }
}
