/// How many terminal columns text takes: 2 for East Asian wide and emoji characters,
/// 0 for marks and format characters that ride on the one before, 1 for the rest.
///
/// What `wcwidth(3)` answers, without the C locale it depends on: the Unicode data
/// Swift carries gives emoji presentation and general categories, and the East Asian
/// wide and fullwidth blocks are listed below (Unicode 15, EastAsianWidth.txt).
enum DisplayWidth {
    /// The columns `text` takes on one row.
    static func of(_ text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// The columns one character (a grapheme cluster) takes.
    static func of(_ character: Character) -> Int {
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return 0 }
        // A variation selector 16 asks for the emoji (wide) form of the character before it.
        if first.properties.isEmojiPresentation || scalars.contains(where: { $0.value == 0xFE0F }) { return 2 }
        if isWide(first.value) { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: return 1
        }
    }

    /// Whether `value` lies in an East Asian wide or fullwidth block.
    private static func isWide(_ value: UInt32) -> Bool {
        wideRanges.contains { $0.contains(value) }
    }

    /// The wide and fullwidth blocks: Hangul Jamo, CJK punctuation, kana, ideographs, Yi,
    /// Hangul syllables, compatibility forms, fullwidth forms, and the supplementary ideograph planes.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xA000...0xA4CF, 0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19,
        0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF,
        0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]

    /// `text` padded with blanks on the right (or the left) to `width` columns.
    static func pad(_ text: String, to width: Int, right: Bool = false) -> String {
        let blanks = String(repeating: " ", count: max(0, width - of(text)))
        return right ? blanks + text : text + blanks
    }
}
