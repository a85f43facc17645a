/// An element of GF(2^255 - 19), the field Curve25519/Ed25519 is defined over.
///
/// Five unsigned 51-bit limbs (radix 2^51) in `UInt64`, products in `UInt128`:
/// 25 64x64 multiplications per field product and plenty of headroom for
/// lazy reduction. Every operation here is straight-line code on the limbs:
/// no branch and no memory index depends on a value, so the same code serves
/// secret data (signing) and public data (verification).
///
/// Bounds, which keep every wrapping operation below exact:
/// - "reduced": each limb < 2^51 + 2^15. `mul`, `square`, `sub`, `negated`,
///   `init(bytes:)` and the constants produce reduced elements.
/// - `add` does not carry: the sum of up to four reduced elements (limbs < 2^54)
///   may be fed to `mul`, `square`, `sub` or `encoded()`, nothing else assumes more.
package struct FieldElement: Sendable {
    package var l0: UInt64
    package var l1: UInt64
    package var l2: UInt64
    package var l3: UInt64
    package var l4: UInt64

    package static let mask51: UInt64 = (1 << 51) - 1

    @inline(__always)
    package init(_ l0: UInt64, _ l1: UInt64, _ l2: UInt64, _ l3: UInt64, _ l4: UInt64) {
        self.l0 = l0; self.l1 = l1; self.l2 = l2; self.l3 = l3; self.l4 = l4
    }

    package static let zero = FieldElement(0, 0, 0, 0, 0)
    package static let one = FieldElement(1, 0, 0, 0, 0)
    /// d = -121665/121666, the Edwards curve constant.
    package static let d = FieldElement(0x34_DCA1_3597_8A3, 0x1A_8283_B156_EBD, 0x5E_7A26_001C_029, 0x73_9C66_3A03_CBB, 0x52_036C_EE2B_6FF)
    /// 2d, used by the cached point forms so additions skip a multiplication.
    package static let d2 = FieldElement(0x69_B942_6B2F_159, 0x35_0507_62AD_D7A, 0x3C_F44C_0038_052, 0x67_38CC_7407_977, 0x24_06D9_DC56_DFF)
    /// sqrt(-1) = 2^((p-1)/4), needed to finish square roots when p = 5 mod 8.
    package static let sqrtMinusOne = FieldElement(0x61_B274_A0EA_0B0, 0x0D_5A5F_C8F1_89D, 0x7E_F5E9_CBD0_C60, 0x78_595A_6804_C9E, 0x2B_8324_804F_C1D)

    /// Decodes 32 little-endian bytes at `offset`; bit 255 is ignored (it is the sign of x in point encodings).
    /// The value may be >= p: callers that need canonical input compare `encoded()` with the bytes.
    package init(bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        let w0 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        let w1 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        let w2 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
        let w3 = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
        let m = Self.mask51
        self.init(
            w0 & m,
            ((w0 &>> 51) | (w1 &<< 13)) & m,
            ((w1 &>> 38) | (w2 &<< 26)) & m,
            ((w2 &>> 25) | (w3 &<< 39)) & m,
            (w3 &>> 12) & m)
    }

    /// The canonical (fully reduced, < p) 32-byte little-endian encoding.
    package func encoded() -> [UInt8] {
        let m = Self.mask51
        var r = self.carried()
        // r < 2p now; q = 1 exactly when r >= p, found by propagating the carry of r + 19.
        var q = (r.l0 &+ 19) &>> 51
        q = (r.l1 &+ q) &>> 51
        q = (r.l2 &+ q) &>> 51
        q = (r.l3 &+ q) &>> 51
        q = (r.l4 &+ q) &>> 51
        // Subtract p as "add 19, drop 2^255", without a branch on q.
        r.l0 &+= 19 &* q
        r.l1 &+= r.l0 &>> 51; r.l0 &= m
        r.l2 &+= r.l1 &>> 51; r.l1 &= m
        r.l3 &+= r.l2 &>> 51; r.l2 &= m
        r.l4 &+= r.l3 &>> 51; r.l3 &= m
        r.l4 &= m
        let words = [r.l0 | (r.l1 &<< 51), (r.l1 &>> 13) | (r.l2 &<< 38), (r.l2 &>> 26) | (r.l3 &<< 25), (r.l3 &>> 39) | (r.l4 &<< 12)]
        var out = [UInt8](repeating: 0, count: 32)
        for (i, word) in words.enumerated() {
            for j in 0..<8 {
                out[8 * i + j] = UInt8(truncatingIfNeeded: word &>> UInt64(8 * j))
            }
        }
        return out
    }

    /// Propagates carries once around the limbs: any input gives limbs < 2^51 + 2^18 (reduced, for the small
    /// carries that `sub` leaves).
    @inline(__always)
    package func carried() -> FieldElement {
        let m = Self.mask51
        var r = self
        let c0 = r.l0 &>> 51; r.l0 &= m
        r.l1 &+= c0; let c1 = r.l1 &>> 51; r.l1 &= m
        r.l2 &+= c1; let c2 = r.l2 &>> 51; r.l2 &= m
        r.l3 &+= c2; let c3 = r.l3 &>> 51; r.l3 &= m
        r.l4 &+= c3; let c4 = r.l4 &>> 51; r.l4 &= m
        // 2^255 = 19 (mod p): the top carry re-enters at the bottom.
        r.l0 &+= c4 &* 19
        return r
    }

    /// 1 if the canonical value is odd: RFC 8032 calls odd x "negative".
    package var isNegative: UInt8 { encoded()[0] & 1 }

    /// Whether the value is 0 mod p (public data only: the comparison exits early).
    package var isZero: Bool { encoded().allSatisfy { $0 == 0 } }

    @inline(__always)
    package static func + (a: FieldElement, b: FieldElement) -> FieldElement {
        FieldElement(a.l0 &+ b.l0, a.l1 &+ b.l1, a.l2 &+ b.l2, a.l3 &+ b.l3, a.l4 &+ b.l4)
    }

    @inline(__always)
    package static func - (a: FieldElement, b: FieldElement) -> FieldElement {
        // Adding 16p first keeps every limb non-negative for b's limbs up to 2^55.
        FieldElement(
            (a.l0 &+ 0x7F_FFFF_FFFF_FED0) &- b.l0,
            (a.l1 &+ 0x7F_FFFF_FFFF_FFF0) &- b.l1,
            (a.l2 &+ 0x7F_FFFF_FFFF_FFF0) &- b.l2,
            (a.l3 &+ 0x7F_FFFF_FFFF_FFF0) &- b.l3,
            (a.l4 &+ 0x7F_FFFF_FFFF_FFF0) &- b.l4
        ).carried()
    }

    @inline(__always)
    package static prefix func - (a: FieldElement) -> FieldElement { zero - a }

    @inline(__always)
    package static func * (a: FieldElement, b: FieldElement) -> FieldElement {
        @inline(__always) func m(_ x: UInt64, _ y: UInt64) -> UInt128 { UInt128(x) &* UInt128(y) }
        // Limbs past 2^255 wrap around multiplied by 19.
        let b1 = b.l1 &* 19, b2 = b.l2 &* 19, b3 = b.l3 &* 19, b4 = b.l4 &* 19
        let r0 = m(a.l0, b.l0) &+ m(a.l4, b1) &+ m(a.l3, b2) &+ m(a.l2, b3) &+ m(a.l1, b4)
        let r1 = m(a.l1, b.l0) &+ m(a.l0, b.l1) &+ m(a.l4, b2) &+ m(a.l3, b3) &+ m(a.l2, b4)
        let r2 = m(a.l2, b.l0) &+ m(a.l1, b.l1) &+ m(a.l0, b.l2) &+ m(a.l4, b3) &+ m(a.l3, b4)
        let r3 = m(a.l3, b.l0) &+ m(a.l2, b.l1) &+ m(a.l1, b.l2) &+ m(a.l0, b.l3) &+ m(a.l4, b4)
        let r4 = m(a.l4, b.l0) &+ m(a.l3, b.l1) &+ m(a.l2, b.l2) &+ m(a.l1, b.l3) &+ m(a.l0, b.l4)
        return reduce(r0, r1, r2, r3, r4)
    }

    /// Squaring: 15 products instead of 25, by pairing the symmetric terms.
    @inline(__always)
    package func squared() -> FieldElement {
        @inline(__always) func m(_ x: UInt64, _ y: UInt64) -> UInt128 { UInt128(x) &* UInt128(y) }
        let d0 = l0 &* 2, d1 = l1 &* 2
        let a3x19 = l3 &* 19, a4x19 = l4 &* 19
        let d3x19 = a3x19 &* 2, d4x19 = a4x19 &* 2
        let r0 = m(l0, l0) &+ m(d1, a4x19) &+ m(l2, d3x19)
        let r1 = m(d0, l1) &+ m(l2, d4x19) &+ m(l3, a3x19)
        let r2 = m(d0, l2) &+ m(l1, l1) &+ m(l3, d4x19)
        let r3 = m(d0, l3) &+ m(d1, l2) &+ m(l4, a4x19)
        let r4 = m(d0, l4) &+ m(d1, l3) &+ m(l2, l2)
        return Self.reduce(r0, r1, r2, r3, r4)
    }

    /// Carries 128-bit column sums (each < 2^115) down to a reduced element.
    @inline(__always)
    private static func reduce(_ r0: UInt128, _ r1: UInt128, _ r2: UInt128, _ r3: UInt128, _ r4: UInt128) -> FieldElement {
        let m = UInt128(mask51)
        let c0 = r0 &>> 51
        let s1 = r1 &+ c0, c1 = s1 &>> 51
        let s2 = r2 &+ c1, c2 = s2 &>> 51
        let s3 = r3 &+ c2, c3 = s3 &>> 51
        let s4 = r4 &+ c3, c4 = s4 &>> 51
        // c4 < 2^64 / 19 given the input bounds, so the fold-back stays in 64 bits.
        var out0 = UInt64(truncatingIfNeeded: r0 & m) &+ UInt64(truncatingIfNeeded: c4) &* 19
        var out1 = UInt64(truncatingIfNeeded: s1 & m)
        out1 &+= out0 &>> 51
        out0 &= mask51
        return FieldElement(out0, out1, UInt64(truncatingIfNeeded: s2 & m),
                            UInt64(truncatingIfNeeded: s3 & m), UInt64(truncatingIfNeeded: s4 & m))
    }

    /// `self` squared `n` times (n >= 1).
    @inline(__always)
    package func squared(times n: Int) -> FieldElement {
        var r = self.squared()
        for _ in 1..<n { r = r.squared() }
        return r
    }

    /// Returns (z^(2^250 - 1), z^11), the shared prefix of the inversion and square-root chains.
    private func pow2250Minus1() -> (FieldElement, FieldElement) {
        let z2 = squared()
        let z9 = self * z2.squared(times: 2)
        let z11 = z2 * z9
        let z2_5_0 = z9 * z11.squared()  // z^31
        let z2_10_0 = z2_5_0.squared(times: 5) * z2_5_0
        let z2_20_0 = z2_10_0.squared(times: 10) * z2_10_0
        let z2_40_0 = z2_20_0.squared(times: 20) * z2_20_0
        let z2_50_0 = z2_40_0.squared(times: 10) * z2_10_0
        let z2_100_0 = z2_50_0.squared(times: 50) * z2_50_0
        let z2_200_0 = z2_100_0.squared(times: 100) * z2_100_0
        let z2_250_0 = z2_200_0.squared(times: 50) * z2_50_0
        return (z2_250_0, z11)
    }

    /// The multiplicative inverse, z^(p-2) by Fermat (0 maps to 0); a fixed chain, so constant time.
    package func inverted() -> FieldElement {
        let (z2_250_0, z11) = pow2250Minus1()
        // 2^255 - 21 = (2^250 - 1) * 2^5 + 11.
        return z2_250_0.squared(times: 5) * z11
    }

    /// z^((p-5)/8) = z^(2^252 - 3), the core of the square root used by point decoding.
    package func powP58() -> FieldElement {
        let (z2_250_0, _) = pow2250Minus1()
        return z2_250_0.squared(times: 2) * self
    }

    /// Replaces `self` by `other` when `mask` is all ones, keeps it when `mask` is 0, without branching.
    @inline(__always)
    package mutating func conditionalAssign(_ other: FieldElement, mask: UInt64) {
        l0 ^= mask & (l0 ^ other.l0)
        l1 ^= mask & (l1 ^ other.l1)
        l2 ^= mask & (l2 ^ other.l2)
        l3 ^= mask & (l3 ^ other.l3)
        l4 ^= mask & (l4 ^ other.l4)
    }

    /// Whether two elements are equal mod p (public data only).
    package static func equal(_ a: FieldElement, _ b: FieldElement) -> Bool {
        a.encoded() == b.encoded()
    }
}
