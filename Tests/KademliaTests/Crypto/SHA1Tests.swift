import Testing
import Kademlia

@Suite struct SHA1Tests {
    @Test(arguments: [
        ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "a49b2446a02c645bf419f995b67091253a04a259"),
    ])
    func fipsVectors(message: String, digest: String) {
        #expect(hex(SHA1.hash(message)) == digest)
        #expect(hex(SHA1.hash(Array(message.utf8))) == digest)
    }

    @Test func oneMillionAInUnevenChunks() {
        let total = 1_000_000
        let source = [UInt8](repeating: UInt8(ascii: "a"), count: 4096)
        // Chunk sizes straddle the 64-byte block boundary in every way.
        let chunkSizes = [1, 7, 63, 64, 65, 127, 128, 129, 1000, 3, 4096, 55, 56, 0]
        var hasher = SHA1()
        var fed = 0
        var i = 0
        while fed < total {
            let n = min(chunkSizes[i % chunkSizes.count], total - fed)
            hasher.update(Array(source[0..<n]))
            fed += n
            i += 1
        }
        #expect(hex(hasher.finalize()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// Digests from python3 hashlib.sha1(bytes(i % 256 for i in range(n))).
    @Test(arguments: [
        (55, "8ae2d46729cfe68ff927af5eec9c7d1b66d65ac2"),
        (56, "636e2ec698dac903498e648bd2f3af641d3c88cb"),
        (63, "6d942da0c4392b123528f2905c713a3ce28364bd"),
        (64, "c6138d514ffa2135bfce0ed0b8fac65669917ec7"),
        (65, "69bd728ad6e13cd76ff19751fde427b00e395746"),
        (119, "41c89d06001bab4ab78736b44efe7ce18ce6ae08"),
        (120, "d3dbd653bd8597b7475321b60a36891278e6a04a"),
        (128, "e6434bc401f98603d7eda504790c98c67385d535"),
    ])
    func paddingBoundaries(length: Int, digest: String) {
        #expect(hex(SHA1.hash(ramp(length))) == digest)
    }

    /// Digests from python3 hashlib.sha1(b"a" * n).
    @Test(arguments: [
        (55, "c1c8bbdc22796e28c0e15163d20899b65621d65a"),
        (56, "c2db330f6083854c99d4b5bfb6e8f29f201be699"),
        (63, "03f09f5b158a7a8cdad920bddc29b81c18a551f5"),
        (64, "0098ba824b5c16427bd7a1122a5a442a25ec644d"),
        (65, "11655326c708d70319be2610e8a57d9a5b959d3b"),
    ])
    func paddingBoundariesRepeatedA(length: Int, digest: String) {
        #expect(hex(SHA1.hash(String(repeating: "a", count: length))) == digest)
    }

    @Test func everySplitPointMatchesOneShot() {
        let message = ramp(200)
        let expected = SHA1.hash(message)
        for split in 0...message.count {
            var hasher = SHA1()
            hasher.update(Array(message[0..<split]))
            message[split...].withUnsafeBytes { hasher.update($0) }
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    @Test func finalizeResetsForReuse() {
        var hasher = SHA1()
        hasher.update(Array("garbage".utf8))
        _ = hasher.finalize()
        hasher.update(Array("abc".utf8))
        #expect(hex(hasher.finalize()) == "a9993e364706816aba3e25717850c26c9cd0d89d")
    }

    @Test func digestIsTwentyBytesAndStringHashesUTF8() {
        let text = "naïve ☃ 🚀"
        #expect(SHA1.hash(text).count == 20)
        #expect(SHA1.hash(text) == SHA1.hash(Array(text.utf8)))
    }
}
