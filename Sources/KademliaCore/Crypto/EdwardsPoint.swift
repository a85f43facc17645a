/// A point on edwards25519, -x^2 + y^2 = 1 + d x^2 y^2, in extended coordinates
/// (X:Y:Z:T) with x = X/Z, y = Y/Z, xy = T/Z (Hisil-Wong-Carter-Dawson 2008).
///
/// The other point forms below exist so each step of a scalar multiplication
/// pays only for the coordinates it needs (the ref10 layout): a doubling goes
/// projective -> completed, an addition takes extended + cached -> completed,
/// and a completed point converts back with 3 or 4 multiplications. With
/// a = -1 and d not a square these formulas are complete: no input, not even
/// the identity or a small-order point, needs a special case, so none branches.
package struct EdwardsPoint: Sendable {
    package var x: FieldElement
    package var y: FieldElement
    package var z: FieldElement
    package var t: FieldElement

    /// The neutral element (0, 1).
    package static let identity = EdwardsPoint(x: .zero, y: .one, z: .one, t: .zero)

    /// The RFC 8032 base point B: y = 4/5, x even.
    package static let base: EdwardsPoint = {
        var encoding = [UInt8](repeating: 0x66, count: 32)
        encoding[0] = 0x58
        // The encoding is a fixed valid point; the identity fallback is unreachable.
        return EdwardsPoint(decoding: encoding) ?? .identity
    }()

    package init(x: FieldElement, y: FieldElement, z: FieldElement, t: FieldElement) {
        self.x = x; self.y = y; self.z = z; self.t = t
    }

    /// Decodes a 32-byte RFC 8032 §5.1.3 encoding; nil unless it is a canonical encoding of a curve point.
    ///
    /// Variable time: only public keys and signature parts are decoded.
    package init?(decoding bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        let sign = bytes[31] &>> 7
        let y = bytes.withUnsafeBytes { FieldElement(bytes: $0) }
        // y >= p is not a canonical encoding: re-encoding would not give the same bytes back.
        var unsigned = bytes
        unsigned[31] &= 0x7F
        guard y.encoded() == unsigned else { return nil }

        // x^2 = u / v with u = y^2 - 1, v = d y^2 + 1; candidate root x = u v^3 (u v^7)^((p-5)/8).
        let yy = y.squared()
        let u = yy - .one
        let v = yy * .d + .one
        let v3 = v.squared() * v
        let v7 = v3.squared() * v
        var x = u * v3 * (u * v7).powP58()
        let vxx = v * x.squared()
        if FieldElement.equal(vxx, u) {
            // x is a root already.
        } else if FieldElement.equal(vxx, -u) {
            x = x * .sqrtMinusOne
        } else {
            return nil
        }
        // x = 0 has no negative twin: an encoding that asks for one is invalid.
        if x.isZero && sign == 1 { return nil }
        if x.isNegative != sign { x = -x }
        self.init(x: x, y: y, z: .one, t: x * y)
    }

    /// The 32-byte encoding: y with the parity of x in the top bit. Constant time.
    package func encoded() -> [UInt8] {
        ProjectivePoint(x: x, y: y, z: z).encoded()
    }

    /// -P = (-x, y).
    package func negated() -> EdwardsPoint {
        EdwardsPoint(x: -x, y: y, z: z, t: -t)
    }

    /// Drops T, for a doubling that does not need it.
    package var projective: ProjectivePoint { ProjectivePoint(x: x, y: y, z: z) }

    /// The form additions take as their second operand.
    package var cached: CachedPoint {
        CachedPoint(yPlusX: y + x, yMinusX: y - x, z: z, t2d: t * .d2)
    }

    /// 2P, via the completed form.
    package func doubled() -> EdwardsPoint { projective.doubled().extended }

    /// P + Q for a cached Q: 8 multiplications plus the 4 of the conversion.
    package static func + (p: EdwardsPoint, q: CachedPoint) -> CompletedPoint {
        let a = (p.y - p.x) * q.yMinusX
        let b = (p.y + p.x) * q.yPlusX
        let c = q.t2d * p.t
        let zz = p.z * q.z
        let d = zz + zz
        return CompletedPoint(x: b - a, y: b + a, z: d + c, t: d - c)
    }

    /// P - Q for a cached Q: the addition with -Q's swapped and negated coordinates.
    package static func - (p: EdwardsPoint, q: CachedPoint) -> CompletedPoint {
        let a = (p.y - p.x) * q.yPlusX
        let b = (p.y + p.x) * q.yMinusX
        let c = q.t2d * p.t
        let zz = p.z * q.z
        let d = zz + zz
        return CompletedPoint(x: b - a, y: b + a, z: d - c, t: d + c)
    }

    /// P + Q for an affine Q (Z = 1), one multiplication cheaper: the fixed-base tables use this.
    package static func + (p: EdwardsPoint, q: AffineNielsPoint) -> CompletedPoint {
        let a = (p.y - p.x) * q.yMinusX
        let b = (p.y + p.x) * q.yPlusX
        let c = q.xy2d * p.t
        let d = p.z + p.z
        return CompletedPoint(x: b - a, y: b + a, z: d + c, t: d - c)
    }

    /// P - Q for an affine Q.
    package static func - (p: EdwardsPoint, q: AffineNielsPoint) -> CompletedPoint {
        let a = (p.y - p.x) * q.yPlusX
        let b = (p.y + p.x) * q.yMinusX
        let c = q.xy2d * p.t
        let d = p.z + p.z
        return CompletedPoint(x: b - a, y: b + a, z: d - c, t: d + c)
    }
}

/// (X:Y:Z) with x = X/Z, y = Y/Z: enough for doubling and for encoding.
package struct ProjectivePoint: Sendable {
    package var x: FieldElement
    package var y: FieldElement
    package var z: FieldElement

    package static let identity = ProjectivePoint(x: .zero, y: .one, z: .one)

    /// 2P as a completed point: 4 squarings (dbl-2008-hwcd, a = -1, all outputs negated).
    package func doubled() -> CompletedPoint {
        let xx = x.squared()
        let yy = y.squared()
        let zz = z.squared()
        let zz2 = zz + zz
        let xPlusY = (x + y).squared()
        let sum = yy + xx
        let difference = yy - xx
        return CompletedPoint(x: xPlusY - sum, y: sum, z: difference, t: zz2 - difference)
    }

    /// The 32-byte encoding: one inversion, so constant time.
    package func encoded() -> [UInt8] {
        let recip = z.inverted()
        let affineX = x * recip
        let affineY = y * recip
        var out = affineY.encoded()
        out[31] ^= affineX.isNegative &<< 7
        return out
    }
}

/// The output of an addition or doubling, (X:Y:Z:T) with x = X/Z, y = Y/T.
package struct CompletedPoint: Sendable {
    package var x: FieldElement
    package var y: FieldElement
    package var z: FieldElement
    package var t: FieldElement

    /// Back to extended coordinates: 4 multiplications.
    package var extended: EdwardsPoint {
        EdwardsPoint(x: x * t, y: y * z, z: z * t, t: x * y)
    }

    /// Back to projective coordinates, when the next step is a doubling: 3 multiplications.
    package var projective: ProjectivePoint {
        ProjectivePoint(x: x * t, y: y * z, z: z * t)
    }
}

/// (Y+X, Y-X, Z, 2dT): a point prepared to be added.
package struct CachedPoint: Sendable {
    package var yPlusX: FieldElement
    package var yMinusX: FieldElement
    package var z: FieldElement
    package var t2d: FieldElement
}

/// (y+x, y-x, 2dxy) of an affine point: a table entry prepared to be added.
package struct AffineNielsPoint: Sendable {
    package var yPlusX: FieldElement
    package var yMinusX: FieldElement
    package var xy2d: FieldElement

    /// The identity, which a constant-time table lookup starts from.
    package static let identity = AffineNielsPoint(yPlusX: .one, yMinusX: .one, xy2d: .zero)

    /// Normalises an extended point (one inversion); used only while building tables.
    package init(_ p: EdwardsPoint) {
        let recip = p.z.inverted()
        let x = p.x * recip
        let y = p.y * recip
        self.init(yPlusX: y + x, yMinusX: y - x, xy2d: x * y * .d2)
    }

    package init(yPlusX: FieldElement, yMinusX: FieldElement, xy2d: FieldElement) {
        self.yPlusX = yPlusX; self.yMinusX = yMinusX; self.xy2d = xy2d
    }

    /// -P: swap y+x with y-x and negate 2dxy.
    package func negated() -> AffineNielsPoint {
        AffineNielsPoint(yPlusX: yMinusX, yMinusX: yPlusX, xy2d: -xy2d)
    }

    /// Replaces `self` by `other` when `mask` is all ones, without branching.
    package mutating func conditionalAssign(_ other: AffineNielsPoint, mask: UInt64) {
        yPlusX.conditionalAssign(other.yPlusX, mask: mask)
        yMinusX.conditionalAssign(other.yMinusX, mask: mask)
        xy2d.conditionalAssign(other.xy2d, mask: mask)
    }
}
