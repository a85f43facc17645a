/// Arithmetic modulo the prime order L = 2^252 + 27742317777372353535851937790883648493
/// of the edwards25519 base point, on 32-byte little-endian scalars.
///
/// Signing feeds secret values through `reduce` and `multiplyAdd`, so both are
/// straight-line: fixed loop counts, carries taken from the high half of
/// `UInt128` sums, and the final correction done with masks (Barrett reduction,
/// HAC 14.42, with radix 2^64 and k = 4). `isCanonical` is for public data.
package enum Scalar25519 {
    /// L in 64-bit words, least significant first.
    package static let order: [UInt64] = [0x5812_631A_5CF5_D3ED, 0x14DE_F9DE_A2F7_9CD6, 0, 0x1000_0000_0000_0000]

    /// floor(2^512 / L), the Barrett constant (260 bits).
    private static let barrettMu: [UInt64] = [
        0xED9C_E5A3_0A2C_131B, 0x2106_215D_0863_29A7, 0xFFFF_FFFF_FFFF_FFEB, 0xFFFF_FFFF_FFFF_FFFF, 0xF,
    ]

    /// A 64-byte little-endian integer (a SHA-512 digest) reduced mod L.
    package static func reduce(_ wide: [UInt8]) -> [UInt8] {
        bytes(reduceWords(words(wide, count: 8)))
    }

    /// (a * b + c) mod L for 32-byte scalars: the S = r + k a of a signature.
    package static func multiplyAdd(_ a: [UInt8], _ b: [UInt8], _ c: [UInt8]) -> [UInt8] {
        var x = multiply(words(a, count: 4), words(b, count: 4))
        let cWords = words(c, count: 4)
        // a b + c < 2^512, so the carry out of the top word is always 0.
        var carry: UInt64 = 0
        for i in 0..<8 {
            let addend = i < 4 ? cWords[i] : 0
            let sum = UInt128(x[i]) &+ UInt128(addend) &+ UInt128(carry)
            x[i] = UInt64(truncatingIfNeeded: sum)
            carry = UInt64(truncatingIfNeeded: sum &>> 64)
        }
        return bytes(reduceWords(x))
    }

    /// Whether 32 bytes encode an integer below L: RFC 8032 §5.1.7 rejects S >= L.
    ///
    /// Variable time (it returns at the first differing word): S is public.
    package static func isCanonical(_ s: [UInt8]) -> Bool {
        guard s.count == 32 else { return false }
        let w = words(s, count: 4)
        for i in stride(from: 3, through: 0, by: -1) where w[i] != order[i] {
            return w[i] < order[i]
        }
        return false  // s == L
    }

    /// Barrett reduction of an 8-word x < 2^512 to 4 words < L.
    private static func reduceWords(_ x: [UInt64]) -> [UInt64] {
        // q3 = floor(floor(x / 2^192) * mu / 2^320) undershoots floor(x / L) by at most 2.
        let q1 = Array(x[3..<8])
        let q2 = multiply(q1, barrettMu)
        let q3 = Array(q2[5..<10])
        let r2 = multiply(q3, order)
        // r = x - q3 L, computed mod 2^320: it is known to lie in 0..<3L.
        var r = [UInt64](repeating: 0, count: 5)
        var borrow: UInt64 = 0
        for i in 0..<5 {
            let difference = UInt128(x[i]) &- UInt128(r2[i]) &- UInt128(borrow)
            r[i] = UInt64(truncatingIfNeeded: difference)
            borrow = UInt64(truncatingIfNeeded: difference &>> 127)
        }
        // Two masked subtractions of L instead of a data-dependent loop.
        subtractOrderIfNotBelow(&r)
        subtractOrderIfNotBelow(&r)
        return Array(r[0..<4])
    }

    /// r -= L when r >= L, choosing the result with a mask from the borrow.
    private static func subtractOrderIfNotBelow(_ r: inout [UInt64]) {
        var difference = [UInt64](repeating: 0, count: r.count)
        var borrow: UInt64 = 0
        for i in 0..<r.count {
            let m = i < 4 ? order[i] : 0
            let d = UInt128(r[i]) &- UInt128(m) &- UInt128(borrow)
            difference[i] = UInt64(truncatingIfNeeded: d)
            borrow = UInt64(truncatingIfNeeded: d &>> 127)
        }
        let keep = 0 &- borrow  // all ones when r < L
        for i in 0..<r.count {
            r[i] = (r[i] & keep) | (difference[i] & ~keep)
        }
    }

    /// The full (a.count + b.count)-word product, schoolbook.
    private static func multiply(_ a: [UInt64], _ b: [UInt64]) -> [UInt64] {
        var r = [UInt64](repeating: 0, count: a.count + b.count)
        for i in 0..<a.count {
            var carry: UInt64 = 0
            for j in 0..<b.count {
                // (2^64 - 1)^2 + 2 (2^64 - 1) = 2^128 - 1: the sum never wraps.
                let t = UInt128(a[i]) &* UInt128(b[j]) &+ UInt128(r[i + j]) &+ UInt128(carry)
                r[i + j] = UInt64(truncatingIfNeeded: t)
                carry = UInt64(truncatingIfNeeded: t &>> 64)
            }
            r[i + b.count] = carry
        }
        return r
    }

    /// Little-endian bytes to `count` words; missing bytes read as 0.
    private static func words(_ bytes: [UInt8], count: Int) -> [UInt64] {
        var w = [UInt64](repeating: 0, count: count)
        for i in 0..<min(bytes.count, 8 * count) {
            w[i / 8] |= UInt64(bytes[i]) &<< UInt64(8 * (i % 8))
        }
        return w
    }

    /// The low four words as 32 little-endian bytes.
    private static func bytes(_ words: [UInt64]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for i in 0..<32 {
            out[i] = UInt8(truncatingIfNeeded: words[i / 8] &>> UInt64(8 * (i % 8)))
        }
        return out
    }
}
