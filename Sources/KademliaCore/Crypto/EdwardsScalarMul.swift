/// Scalar multiplication on edwards25519: a constant-time fixed-base
/// multiplication for signing and key derivation, and a variable-time
/// double-scalar multiplication for verification.
extension EdwardsPoint {
    /// (j + 1) * 256^i * B for i in 0..<32, j in 0..<8, at index 8i + j, in affine form.
    ///
    /// Built once, on first use, from B itself rather than pasted in as 7 KB of
    /// constants: a mistyped table entry would be silent, a computed one cannot be.
    package static let baseComb: [AffineNielsPoint] = {
        var table: [AffineNielsPoint] = []
        table.reserveCapacity(32 * 8)
        var rowBase = EdwardsPoint.base
        for _ in 0..<32 {
            let step = rowBase.cached
            var multiple = rowBase
            for j in 0..<8 {
                table.append(AffineNielsPoint(multiple))
                if j < 7 { multiple = (multiple + step).extended }
            }
            for _ in 0..<8 { rowBase = rowBase.doubled() }
        }
        return table
    }()

    /// B, 3B, 5B, ..., 127B: the odd multiples a width-8 NAF digit of the base scalar selects.
    package static let baseOddMultiples: [AffineNielsPoint] = {
        let twice = EdwardsPoint.base.doubled().cached
        var current = EdwardsPoint.base
        var table = [AffineNielsPoint(current)]
        for _ in 1..<64 {
            current = (current + twice).extended
            table.append(AffineNielsPoint(current))
        }
        return table
    }()

    /// [s]B for a 32-byte little-endian scalar with s[31] <= 127 (clamped keys and
    /// scalars reduced mod L both qualify).
    ///
    /// Constant time: s is written in signed radix 16 (64 digits in -8...8) by
    /// arithmetic, not branches; each digit picks its multiple by reading all 8
    /// entries of its table row and keeping one under a mask, then negates it
    /// under a mask. The sequence of operations and of memory addresses is the
    /// same for every s. Cost: 64 mixed additions and 4 doublings.
    package static func multiplyBase(_ s: [UInt8]) -> EdwardsPoint {
        var digits = [Int](repeating: 0, count: 64)
        for i in 0..<32 {
            digits[2 * i] = Int(s[i] & 15)
            digits[2 * i + 1] = Int(s[i] &>> 4)
        }
        // Recentre each digit into -8...7, pushing the excess into the next one.
        var carry = 0
        for i in 0..<63 {
            digits[i] &+= carry
            carry = (digits[i] &+ 8) &>> 4
            digits[i] &-= carry &<< 4
        }
        digits[63] &+= carry

        let table = baseComb
        // s = sum of digits[i] 16^i: odd digits first (rows hold 256^i), then times 16, then even digits.
        var h = EdwardsPoint.identity
        for i in stride(from: 1, to: 64, by: 2) {
            h = (h + select(table, row: i / 2, digit: digits[i])).extended
        }
        let h16 = h.projective.doubled().projective.doubled().projective.doubled().projective.doubled()
        h = h16.extended
        for i in stride(from: 0, to: 64, by: 2) {
            h = (h + select(table, row: i / 2, digit: digits[i])).extended
        }
        return h
    }

    /// digit * table[8 row + ...] for digit in -8...8, reading every entry of the row.
    @inline(__always)
    private static func select(_ table: [AffineNielsPoint], row: Int, digit: Int) -> AffineNielsPoint {
        let sign = Int64(truncatingIfNeeded: digit) &>> 63  // 0 or -1
        let magnitude = UInt64(bitPattern: (Int64(truncatingIfNeeded: digit) ^ sign) &- sign)
        var result = AffineNielsPoint.identity
        for j in 0..<8 {
            // mask is all ones exactly when magnitude == j + 1: (diff - 1) has its top bit set only for diff = 0.
            let diff = magnitude ^ UInt64(j + 1)
            let mask = 0 &- ((diff &- 1) &>> 63)
            result.conditionalAssign(table[8 * row + j], mask: mask)
        }
        result.conditionalAssign(result.negated(), mask: UInt64(bitPattern: sign))
        return result
    }

    /// [a]P + [b]B for 32-byte little-endian scalars: variable time, for public inputs only.
    ///
    /// Both scalars are written in width-w NAF (w = 5 for P, whose 8 odd
    /// multiples are computed here; w = 8 for B, from the static table), so a
    /// shared run of about 253 doublings carries roughly 253/6 + 253/9 additions.
    package static func vartimeDoubleMultiply(_ a: [UInt8], _ point: EdwardsPoint, _ b: [UInt8]) -> ProjectivePoint {
        let aDigits = nonAdjacentForm(a, width: 5)
        let bDigits = nonAdjacentForm(b, width: 8)

        var pointMultiples = [point.cached]
        pointMultiples.reserveCapacity(8)
        let twice = point.doubled().cached
        var current = point
        for _ in 1..<8 {
            current = (current + twice).extended
            pointMultiples.append(current.cached)
        }
        let baseMultiples = baseOddMultiples

        var i = aDigits.count - 1
        while i >= 0 && aDigits[i] == 0 && bDigits[i] == 0 { i -= 1 }
        var r = ProjectivePoint.identity
        while i >= 0 {
            var t = r.doubled()
            let da = Int(aDigits[i]), db = Int(bDigits[i])
            if da > 0 {
                t = t.extended + pointMultiples[da / 2]
            } else if da < 0 {
                t = t.extended - pointMultiples[-da / 2]
            }
            if db > 0 {
                t = t.extended + baseMultiples[db / 2]
            } else if db < 0 {
                t = t.extended - baseMultiples[-db / 2]
            }
            r = t.projective
            i -= 1
        }
        return r
    }

    /// The width-w non-adjacent form of a 32-byte little-endian scalar: 258 digits (a 256-bit
    /// scalar's last carry can land at 257),
    /// each 0 or odd with |digit| < 2^(w-1), nonzero digits at least w apart.
    package static func nonAdjacentForm(_ scalar: [UInt8], width: Int) -> [Int8] {
        // Two zero words past the scalar let a window read beyond bit 255 without a bounds case.
        var words = [UInt64](repeating: 0, count: 6)
        for i in 0..<min(scalar.count, 32) {
            words[i / 8] |= UInt64(scalar[i]) &<< UInt64(8 * (i % 8))
        }
        var digits = [Int8](repeating: 0, count: 258)
        let windowSize = 1 << width
        let windowMask = UInt64(windowSize - 1)
        var carry = 0
        var position = 0
        while position < digits.count {
            let index = position / 64, shift = position % 64
            var bits = words[index] &>> UInt64(shift)
            if shift + width > 64 {
                bits |= words[index + 1] &<< UInt64(64 - shift)
            }
            let window = carry + Int(bits & windowMask)
            if window & 1 == 0 {
                // An even window (bit plus carry) contributes no digit here; the carry moves up with it.
                position += 1
                continue
            }
            if window < windowSize / 2 {
                carry = 0
                digits[position] = Int8(window)
            } else {
                // Take window - 2^w here and owe 2^w to the position w bits up.
                carry = 1
                digits[position] = Int8(window - windowSize)
            }
            position += width
        }
        return digits
    }
}
