import Testing
@testable import Kademlia
@testable import KademliaCore

@Suite struct SHA512Tests {
    /// FIPS 180-2 appendix C and the NIST example values.
    @Test(arguments: [
        ("abc",
         "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
        ("",
         "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"),
    ])
    func fipsVectors(message: String, digest: String) {
        #expect(hex(SHA512.hash(message)) == digest)
        #expect(hex(SHA512.hash(Array(message.utf8))) == digest)
        #expect(hex(SHA512.hash(message.utf8)) == digest)
    }

    @Test func oneMillionAInUnevenChunks() {
        let total = 1_000_000
        let source = [UInt8](repeating: UInt8(ascii: "a"), count: 4096)
        // Chunk sizes straddle the 128-byte block boundary in every way.
        let chunkSizes = [1, 7, 127, 128, 129, 255, 256, 257, 1000, 3, 4096, 111, 112, 0]
        var hasher = SHA512.Hasher()
        var fed = 0
        var i = 0
        while fed < total {
            let n = min(chunkSizes[i % chunkSizes.count], total - fed)
            hasher.update(source[0..<n])
            fed += n
            i += 1
        }
        #expect(hex(hasher.finalize())
            == "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b")
    }

    /// Digests from /usr/bin/sha512sum of ramp(n); 111/112 and 239/240 are where the
    /// length field stops fitting in the last block, 127/128/129 and 255/256 the block edges.
    @Test(arguments: [
        (111, "a1a111449b198d9b1f538bad7f3fc1022b3a5b1a5e90a0bc860de8512746cbc31599e6c834de3a3235327af0b51ff57bf7acf1974a73014d9c3953812edc7c8d"),
        (112, "c5fbd731d19d2ae1180f001be72c2c1aaba1d7b094b3748880e24593b8e117a750e11c1bd867cc2f96dace8c8b74abd2d5c4f236be444e77d30d1916174070b9"),
        (113, "61b2e77db697dfe5571fff3ed06bd60c41e1e7b7c08a80de01cb16526d9a9a52d690dfbe792278a60f6e2b4c57a97c729773f26e258d2393890c985d645f6715"),
        (127, "eab89674feaa34e27aebeeff3c0a4d70070bb872d5e9f186cf1dbbdee517b6e35724d629ff025a5b07185e911ada7e3c8acf830aa0e4f71777bd2d44f504f7f0"),
        (128, "1dffd5e3adb71d45d2245939665521ae001a317a03720a45732ba1900ca3b8351fc5c9b4ca513eba6f80bc7b1d1fdad4abd13491cb824d61b08d8c0e1561b3f7"),
        (129, "1d9da57fbbdab09afb3506ab2d223d06109d65c1c8ad197f50138f714bc4c3f2fe5787922639c680acad1c651f955990425954ce2cba0c5cc83f2667d878eb0f"),
        (239, "cb4c7fd522756d5781ad3a4f590a1d862906b960e7720136cb3fb36b563caa1ea5689134291fa79c80ccc2b4092b41df32ebdcb36dbe79db483440228c1622a8"),
        (240, "6c48466c9f6c07e4ab762c696b7eeb35cfe236fca73683e5fab873ac3489b4d2eb3d7afcce7e8165dbbf37aded3b5b0c889c0b7e0f1790a8330d8677429d91a5"),
        (255, "15025c9d135861ff5a549df0bfd6c398fd126613496d4e97627651e68b7b1f80407f187d7978464f0f78bfeea787600faaebbe991eddb60671cd0ce874f0a744"),
        (256, "1e7b80bc8edc552c8feeb2780e111477e5bc70465fac1a77b29b35980c3f0ce4a036a6c9462036824bd56801e62af7e9feba5c22ed8a5af877bf7de117dcac6d"),
    ])
    func paddingBoundaries(length: Int, digest: String) {
        #expect(hex(SHA512.hash(ramp(length))) == digest)
    }

    /// Every length 0...300 at once: the expected value is sha512sum of the 301 sha512sum
    /// digests of ramp(0)...ramp(300) concatenated, so one embedded line covers all of them.
    @Test func everyLengthUpTo300() {
        var digests: [UInt8] = []
        for n in 0...300 {
            digests += SHA512.hash(ramp(n))
        }
        #expect(hex(SHA512.hash(digests))
            == "d7ff5323ebbef9438546b104939504d6846f067dc41a135152e616e5fb701a72458ac9ce86a32dbf342659cacb0a9237c21653d6bd379bd1f10a5a92f5c3f5d2")
    }

    @Test func everySplitPointMatchesOneShot() {
        let message = ramp(300)
        let expected = SHA512.hash(message)
        for split in 0...message.count {
            var hasher = SHA512.Hasher()
            hasher.update(Array(message[0..<split]))
            message[split...].withUnsafeBytes { hasher.update($0) }
            #expect(hasher.finalize() == expected, "split at \(split)")
        }
    }

    @Test func finalizeResetsForReuse() {
        var hasher = SHA512.Hasher()
        hasher.update(Array("garbage".utf8))
        _ = hasher.finalize()
        hasher.update(Array("abc".utf8))
        #expect(hex(hasher.finalize()).hasPrefix("ddaf35a193617aba"))
    }

    @Test func nonContiguousSequencesHashLikeArrays() {
        let message = ramp(200)
        // A lazy map has no contiguous storage, so it takes the copying path.
        #expect(SHA512.hash(message.lazy.map { $0 }) == SHA512.hash(message))
    }

    @Test func digestIsSixtyFourBytesAndStringHashesUTF8() {
        let text = "naïve ☃ 🚀"
        #expect(SHA512.hash(text).count == SHA512.digestSize)
        #expect(SHA512.hash(text) == SHA512.hash(Array(text.utf8)))
    }
}
