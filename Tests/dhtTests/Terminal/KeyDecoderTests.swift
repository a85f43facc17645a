import Testing
@testable import dht

/// Raw terminal bytes to keys: every known sequence, whatever way the reads split it.
@Suite struct KeyDecoderTests {
    /// `text` as bytes, for readable sequences like "\u{1b}[A".
    private static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// Decodes `input` whole, in two reads at every split point, and one byte per read,
    /// and expects `expected` each time.
    private func expectKeys(_ input: [UInt8], _ expected: [Key], sourceLocation: SourceLocation = #_sourceLocation) {
        var whole = KeyDecoder()
        #expect(whole.decode(input) == expected, "whole \(input)", sourceLocation: sourceLocation)
        for split in 0...input.count {
            var decoder = KeyDecoder()
            let keys = decoder.decode(input[..<split]) + decoder.decode(input[split...])
            #expect(keys == expected, "split at \(split) of \(input)", sourceLocation: sourceLocation)
        }
        var bytewise = KeyDecoder()
        let keys = input.flatMap { bytewise.decode([$0]) }
        #expect(keys == expected, "byte by byte \(input)", sourceLocation: sourceLocation)
    }

    /// `expectKeys` for input written as text.
    private func expectKeys(_ input: String, _ expected: [Key], sourceLocation: SourceLocation = #_sourceLocation) {
        expectKeys(Self.bytes(input), expected, sourceLocation: sourceLocation)
    }

    @Test func printableAsciiIsText() {
        expectKeys("a", [.character("a")])
        expectKeys(" ~", [.character(" "), .character("~")])
        expectKeys("put k v", "put k v".map { .character($0) })
    }

    @Test func enterIsCarriageReturnOrLineFeedAndCRLFCountsOnce() {
        expectKeys("\r", [.enter])
        expectKeys("\n", [.enter])
        expectKeys("\r\n", [.enter])
        expectKeys("a\r\nb", [.character("a"), .enter, .character("b")])
        expectKeys("\r\r", [.enter, .enter])
        expectKeys("\n\n", [.enter, .enter])
        expectKeys("\n\r", [.enter, .enter])
        expectKeys("\r\n\n", [.enter, .enter])
        expectKeys("\r\n\r\n", [.enter, .enter])
        // Only directly: a key between CR and LF makes them two Enters.
        expectKeys("\rx\n", [.enter, .character("x"), .enter])
    }

    @Test func bracketedPasteMarkersAreDroppedAndThePastedLinesKept() {
        // A terminal left in bracketed-paste mode by another program wraps a paste in
        // ESC [200~ ... ESC [201~: the lines inside must still arrive as typed, Enter and all.
        expectKeys("\u{1b}[200~get a\rget b\r\u{1b}[201~",
                   "get a".map { Key.character($0) } + [.enter] + "get b".map { Key.character($0) } + [.enter])
    }

    @Test func tabAndBothBackspaces() {
        expectKeys([0x09], [.tab])
        expectKeys([0x7f], [.backspace])
        expectKeys([0x08], [.backspace])
    }

    @Test func boundControlLetters() {
        let letters: [(UInt8, Character)] = [
            (0x01, "A"), (0x02, "B"), (0x03, "C"), (0x04, "D"), (0x05, "E"), (0x06, "F"),
            (0x0b, "K"), (0x0c, "L"), (0x0e, "N"), (0x10, "P"), (0x15, "U"), (0x17, "W"),
        ]
        for (byte, letter) in letters {
            expectKeys([byte], [.control(letter)])
        }
    }

    @Test func otherControlBytesAreIgnored() {
        let ignored: [UInt8] = [0x00, 0x07, 0x0f, 0x11, 0x12, 0x13, 0x14, 0x16, 0x18, 0x19, 0x1a, 0x1c, 0x1d, 0x1e, 0x1f]
        for byte in ignored {
            expectKeys([byte], [])
            expectKeys([UInt8(ascii: "a"), byte, UInt8(ascii: "b")], [.character("a"), .character("b")])
        }
    }

    @Test func arrowsInBothForms() {
        for introducer in ["[", "O"] {
            expectKeys("\u{1b}\(introducer)A", [.up])
            expectKeys("\u{1b}\(introducer)B", [.down])
            expectKeys("\u{1b}\(introducer)C", [.right])
            expectKeys("\u{1b}\(introducer)D", [.left])
        }
    }

    @Test func homeEndAndDeleteInEveryForm() {
        for home in ["\u{1b}[H", "\u{1b}OH", "\u{1b}[1~", "\u{1b}[7~"] { expectKeys(home, [.home]) }
        for end in ["\u{1b}[F", "\u{1b}OF", "\u{1b}[4~", "\u{1b}[8~"] { expectKeys(end, [.end]) }
        expectKeys("\u{1b}[3~", [.delete])
    }

    @Test func keysBetweenTextKeepTheirOrder() {
        expectKeys("ab\u{1b}[Dc\u{1b}[3~\r", [.character("a"), .character("b"), .left, .character("c"), .delete, .enter])
        expectKeys("\u{1b}[A\u{1b}[A\u{1b}OB", [.up, .up, .down])
    }

    @Test func unknownEscapeSequencesAreSwallowedWhole() {
        let unknown = [
            "\u{1b}[1;5C", "\u{1b}[1;5D", "\u{1b}[15~", "\u{1b}[2~", "\u{1b}[5~", "\u{1b}[6~", "\u{1b}[24~",
            "\u{1b}OP", "\u{1b}OS", "\u{1b}O5C", "\u{1b}[[A", "\u{1b}[[E", "\u{1b}[200~", "\u{1b}[?1;2c",
            "\u{1b}[Z", "\u{1b}[3;5~",
        ]
        for sequence in unknown {
            expectKeys(sequence, [])
            expectKeys("x" + sequence + "y", [.character("x"), .character("y")])
        }
    }

    @Test func overlongParametersAreSwallowedToo() {
        expectKeys("\u{1b}[" + String(repeating: "3", count: 100) + "~z", [.character("z")])
        expectKeys("\u{1b}[3" + String(repeating: ";", count: 40) + "~z", [.character("z")])
    }

    @Test func altKeysAreSwallowedAndALoneEscapeGivesWayToControls() {
        expectKeys("\u{1b}b", [])
        expectKeys("\u{1b}bc", [.character("c")])
        expectKeys("\u{1b}\r", [.enter])
        expectKeys("\u{1b}\u{1b}[A", [.up])
        expectKeys([0x1b, 0x7f], [.backspace])
    }

    @Test func aControlByteCutsASequenceShort() {
        expectKeys("\u{1b}[1\r", [.enter])
        expectKeys("\u{1b}O\u{03}", [.control("C")])
    }

    @Test func multiByteUTF8SplitAnywhere() {
        expectKeys("é", [.character("é")])
        expectKeys("€", [.character("€")])
        expectKeys("😀", [.character("😀")])
        expectKeys("aé€😀z", [.character("a"), .character("é"), .character("€"), .character("😀"), .character("z")])
        // A decomposed é is two scalars; the decoder hands them over one by one.
        expectKeys("e\u{301}", [.character("e"), .character("\u{301}")])
    }

    @Test func invalidUTF8IsDroppedAndTheNextByteStillCounts() {
        expectKeys([0x80], [])
        expectKeys([0xbf, 0x61], [.character("a")])
        expectKeys([0xff, 0xfe, 0x61], [.character("a")])
        expectKeys([0xc0, 0x80, 0x61], [.character("a")])  // overlong NUL
        expectKeys([0xe0, 0x80, 0x80, 0x61], [.character("a")])  // overlong
        expectKeys([0xed, 0xa0, 0x80, 0x61], [.character("a")])  // surrogate
        expectKeys([0xf4, 0x90, 0x80, 0x80, 0x61], [.character("a")])  // past U+10FFFF
        expectKeys([0xc3, 0x61], [.character("a")])  // cut short by ASCII
        expectKeys([0xe2, 0x82, 0x0d], [.enter])  // cut short by Enter
        expectKeys([0xe2, 0x82, 0xc3, 0xa9], [.character("é")])  // cut short by another character
        expectKeys([0xc2, 0x80, 0xc2, 0x9f], [])  // C1 controls are no text
    }

    @Test func stateCarriesOverAcrossManyReads() {
        var decoder = KeyDecoder()
        var keys: [Key] = []
        for chunk in [[0x1b], [UInt8(ascii: "[")], [UInt8(ascii: "3")], [UInt8(ascii: "~"), 0xf0], [0x9f, 0x98], [0x80, 0x0d], [0x0a]] as [[UInt8]] {
            keys += decoder.decode(chunk)
        }
        #expect(keys == [.delete, .character("😀"), .enter])
    }
}
