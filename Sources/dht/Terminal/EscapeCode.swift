/// The few VT100/ECMA-48 sequences the line terminal writes.
///
/// Every terminal emulator in use understands these; nothing here asks the
/// terminal anything, so no terminfo lookup is needed.
enum EscapeCode {
    /// Clears from the cursor to the end of the line.
    static let clearToEndOfLine = "\u{1B}[K"
    /// Clears from the cursor to the end of the screen: the rest of a line that wrapped.
    static let clearToEndOfScreen = "\u{1B}[J"
    /// Homes the cursor and clears the screen (Ctrl-L).
    static let clearScreen = "\u{1B}[H\u{1B}[2J"
    /// The terminal bell, for a key that does nothing.
    static let bell = "\u{07}"

    /// Moves the cursor `columns` to the left; empty for 0, since `ESC[0D` moves one column.
    static func cursorLeft(_ columns: Int) -> String {
        columns > 0 ? "\u{1B}[\(columns)D" : ""
    }

    /// Moves the cursor `rows` up; empty for 0.
    static func cursorUp(_ rows: Int) -> String {
        rows > 0 ? "\u{1B}[\(rows)A" : ""
    }

    /// Moves the cursor `rows` down; empty for 0.
    static func cursorDown(_ rows: Int) -> String {
        rows > 0 ? "\u{1B}[\(rows)B" : ""
    }

    /// Moves the cursor `columns` to the right; empty for 0, since `ESC[0C` moves one column.
    static func cursorRight(_ columns: Int) -> String {
        columns > 0 ? "\u{1B}[\(columns)C" : ""
    }
}
