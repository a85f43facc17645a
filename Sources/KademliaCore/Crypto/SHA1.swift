/// SHA-1 (FIPS 180-4), streaming.
///
/// Used for node IDs and tokens, not for security against collisions. The partial block
/// lives inline (`HashBlockBuffer`), so hashing allocates only the 20-byte digest.
public struct SHA1: Sendable {
    /// Chaining state H0...H4.
    private struct State: Sendable {
        var a: UInt32 = 0x6745_2301
        var b: UInt32 = 0xEFCD_AB89
        var c: UInt32 = 0x98BA_DCFE
        var d: UInt32 = 0x1032_5476
        var e: UInt32 = 0xC3D2_E1F0
    }

    private typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    private static let blockSize = 64

    private var state = State()
    private var buffer = HashBlockBuffer<Block>(zero: (0, 0, 0, 0, 0, 0, 0, 0))

    /// Creates a hasher in the initial FIPS 180-4 state.
    public init() {}

    /// Absorbs `bytes` into the running hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        // A local copy of the state: the buffer is being changed while blocks are compressed.
        var chained = state
        buffer.absorb(bytes) { Self.compress(&chained, $0) }
        state = chained
    }

    /// Absorbs the contents of `bytes` into the running hash.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Returns the 20-byte digest and resets the hasher so it can be reused.
    public mutating func finalize() -> [UInt8] {
        let bitLength = buffer.totalLength &* 8
        let pendingCount = buffer.count
        // One 0x80 byte, zeros up to 56 mod 64, then the 64-bit length: at most 72 bytes.
        let padLength = pendingCount < 56 ? 56 - pendingCount : 120 - pendingCount
        var tail: (Block, Block) = ((0, 0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0))
        withUnsafeMutableBytes(of: &tail) { raw in
            raw[0] = 0x80
            raw.storeBytes(of: bitLength.bigEndian, toByteOffset: padLength, as: UInt64.self)
            update(UnsafeRawBufferPointer(rebasing: raw[0..<padLength + 8]))
        }

        let h = state
        let digest = [UInt8](unsafeUninitializedCapacity: 20) { out, initialized in
            let raw = UnsafeMutableRawBufferPointer(out)
            raw.storeBytes(of: h.a.bigEndian, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: h.b.bigEndian, toByteOffset: 4, as: UInt32.self)
            raw.storeBytes(of: h.c.bigEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: h.d.bigEndian, toByteOffset: 12, as: UInt32.self)
            raw.storeBytes(of: h.e.bigEndian, toByteOffset: 16, as: UInt32.self)
            initialized = 20
        }
        self = SHA1()
        return digest
    }

    /// Returns the SHA-1 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var hasher = SHA1()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Returns the SHA-1 digest of the UTF-8 encoding of `text`.
    public static func hash(_ text: String) -> [UInt8] {
        var hasher = SHA1()
        var text = text
        // withUTF8 avoids materialising an [UInt8] copy for native strings.
        text.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
        return hasher.finalize()
    }

    @inline(__always)
    private static func rotl(_ x: UInt32, _ n: UInt32) -> UInt32 {
        (x << n) | (x >> (32 &- n))
    }

    /// Compresses every 64-byte block of `data` (whose count is a multiple of 64) into `state`.
    private static func compress(_ state: inout State, _ data: UnsafeRawBufferPointer) {
        // The 80-word schedule lives on the stack and is shared by all blocks of this call.
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            var blockStart = 0
            while blockStart + blockSize <= data.count {
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: data.loadUnaligned(fromByteOffset: blockStart + 4 * t, as: UInt32.self))
                }
                for t in 16..<80 {
                    w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1)
                }

                var a = state.a, b = state.b, c = state.c, d = state.d, e = state.e
                for t in 0..<20 {
                    let f = (b & c) | (~b & d)
                    let temp = rotl(a, 5) &+ f &+ e &+ 0x5A82_7999 &+ w[t]
                    e = d; d = c; c = rotl(b, 30); b = a; a = temp
                }
                for t in 20..<40 {
                    let f = b ^ c ^ d
                    let temp = rotl(a, 5) &+ f &+ e &+ 0x6ED9_EBA1 &+ w[t]
                    e = d; d = c; c = rotl(b, 30); b = a; a = temp
                }
                for t in 40..<60 {
                    let f = (b & c) | (b & d) | (c & d)
                    let temp = rotl(a, 5) &+ f &+ e &+ 0x8F1B_BCDC &+ w[t]
                    e = d; d = c; c = rotl(b, 30); b = a; a = temp
                }
                for t in 60..<80 {
                    let f = b ^ c ^ d
                    let temp = rotl(a, 5) &+ f &+ e &+ 0xCA62_C1D6 &+ w[t]
                    e = d; d = c; c = rotl(b, 30); b = a; a = temp
                }

                state.a &+= a
                state.b &+= b
                state.c &+= c
                state.d &+= d
                state.e &+= e
                blockStart += blockSize
            }
        }
    }
}
