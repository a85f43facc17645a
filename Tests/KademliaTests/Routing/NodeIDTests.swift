import Testing
@testable import Kademlia
@testable import KademliaCore

/// An id with a single bit set (bit 0 is the least significant of the 160).
private func idWithBit(_ bit: Int) -> NodeID {
    var bytes = [UInt8](repeating: 0, count: NodeID.byteCount)
    bytes[NodeID.byteCount - 1 - bit / 8] = 1 << UInt8(bit % 8)
    return NodeID(bytes: bytes) ?? .zero
}

@Suite struct NodeIDTests {
    @Test func hexRoundTripsAndIsLowercase() throws {
        let text = "0123456789abcdef00ff80017f10aabbccddeeff"
        let id = try #require(NodeID(hex: text))
        #expect(id.hex == text)
        #expect(id.description == text)
        #expect(id.bytes.first == 0x01 && id.bytes.last == 0xFF)
        let upper = try #require(NodeID(hex: text.uppercased()))
        #expect(upper == id)
        #expect(upper.hex == text)
    }

    @Test func hexWordsAreBigEndian() throws {
        let id = try #require(NodeID(hex: "0000000000000001" + "0000000000000002" + "00000003"))
        #expect(id == NodeID(high: 1, middle: 2, low: 3))
    }

    @Test(arguments: [
        "",
        "00",
        String(repeating: "a", count: 39),
        String(repeating: "a", count: 41),
        String(repeating: "a", count: 42),
        String(repeating: "a", count: 39) + "g",
        "x" + String(repeating: "0", count: 39),
        String(repeating: "0", count: 38) + " 0",
        String(repeating: "0", count: 38) + "-1",
        String(repeating: "0", count: 38) + "é",
    ])
    func rejectsBadHex(text: String) {
        #expect(NodeID(hex: text) == nil)
    }

    @Test func bytesRoundTripForRandomIDs() throws {
        var generator = SeededGenerator(seed: 0xB17E5)
        for _ in 0..<200 {
            let id = NodeID.random(using: &generator)
            #expect(id.bytes.count == NodeID.byteCount)
            #expect(NodeID(bytes: id.bytes) == id)
            #expect(NodeID(hex: id.hex) == id)
            var appended: [UInt8] = [9, 9]
            id.appendBytes(to: &appended)
            #expect(appended == [9, 9] + id.bytes)
        }
    }

    @Test func bytesInitRejectsWrongLengths() {
        for count in [0, 1, 19, 21, 40] {
            #expect(NodeID(bytes: [UInt8](repeating: 7, count: count)) == nil)
        }
        let slice = [UInt8](0..<30)[5..<25]
        #expect(NodeID(bytes: slice)?.bytes == Array(5..<25))
    }

    @Test func xorDistanceProperties() {
        var generator = SeededGenerator(seed: 42)
        let zero = Distance(high: 0, middle: 0, low: 0)
        for _ in 0..<200 {
            let a = NodeID.random(using: &generator)
            let b = NodeID.random(using: &generator)
            let c = NodeID.random(using: &generator)
            #expect(a.distance(to: a) == zero)
            #expect(a.distance(to: b) == b.distance(to: a))
            let ab = a.distance(to: b), bc = b.distance(to: c), ac = a.distance(to: c)
            #expect(Distance(high: ab.high ^ bc.high, middle: ab.middle ^ bc.middle, low: ab.low ^ bc.low) == ac)
            if a != b { #expect(a.distance(to: b) != zero) }
        }
    }

    @Test func distanceLeadingZerosAndOrdering() {
        #expect(Distance(high: 0, middle: 0, low: 0).leadingZeroBitCount == 160)
        #expect(Distance(high: 0, middle: 0, low: 1).leadingZeroBitCount == 159)
        #expect(Distance(high: 0, middle: 1, low: 0).leadingZeroBitCount == 127)
        #expect(Distance(high: 1 << 63, middle: 0, low: 0).leadingZeroBitCount == 0)
        // High word dominates middle, middle dominates low.
        #expect(Distance(high: 0, middle: .max, low: .max) < Distance(high: 1, middle: 0, low: 0))
        #expect(Distance(high: 5, middle: 0, low: .max) < Distance(high: 5, middle: 1, low: 0))
        #expect(Distance(high: 5, middle: 1, low: 2) < Distance(high: 5, middle: 1, low: 3))
        #expect(!(Distance(high: 5, middle: 1, low: 3) < Distance(high: 5, middle: 1, low: 3)))
    }

    @Test func distanceOrderMatchesBigEndianByteOrder() {
        var generator = SeededGenerator(seed: 7)
        let target = NodeID.random(using: &generator)
        for _ in 0..<300 {
            let a = NodeID.random(using: &generator).distance(to: target)
            let b = NodeID.random(using: &generator).distance(to: target)
            let bytesA = NodeID(high: a.high, middle: a.middle, low: a.low).bytes
            let bytesB = NodeID(high: b.high, middle: b.middle, low: b.low).bytes
            #expect((a < b) == bytesA.lexicographicallyPrecedes(bytesB))
        }
    }

    @Test func bucketIndexHandMadeCases() throws {
        let base = try #require(NodeID(hex: "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"))
        #expect(base.bucketIndex(of: base) == nil)
        let topBitFlipped = try #require(NodeID(hex: "da5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"))
        #expect(base.bucketIndex(of: topBitFlipped) == 159)
        let lowestBitFlipped = try #require(NodeID(hex: "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5b"))
        #expect(base.bucketIndex(of: lowestBitFlipped) == 0)
        #expect(NodeID.zero.bucketIndex(of: idWithBit(31)) == 31)
        #expect(NodeID.zero.bucketIndex(of: idWithBit(32)) == 32)
        #expect(NodeID.zero.bucketIndex(of: idWithBit(95)) == 95)
        #expect(NodeID.zero.bucketIndex(of: idWithBit(96)) == 96)
        #expect(NodeID.zero.bucketIndex(of: idWithBit(127)) == 127)
        #expect(NodeID.zero.bucketIndex(of: idWithBit(128)) == 128)
    }

    @Test func bucketIndexIsOneFiveNineMinusLeadingZeros() {
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<300 {
            let a = NodeID.random(using: &generator)
            // Shift b toward a so small buckets are exercised too.
            let shift = Int.random(in: 0..<160, using: &generator)
            let b = a.randomID(inBucket: shift, using: &generator)
            let zeros = a.distance(to: b).leadingZeroBitCount
            #expect(a.bucketIndex(of: b) == 159 - zeros)
            #expect(a.bucketIndex(of: b) == b.bucketIndex(of: a))
        }
    }

    @Test(arguments: [1, 2, 3, 0xDEAD_BEEF] as [UInt64])
    func randomIDLandsInRequestedBucket(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let local = NodeID.random(using: &generator)
        for index in 0..<NodeID.bitCount {
            for _ in 0..<3 {
                let id = local.randomID(inBucket: index, using: &generator)
                #expect(local.bucketIndex(of: id) == index, "bucket \(index), id \(id)")
            }
        }
    }

    @Test func randomIDRandomisesTheBitsBelowTheBucket() {
        var generator = SeededGenerator(seed: 5)
        let local = NodeID.zero
        let ids = Set((0..<20).map { _ in local.randomID(inBucket: 159, using: &generator) })
        #expect(ids.count == 20)
        let all = Set((0..<8).map { _ in local.randomID(inBucket: 1, using: &generator) })
        #expect(all.isSubset(of: [idWithBit(1), NodeID(high: 0, middle: 0, low: 3)]))
    }

    @Test func keyIDIsSHA1OfTheKey() throws {
        #expect(NodeID(key: "hello").hex == "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
        #expect(NodeID(key: "").hex == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(NodeID(key: "hello") == NodeID(bytes: SHA1.hash(Array("hello".utf8))))
    }

    @Test func nodeIDOrderingIsBigEndian() {
        #expect(NodeID(high: 0, middle: .max, low: .max) < NodeID(high: 1, middle: 0, low: 0))
        #expect(NodeID(high: 1, middle: 0, low: .max) < NodeID(high: 1, middle: 1, low: 0))
        #expect(NodeID.zero < NodeID(high: 0, middle: 0, low: 1))
    }
}
