@testable import dht

/// A small terminal emulator for the escape codes the line editor writes, to check what
/// a screen shows after them: printable text with wrapping (wide characters take two
/// cells and wrap whole, a full row leaves the cursor pending as xterm does), CR, LF (as CR LF,
/// since raw mode keeps output processing on),
/// cursor up, down, left and right, and erase to the end of the line or the screen.
///
/// Anything else fails the test through `unsupported`, so the editor cannot drift into
/// codes this oracle does not model.
struct VirtualTerminal {
    /// The visible rows; "" cells to the right of a wide character's first cell.
    private(set) var cells: [[String]]
    /// The cursor's row and column.
    private(set) var row = 0
    private(set) var column = 0
    /// Whether the last write filled the row and the next character wraps first.
    private(set) var pendingWrap = false
    /// The escape sequences met that this emulator does not know.
    private(set) var unsupported: [String] = []
    let columns: Int

    /// A blank screen `columns` wide and `rows` high.
    init(columns: Int, rows: Int = 24) {
        self.columns = columns
        cells = Array(repeating: Array(repeating: " ", count: columns), count: rows)
    }

    /// The screen as text, one line per row, trailing blanks trimmed, blank rows at the end dropped.
    var text: String {
        var lines = cells.map { row -> String in
            var line = row.joined()
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }
        while lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\n")
    }

    /// Feeds the bytes a program wrote.
    mutating func write(_ output: String) {
        var characters = Array(output)[...]
        while let character = characters.popFirst() {
            switch character {
            case "\r": column = 0; pendingWrap = false
            case "\n", "\r\n": // output processing is on (see TerminalMode): LF returns the carriage too
                column = 0
                lineFeed()
            case "\u{07}": break
            case "\u{1b}":
                guard characters.popFirst() == "[" else { unsupported.append("ESC"); continue }
                var parameter = ""
                while let next = characters.first, next.isNumber || next == "?" { parameter.append(next); characters.removeFirst() }
                guard let final = characters.popFirst() else { unsupported.append("ESC[" + parameter); continue }
                control(final, Int(parameter) ?? 0, parameter)
            default: put(character)
            }
        }
    }

    private mutating func control(_ final: Character, _ number: Int, _ parameter: String) {
        let count = max(1, number)
        pendingWrap = false
        switch final {
        case "A": row = max(0, row - count)
        case "B": row = min(cells.count - 1, row + count)
        case "C": column = min(columns - 1, column + count)
        case "D": column = max(0, column - count)
        case "K": for index in column..<columns { cells[row][index] = " " }
        case "J" where number == 0:
            for index in column..<columns { cells[row][index] = " " }
            for below in (row + 1)..<cells.count { cells[below] = Array(repeating: " ", count: columns) }
        default: unsupported.append("ESC[" + parameter + String(final))
        }
    }

    private mutating func lineFeed() {
        pendingWrap = false
        if row == cells.count - 1 {
            cells.removeFirst()
            cells.append(Array(repeating: " ", count: columns))
        } else {
            row += 1
        }
    }

    private mutating func put(_ character: Character) {
        let width = DisplayWidth.of(character)
        guard width > 0 else { return }
        if pendingWrap || column + width > columns {
            column = 0
            lineFeed()
        }
        cells[row][column] = String(character)
        if width == 2 { cells[row][column + 1] = "" }
        if column + width == columns {
            column = columns - 1
            pendingWrap = true
        } else {
            column += width
        }
    }
}
