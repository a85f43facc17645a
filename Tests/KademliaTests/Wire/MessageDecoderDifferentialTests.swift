import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

// `Message.decode` reads datagrams in one pass; `Message.decodeViaTree` is the simple tree
// decoder it replaced. These tests hold the two to the same result, error reasons included.

private let idA = NodeID(bytes: bytes("abcdefghij0123456789")) ?? .zero
private let idB = NodeID(bytes: bytes("mnopqrstuvwxyz123456")) ?? .zero

private typealias Outcome = Result<Message, MessageDecodeError>

/// Both decoders' outcomes for `datagram`, read at `padding` bytes into a larger buffer so
/// that offsets relative to the datagram, not the buffer, are exercised too.
private func outcomes(_ datagram: [UInt8], padding: Int) -> (direct: Outcome, tree: Outcome) {
    let buffer = [UInt8](repeating: UInt8(ascii: "e"), count: padding) + datagram + [UInt8(ascii: "e")]
    return buffer.withUnsafeBytes { whole in
        let raw = UnsafeRawBufferPointer(rebasing: whole[padding..<padding + datagram.count])
        return (Result { () throws(MessageDecodeError) in try Message.decode(raw) },
                Result { () throws(MessageDecodeError) in try Message.decodeViaTree(raw) })
    }
}

/// The datagram as text, with bytes outside printable ASCII escaped.
private func printable(_ datagram: [UInt8]) -> String {
    var text = ""
    for byte in datagram {
        if byte >= 0x20, byte < 0x7F { text.unicodeScalars.append(UnicodeScalar(byte)) } else { text += "\\x\(byte)" }
    }
    return text
}

/// Tallies what the inputs decoded to, so a test can tell that it reached every outcome.
private struct Tally {
    var decoded = 0, unreadable = 0, malformed = 0, malformedQuery = 0, mismatches = 0

    mutating func check(_ datagram: [UInt8], padding: Int = 0, sourceLocation: SourceLocation = #_sourceLocation) {
        let (direct, tree) = outcomes(datagram, padding: padding)
        if direct != tree {
            mismatches += 1
            Issue.record("\(printable(datagram)): direct \(direct), tree \(tree)", sourceLocation: sourceLocation)
        }
        switch tree {
        case .success: decoded += 1
        case .failure(.unreadable): unreadable += 1
        case .failure(.malformed): malformed += 1
        case .failure(.malformedQuery): malformedQuery += 1
        }
    }
}

@Suite struct MessageDecoderDifferentialTests {
    @Test func encoderOutputDecodesIdenticallyAndRoundTrips() {
        var tally = Tally()
        for datagram in differentialCorpus {
            tally.check(datagram)
            tally.check(datagram, padding: 3)
        }
        #expect(tally.mismatches == 0)
        // Everything the encoder writes is accepted; only seq -1 in a response is unusual but legal.
        #expect(tally.decoded == 2 * differentialCorpus.count)
        for (index, datagram) in differentialCorpus.enumerated() {
            let body = differentialBodies[index / 4]
            #expect((try? Message.decode(datagram))?.body == body)
        }
    }

    @Test func handWrittenVectorsDecodeIdentically() {
        var tally = Tally()
        for vector in (differentialVectors + differentialDepthVectors).map(bytes) + differentialBinaryVectors {
            tally.check(vector)
            tally.check(vector, padding: 1)
        }
        #expect(tally.mismatches == 0)
        #expect(tally.decoded > 0 && tally.unreadable > 0 && tally.malformed > 0 && tally.malformedQuery > 0)
    }

    @Test func fieldCombinationsDecodeIdentically() {
        var tally = Tally()
        for envelope in envelopeCombinations { tally.check(envelope.encoded()) }
        for method in ["store", "find_node", "find_value", "ping", "get_peers"] {
            for arguments in storeArgumentCombinations where method == "store" || (arguments["token"] == nil && arguments["key"] == nil) {
                let datagram = BencodeValue.dictionary([
                    ("a", arguments), ("q", .string(method)), ("t", .string("aa")), ("y", .string("q")),
                ])
                tally.check(datagram.encoded())
            }
        }
        for method in ["get_peers", "announce_peer", "get", "put", "sample_infohashes"] {
            for arguments in mainlineArgumentCombinations {
                let datagram = BencodeValue.dictionary([
                    ("a", arguments), ("q", .string(method)), ("ro", .integer(1)), ("t", .string("aa")), ("y", .string("q")),
                ])
                tally.check(datagram.encoded())
            }
        }
        for response in responseCombinations {
            tally.check(BencodeValue.dictionary([("r", response), ("t", .string("aa")), ("y", .string("r"))]).encoded())
        }
        for list in errorListCombinations {
            tally.check(BencodeValue.dictionary([("e", list), ("t", .string("aa")), ("y", .string("e"))]).encoded())
        }
        #expect(tally.mismatches == 0)
        #expect(tally.decoded > 100 && tally.unreadable == 0 && tally.malformed > 1_000 && tally.malformedQuery > 1_000)
    }

    @Test func byteMutationsDecodeIdentically() {
        var rng = SeededGenerator(seed: 0xDEC0_DE55)
        let interesting = Array("0123456789:ield-".utf8) + [0x00, 0x7F, 0x80, 0xFF]
        var tally = Tally()
        for _ in 0..<4_000 {
            var input = differentialCorpus.randomElement(using: &rng) ?? []
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let position = Int.random(in: 0...input.count, using: &rng)
                switch Int.random(in: 0..<5, using: &rng) {
                case 0 where position < input.count:
                    input[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
                case 1 where position < input.count:
                    input[position] = interesting.randomElement(using: &rng) ?? 0
                case 2:
                    input.removeSubrange(position...)
                case 3 where position < input.count:
                    input.remove(at: position)
                default:
                    input.insert(interesting.randomElement(using: &rng) ?? 0, at: position)
                }
            }
            tally.check(input, padding: Int.random(in: 0...2, using: &rng))
        }
        #expect(tally.mismatches == 0)
        // Guards against a mutator that only ever produces one kind of outcome.
        #expect(tally.decoded > 50 && tally.unreadable > 1_000 && tally.malformed > 10 && tally.malformedQuery > 10)
    }

    @Test func structuralMutationsDecodeIdentically() throws {
        // Byte noise rarely yields valid bencode, so this swaps, drops and adds whole fields,
        // which reaches the field-level checks and their order.
        var rng = SeededGenerator(seed: 0x5EED_F1E1)
        let keys = ["t", "y", "q", "a", "r", "e", "v", "id", "target", "token", "seq", "key", "ttl", "nodes", "zz", ""].map(bytes)
        let replacements: [BencodeValue] = [
            .integer(0), .integer(-1), .integer(7), .bytes([]), .string("q"), .string("r"), .string("e"), .string("ping"),
            .string("store"), .string("find_node"), .bytes(idA.bytes), .bytes(Array(repeating: 1, count: 26)), .bytes([1, 2, 3]),
            .list([]), .list([.integer(201), .string("x")]), .list([.string("x"), .integer(1)]), .dictionary([] as [BencodeEntry]),
            .dictionary([("id", .bytes(idB.bytes))]),
        ]
        let trees = try differentialCorpus.map { try BencodeDecoder.decode($0) }
        var tally = Tally()
        for _ in 0..<3_000 {
            var tree = trees.randomElement(using: &rng) ?? .dictionary([] as [BencodeEntry])
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let key = keys.randomElement(using: &rng) ?? []
                let replacement = Bool.random(using: &rng) ? nil : replacements.randomElement(using: &rng)
                // Mutate the envelope or one level down, inside a, r or e.
                if Bool.random(using: &rng), case .dictionary(var entries) = tree,
                   let inner = entries.firstIndex(where: { $0.key.count == 1 && "are".utf8.contains($0.key[0]) }) {
                    entries[inner].value = mutate(entries[inner].value, key: key, to: replacement)
                    tree = .dictionary(entries)
                } else {
                    tree = mutate(tree, key: key, to: replacement)
                }
            }
            tally.check(tree.encoded())
        }
        #expect(tally.mismatches == 0)
        #expect(tally.decoded > 100 && tally.malformed > 100 && tally.malformedQuery > 100)
    }
}

/// `value` with `key` set to `replacement` (nil removes it); a list gets its first element replaced.
private func mutate(_ value: BencodeValue, key: [UInt8], to replacement: BencodeValue?) -> BencodeValue {
    switch value {
    case .dictionary(var entries):
        entries.removeAll { $0.key == key }
        if let replacement { entries.append(BencodeEntry(key: key, value: replacement)) }
        return .dictionary(entries)
    case .list(var elements):
        if elements.isEmpty { return value }
        if let replacement { elements[0] = replacement } else { elements.removeFirst() }
        return .list(elements)
    default:
        return replacement ?? value
    }
}
