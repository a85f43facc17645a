/// One position on the screen, relative to the prompt's first row.
struct Cell: Equatable, Sendable {
    /// Rows below the prompt's first row.
    var row: Int
    /// Columns from the left edge.
    var column: Int

    /// Whether this is the start of a row below the first: where a line that filled its last row exactly ends.
    var startsFreshRow: Bool { row > 0 && column == 0 }
}

/// Where the prompt and the line being typed land on a terminal `columns` wide.
///
/// A terminal writes left to right and wraps to the next row when a row is full; a
/// wide character (two columns) that no longer fits moves whole to the next row,
/// leaving the last column blank. A row filled exactly leaves the cursor in the
/// "pending wrap" state, still on that row; the drawing code then moves it to the
/// next row itself, so every position here is a real cell.
struct LineLayout: Sendable {
    /// The terminal's width, at least 1.
    let columns: Int

    /// A layout for a terminal `columns` wide; unknown or silly widths count as 1 column at least.
    init(columns: Int) {
        self.columns = max(1, columns)
    }

    /// Where the cursor stands after writing `text` from `start`, with a full row
    /// left pending (column == `columns`), as the terminal leaves it.
    func advance(_ start: Cell, over text: some Sequence<Character>) -> Cell {
        var cell = start
        for character in text {
            let width = DisplayWidth.of(character)
            guard width > 0 else { continue }
            if cell.column + width > columns {
                cell.row += 1
                cell.column = 0
            }
            cell.column += width
        }
        return cell
    }

    /// The cell where `next` would be drawn from `cell`: the next row when `cell` is a
    /// pending wrap or a wide `next` no longer fits.
    func place(_ cell: Cell, before next: Character?) -> Cell {
        let width = next.map { max(1, DisplayWidth.of($0)) } ?? 1
        guard cell.column + width > columns else { return cell }
        return Cell(row: cell.row + 1, column: 0)
    }

    /// The cell after the prompt and the whole line, moved off a pending wrap.
    func end(prompt: String, line: [Character]) -> Cell {
        place(advance(advance(Cell(row: 0, column: 0), over: prompt), over: line), before: nil)
    }

    /// The cell of the character at `cursor` in `line` (or just after the line when at its end).
    func cursor(prompt: String, line: [Character], at cursor: Int) -> Cell {
        let before = advance(advance(Cell(row: 0, column: 0), over: prompt), over: line[..<cursor])
        return place(before, before: cursor < line.count ? line[cursor] : nil)
    }
}
