import Testing
import Kademlia

private func decode(_ s: String) throws(BencodeError) -> BencodeValue {
    try BencodeDecoder.decode(bytes(s))
}

private func nestedLists(_ depth: Int) -> String {
    String(repeating: "l", count: depth) + String(repeating: "e", count: depth)
}

/// SplitMix64: tiny, seedable, and deterministic across platforms, unlike the system generator.
private struct FuzzRNG: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct BencodeTests {
    @Test(arguments: [
        ("4:spam", BencodeValue.string("spam")),
        ("i3e", .integer(3)),
        ("i-3e", .integer(-3)),
        ("i0e", .integer(0)),
        ("l4:spam4:eggse", .list([.string("spam"), .string("eggs")])),
        ("d3:cow3:moo4:spam4:eggse", .dictionary([("cow", .string("moo")), ("spam", .string("eggs"))])),
        ("d4:spaml1:a1:bee", .dictionary([("spam", .list([.string("a"), .string("b")]))])),
        ("0:", .bytes([])),
        ("le", .list([])),
        ("de", .dictionary([] as [BencodeEntry])),
        ("d0:i1ee", .dictionary([("", .integer(1))])),
        ("i9223372036854775807e", .integer(.max)),
        ("i-9223372036854775808e", .integer(.min)),
    ])
    func decodesAndReencodesIdentically(text: String, expected: BencodeValue) throws {
        let value = try decode(text)
        #expect(value == expected)
        #expect(value.encoded() == bytes(text))
        #expect(expected.encoded() == bytes(text))
    }

    @Test(arguments: [
        ("i03e", BencodeError.invalidInteger(offset: 0)),
        ("i-0e", .invalidInteger(offset: 0)),
        ("i-00e", .invalidInteger(offset: 0)),
        ("i-e", .invalidInteger(offset: 0)),
        ("ie", .invalidInteger(offset: 0)),
        ("i1.5e", .invalidInteger(offset: 0)),
        ("i+1e", .invalidInteger(offset: 0)),
        ("i99999999999999999999e", .invalidInteger(offset: 0)),
        ("i9223372036854775808e", .invalidInteger(offset: 0)),
        ("i-9223372036854775809e", .invalidInteger(offset: 0)),
        ("l1:ai03ee", .invalidInteger(offset: 4)),
        ("i12", .truncated),
        ("i", .truncated),
        ("i-", .truncated),
        ("03:abc", .invalidLength(offset: 0)),
        ("00:", .invalidLength(offset: 0)),
        ("1x", .invalidLength(offset: 0)),
        ("99999999999999999999:a", .invalidLength(offset: 0)),
        ("5:abc", .lengthPastEnd(offset: 0)),
        ("1:", .lengthPastEnd(offset: 0)),
        ("9223372036854775807:a", .lengthPastEnd(offset: 0)),
        ("12", .truncated),
        ("d1:b1:x1:a1:ye", .unsortedKeys(offset: 7)),
        ("d1:a1:x0:1:ye", .unsortedKeys(offset: 7)),
        ("d2:ab1:x1:a1:ye", .unsortedKeys(offset: 8)),
        ("d1:a1:x1:a1:ye", .duplicateKey(offset: 7)),
        ("d0:i1e0:i2ee", .duplicateKey(offset: 6)),
        ("di1e1:xe", .nonStringKey(offset: 1)),
        ("dle1:xe", .nonStringKey(offset: 1)),
        ("dde1:xe", .nonStringKey(offset: 1)),
        ("dxe", .unexpectedByte(UInt8(ascii: "x"), offset: 1)),
        ("i1ei2e", .trailingBytes(offset: 3)),
        ("0:0:", .trailingBytes(offset: 2)),
        ("lee", .trailingBytes(offset: 2)),
        ("x", .unexpectedByte(UInt8(ascii: "x"), offset: 0)),
        ("e", .unexpectedByte(UInt8(ascii: "e"), offset: 0)),
        ("-1:a", .unexpectedByte(UInt8(ascii: "-"), offset: 0)),
        ("", .truncated),
        ("l", .truncated),
        ("d", .truncated),
        ("l1:a", .truncated),
        ("d1:a", .truncated),
        ("d1:ae", .unexpectedByte(UInt8(ascii: "e"), offset: 4)),
        ("d1:a1:b", .truncated),
    ])
    func rejectsMalformed(text: String, expected: BencodeError) {
        #expect(throws: expected) { try decode(text) }
    }

    @Test func nestingLimit() throws {
        #expect(try decode(nestedLists(32)).encoded() == bytes(nestedLists(32)))
        #expect(throws: BencodeError.tooDeep(offset: 32)) { try decode(nestedLists(33)) }
        // Dictionaries count towards the same depth as lists.
        let dicts32 = String(repeating: "d1:a", count: 31) + "le" + String(repeating: "e", count: 31)
        #expect(try decode(dicts32).encoded() == bytes(dicts32))
        let dicts33 = String(repeating: "d1:a", count: 32) + "de" + String(repeating: "e", count: 32)
        #expect(throws: BencodeError.tooDeep(offset: 128)) { try decode(dicts33) }
        #expect(throws: BencodeError.tooDeep(offset: 1)) { try BencodeDecoder.decode(bytes("llee"), maxDepth: 1) }
        #expect(throws: BencodeError.tooDeep(offset: 0)) { try BencodeDecoder.decode(bytes("le"), maxDepth: 0) }
        #expect(try BencodeDecoder.decode(bytes("i7e"), maxDepth: 0) == .integer(7))
        // A deep but well-formed bomb must be rejected, not recurse.
        #expect(throws: BencodeError.tooDeep(offset: 32)) { try decode(nestedLists(100_000)) }
    }

    @Test func krpcPing() throws {
        let text = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe"
        let message = try decode(text)
        #expect(message["a"]?["id"]?.bytesValue == bytes("abcdefghij0123456789"))
        #expect(message["q"] == .string("ping"))
        #expect(message["t"]?.bytesValue == bytes("aa"))
        #expect(message["y"]?.bytesValue == bytes("q"))
        #expect(message["r"] == nil)
        #expect(message.encoded() == bytes(text))
    }

    @Test func keysCompareAsUnsignedRawBytes() throws {
        // 0x7f < 0x80 only under unsigned comparison; keys need not be UTF-8.
        let sorted: [UInt8] = [0x64, 0x31, 0x3A, 0x7F, 0x69, 0x31, 0x65, 0x31, 0x3A, 0x80, 0x69, 0x32, 0x65, 0x65]
        let value = try BencodeDecoder.decode(sorted)
        #expect(value == .dictionary([BencodeEntry(key: [0x7F], value: .integer(1)),
                                      BencodeEntry(key: [0x80], value: .integer(2))]))
        let swapped: [UInt8] = [0x64, 0x31, 0x3A, 0x80, 0x69, 0x31, 0x65, 0x31, 0x3A, 0x7F, 0x69, 0x32, 0x65, 0x65]
        #expect(throws: BencodeError.unsortedKeys(offset: 7)) { try BencodeDecoder.decode(swapped) }
    }

    @Test func rawPointerEntryPoint() throws {
        #expect(throws: BencodeError.truncated) { try BencodeDecoder.decode(UnsafeRawBufferPointer(start: nil, count: 0)) }
        let input = bytes("l4:spami-42ee")
        let value = try input.withUnsafeBytes { raw throws(BencodeError) in try BencodeDecoder.decode(raw) }
        #expect(value == .list([.string("spam"), .integer(-42)]))
    }

    @Test func encoderSortsAndDeduplicatesKeys() {
        let unsorted = BencodeValue.dictionary([
            BencodeEntry(key: bytes("spam"), value: .string("eggs")),
            BencodeEntry(key: bytes("cow"), value: .string("moo")),
            BencodeEntry(key: bytes("cow"), value: .string("ignored")),
            BencodeEntry(key: bytes(""), value: .integer(0)),
        ])
        #expect(unsorted.encoded() == bytes("d0:i0e3:cow3:moo4:spam4:eggse"))
        #expect(unsorted["cow"] == .string("moo"))
        let convenience = BencodeValue.dictionary([("y", .string("q")), ("a", .integer(1)), ("a", .integer(2))])
        #expect(convenience.encoded() == bytes("d1:ai1e1:y1:qe"))
        var buffer = bytes("prefix")
        BencodeValue.integer(-7).encode(into: &buffer)
        #expect(buffer == bytes("prefixi-7e"))
    }

    @Test func accessors() {
        let list = BencodeValue.list([.integer(1)])
        #expect(list.listValue == [.integer(1)])
        #expect(list.integerValue == nil && list.bytesValue == nil && list["x"] == nil)
        #expect(BencodeValue.integer(5).integerValue == 5)
        #expect(BencodeValue.string("é").bytesValue == [0xC3, 0xA9])
    }

    @Test func nestedRoundTrip() throws {
        let value = BencodeValue.dictionary([
            ("nodes", .bytes((0..<26).map { UInt8($0) })),
            ("list", .list([.integer(.min), .integer(.max), .list([]), .dictionary([("k", .list([.bytes([])]))])])),
            ("n", .integer(-1)),
        ])
        let encoded = value.encoded()
        #expect(try BencodeDecoder.decode(encoded) == value)
        #expect(try BencodeDecoder.decode(encoded).encoded() == encoded)
    }

    @Test func fuzzMutationsNeverTrapAndAcceptedInputIsCanonical() {
        var rng = FuzzRNG(state: 0x5EED_CAFE)
        let alphabet = Array("0123456789:ield-xa".utf8) + [0x00, 0xFF]

        func randomValue(_ depth: Int) -> BencodeValue {
            switch Int.random(in: depth >= 4 ? 0..<2 : 0..<4, using: &rng) {
            case 0:
                let pick = Int.random(in: 0..<4, using: &rng)
                return .integer(pick == 0 ? .min : pick == 1 ? .max : Int64.random(in: -1000...1000, using: &rng))
            case 1:
                return .bytes((0..<Int.random(in: 0..<12, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0 })
            case 2:
                return .list((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomValue(depth + 1) })
            default:
                let entries = (0..<Int.random(in: 0..<4, using: &rng)).map { _ in
                    BencodeEntry(key: (0..<Int.random(in: 0..<3, using: &rng)).map { _ in alphabet.randomElement(using: &rng) ?? 0 },
                                 value: randomValue(depth + 1))
                }
                return .dictionary(entries)
            }
        }

        var accepted = 0
        var mismatches = 0
        for _ in 0..<10_000 {
            var input = randomValue(0).encoded()
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let op = Int.random(in: 0..<3, using: &rng)
                if op == 1 || input.isEmpty {
                    input.insert(alphabet.randomElement(using: &rng) ?? 0, at: Int.random(in: 0...input.count, using: &rng))
                } else if op == 0 {
                    input[Int.random(in: 0..<input.count, using: &rng)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                } else {
                    input.remove(at: Int.random(in: 0..<input.count, using: &rng))
                }
            }
            guard let value = try? BencodeDecoder.decode(input) else { continue }
            accepted += 1
            if value.encoded() != input { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // Guards against a fuzzer that only ever produces rejected input.
        #expect(accepted > 100)
    }
}
