import Testing
@testable import dht

/// Columns per character, as terminals draw them, and tables that line up with wide keys.
@Suite struct DisplayWidthTests {
    @Test func narrowWideAndZeroWidthCharacters() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("é") == 1)
        #expect(DisplayWidth.of("e\u{301}") == 1, "a combining accent rides on its letter")
        #expect(DisplayWidth.of("中文") == 4)
        #expect(DisplayWidth.of("한국어") == 6)
        #expect(DisplayWidth.of("ｱ") == 1, "halfwidth katakana is narrow")
        #expect(DisplayWidth.of("Ａ") == 2, "fullwidth Latin is wide")
        #expect(DisplayWidth.of("😀") == 2)
        #expect(DisplayWidth.of("👍🏽") == 2, "a skin tone modifier joins its emoji")
        #expect(DisplayWidth.of("🇫🇷") == 2)
        #expect(DisplayWidth.of("\u{200B}") == 0, "zero-width space")
        #expect(DisplayWidth.of("\u{7}") == 0)
    }

    @Test func tablesPadByColumnsSoWideKeysLineUp() {
        let table = OutputViews.table(header: ["Key", "Size"], rows: [["中文", "3 B"], ["ab", "10 B"], ["😀x", "1 B"]], rightAligned: [1])
        let lines = table.split(separator: "\n").map(String.init)
        #expect(lines == ["Key   Size", "中文   3 B", "ab    10 B", "😀x    1 B"])
        #expect(Set(lines.map { DisplayWidth.of($0) }) == [10])
    }
}
