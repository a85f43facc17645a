import Testing
@testable import Kademlia
@testable import KademliaCore

/// Hex to bytes; test data only, so a bad digit is a test bug and traps.
private func unhex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    func value(_ c: UInt8) -> UInt8 {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        default: preconditionFailure("bad hex digit in test data")
        }
    }
    return stride(from: 0, to: digits.count, by: 2).map { value(digits[$0]) << 4 | value(digits[$0 + 1]) }
}

/// 32-byte little-endian a + b, carry out dropped.
private func addLittleEndian(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    var carry = 0
    for i in 0..<32 {
        let sum = Int(a[i]) + Int(b[i]) + carry
        out[i] = UInt8(sum & 0xFF)
        carry = sum >> 8
    }
    return out
}

private let orderBytes = unhex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010")
private let identityEncoding = [1] + [UInt8](repeating: 0, count: 31)
private let baseEncoding = unhex("5866666666666666666666666666666666666666666666666666666666666666")

/// BEP 44 "test 1"/"test 2": the mutable item vectors (public key and the 64-byte expanded private key).
private enum BEP44 {
    static let publicKey = unhex("77ff84905a91936367c01360803104f92432fcd904a43511876df5cdf3e7e548")
    static let expanded = unhex("e06d3183d14159228433ed599221b80bd0a5ce8352e4bdf0262f76786ef1c74d"
        + "b7e7a9fea2c0eb269d61e3b38e450a22e754941ac78479d6c54e1faf6037881d")
    static let unsalted = Array("3:seqi1e1:v12:Hello World!".utf8)
    static let unsaltedSignature = unhex("305ac8aeb6c9c151fa120f120ea2cfb923564e11552d06a5d856091e5e853cff"
        + "1260d3f39e4999684aa92eb73ffd136e6f4f3ecbfda0ce53a1608ecd7ae21f01")
    static let salted = Array("4:salt6:foobar3:seqi1e1:v12:Hello World!".utf8)
    static let saltedSignature = unhex("6834284b6b24c3204eb2fea824d82f88883a3d95e8b4a21b8c0ded553d17d17d"
        + "df9a8a7104b1258f30bed3787e6cb896fca78c58f8e03b5f18f14951a87d9a08")
}

@Suite struct Ed25519Tests {
    // MARK: Known answers

    @Test(arguments: Ed25519Vectors.rfc8032)
    func rfc8032Vectors(vector: RFCVector) throws {
        let key = try Ed25519PrivateKey(seed: unhex(vector.seed))
        let message = unhex(vector.message)
        #expect(hex(key.publicKey) == vector.publicKey)
        let signature = key.sign(message)
        #expect(hex(signature) == vector.signature)
        #expect(Ed25519.verify(signature: signature, message: message, publicKey: key.publicKey))
        #expect(key.seed == unhex(vector.seed))
    }

    @Test func crossCheckAgainstPythonCryptography() throws {
        for (seed, messageHex, publicKey, signatureHex) in Ed25519Vectors.crossCheck {
            let key = try Ed25519PrivateKey(seed: unhex(seed))
            let message = unhex(messageHex)
            #expect(hex(key.publicKey) == publicKey, "seed \(seed)")
            #expect(hex(key.sign(message)) == signatureHex, "seed \(seed)")
            #expect(Ed25519.verify(signature: unhex(signatureHex), message: message, publicKey: unhex(publicKey)))
        }
    }

    @Test func bep44MutableItemVectors() {
        #expect(Ed25519.verify(signature: BEP44.unsaltedSignature, message: BEP44.unsalted, publicKey: BEP44.publicKey))
        #expect(Ed25519.verify(signature: BEP44.saltedSignature, message: BEP44.salted, publicKey: BEP44.publicKey))
        // Each signature covers its own salt (or its absence) and nothing else.
        #expect(!Ed25519.verify(signature: BEP44.unsaltedSignature, message: BEP44.salted, publicKey: BEP44.publicKey))
        #expect(!Ed25519.verify(signature: BEP44.saltedSignature, message: BEP44.unsalted, publicKey: BEP44.publicKey))
        #expect(!Ed25519.verify(signature: BEP44.unsaltedSignature,
                                message: Array("3:seqi2e1:v12:Hello World!".utf8), publicKey: BEP44.publicKey))
    }

    @Test func bep44SigningFromTheExpandedKeyIsExact() {
        let scalar = Array(BEP44.expanded[0..<32])
        let prefix = Array(BEP44.expanded[32..<64])
        #expect(EdwardsPoint.multiplyBase(scalar).encoded() == BEP44.publicKey)
        let unsalted = Ed25519.sign(BEP44.unsalted, scalar: scalar, prefix: prefix, publicKey: BEP44.publicKey)
        #expect(unsalted == BEP44.unsaltedSignature)
        let salted = Ed25519.sign(BEP44.salted, scalar: scalar, prefix: prefix, publicKey: BEP44.publicKey)
        #expect(salted == BEP44.saltedSignature)
    }

    // MARK: Rejections

    private static let test2 = Ed25519Vectors.rfc8032[1]

    @Test func everySignatureBitFlipIsRejected() {
        let publicKey = unhex(Self.test2.publicKey), message = unhex(Self.test2.message)
        let signature = unhex(Self.test2.signature)
        for bit in 0..<(64 * 8) {
            var flipped = signature
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!Ed25519.verify(signature: flipped, message: message, publicKey: publicKey), "bit \(bit)")
        }
    }

    @Test func everyMessageAndPublicKeyBitFlipIsRejected() {
        let publicKey = unhex(Self.test2.publicKey), message = unhex(Self.test2.message)
        let signature = unhex(Self.test2.signature)
        for bit in 0..<(message.count * 8) {
            var flipped = message
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!Ed25519.verify(signature: signature, message: flipped, publicKey: publicKey), "message bit \(bit)")
        }
        for bit in 0..<(32 * 8) {
            var flipped = publicKey
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!Ed25519.verify(signature: signature, message: message, publicKey: flipped), "key bit \(bit)")
        }
        #expect(!Ed25519.verify(signature: signature, message: message + [0], publicKey: publicKey))
        #expect(!Ed25519.verify(signature: signature, message: [], publicKey: publicKey))
    }

    @Test func nonCanonicalSIsRejected() {
        let publicKey = unhex(Self.test2.publicKey), message = unhex(Self.test2.message)
        let signature = unhex(Self.test2.signature)
        let s = Array(signature[32..<64])
        // S + L passes the group equation ([S+L]B = [S]B) but §5.1.7 requires S < L.
        let malleated = Array(signature[0..<32]) + addLittleEndian(s, orderBytes)
        #expect(!Ed25519.verify(signature: malleated, message: message, publicKey: publicKey))
        #expect(!Ed25519.verify(signature: Array(signature[0..<32]) + orderBytes, message: message, publicKey: publicKey))
        let allOnes = [UInt8](repeating: 0xFF, count: 32)
        #expect(!Ed25519.verify(signature: Array(signature[0..<32]) + allOnes, message: message, publicKey: publicKey))
    }

    @Test func wrongLengthsAreRejected() {
        let publicKey = unhex(Self.test2.publicKey), message = unhex(Self.test2.message)
        let signature = unhex(Self.test2.signature)
        for length in [0, 1, 32, 63, 65, 128] {
            let resized = Array((signature + signature + signature).prefix(length))
            #expect(!Ed25519.verify(signature: resized, message: message, publicKey: publicKey), "signature \(length)")
        }
        for length in [0, 1, 31, 33, 64] {
            let resized = Array((publicKey + publicKey + publicKey).prefix(length))
            #expect(!Ed25519.verify(signature: signature, message: message, publicKey: resized), "key \(length)")
        }
    }

    @Test func pointsOffTheCurveAreRejected() {
        let publicKey = unhex(Self.test2.publicKey), message = unhex(Self.test2.message)
        let signature = unhex(Self.test2.signature)
        // y = 2 (and 7): (y^2 - 1) / (d y^2 + 1) is not a square, so no x exists.
        for y: UInt8 in [2, 7] {
            let offCurve = [y] + [UInt8](repeating: 0, count: 31)
            #expect(EdwardsPoint(decoding: offCurve) == nil)
            #expect(!Ed25519.verify(signature: signature, message: message, publicKey: offCurve))
            #expect(!Ed25519.verify(signature: offCurve + signature[32..<64], message: message, publicKey: publicKey))
        }
    }

    /// The all-identity signature (R = identity, S = 0) holds under A = identity, as
    /// RFC 8032's cofactorless equation allows; re-encoding any part non-canonically must break it.
    @Test func nonCanonicalEncodingsAreRejected() {
        let zeroS = [UInt8](repeating: 0, count: 32)
        #expect(Ed25519.verify(signature: identityEncoding + zeroS, message: [1, 2, 3], publicKey: identityEncoding))

        // y = p + 1 reads as y = 1 if taken mod p; x = 0 with the sign bit set has no point.
        let yPPlusOne = unhex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        var negativeZeroX = identityEncoding
        negativeZeroX[31] |= 0x80
        for bad in [yPPlusOne, negativeZeroX] {
            #expect(EdwardsPoint(decoding: bad) == nil)
            #expect(!Ed25519.verify(signature: identityEncoding + zeroS, message: [1, 2, 3], publicKey: bad))
            #expect(!Ed25519.verify(signature: bad + zeroS, message: [1, 2, 3], publicKey: identityEncoding))
        }
        // y = p (y = 0 would be a point of order 4) and y = 2^255 - 1 are past p as well.
        for bad in ["edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                    "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"] {
            #expect(EdwardsPoint(decoding: unhex(bad)) == nil)
        }
    }

    /// All-zero and all-one inputs never trap. All-zero is not always false: 32 zero bytes
    /// decode to a point of order 4 (y = 0), R = A = that point and S = 0 satisfy the
    /// cofactorless equation whenever k = 3 (mod 4), and for the 64-zero-byte message
    /// k = 7 (mod 8). Python `cryptography` (OpenSSL) and an RFC 8032 reference
    /// implementation accept that case too; the other messages below have k = 6, 6, 1 (mod 8).
    @Test func allZeroAndAllOnesInputsNeverTrap() {
        let zeros32 = [UInt8](repeating: 0, count: 32), zeros64 = [UInt8](repeating: 0, count: 64)
        let ones32 = [UInt8](repeating: 0xFF, count: 32), ones64 = [UInt8](repeating: 0xFF, count: 64)
        for message in [[], [0], zeros32] as [[UInt8]] {
            #expect(!Ed25519.verify(signature: zeros64, message: message, publicKey: zeros32), "\(message.count)")
        }
        #expect(Ed25519.verify(signature: zeros64, message: zeros64, publicKey: zeros32))
        for message in [[], [0], zeros32, zeros64] as [[UInt8]] {
            #expect(!Ed25519.verify(signature: ones64, message: message, publicKey: ones32))
            #expect(!Ed25519.verify(signature: zeros64, message: message, publicKey: unhex(Self.test2.publicKey)))
            #expect(!Ed25519.verify(signature: ones64, message: message, publicKey: unhex(Self.test2.publicKey)))
        }
        #expect(!Ed25519.verify(signature: [], message: [], publicKey: []))
    }

    // MARK: Keys

    @Test func seedsOfTheWrongLengthThrow() {
        for length in [0, 31, 33, 64] {
            #expect(throws: Ed25519Error.badSeedLength(length)) {
                try Ed25519PrivateKey(seed: [UInt8](repeating: 7, count: length))
            }
        }
    }

    @Test func generatedKeysSignAndRoundTripThroughTheSeed() throws {
        let key = Ed25519PrivateKey.generate()
        let other = Ed25519PrivateKey.generate()
        #expect(key.seed.count == 32 && key.publicKey.count == 32)
        #expect(key.seed != other.seed && key.publicKey != other.publicKey)
        let message = Array("put a mutable item".utf8)
        let signature = key.sign(message)
        #expect(signature.count == 64)
        #expect(Ed25519.verify(signature: signature, message: message, publicKey: key.publicKey))
        #expect(!Ed25519.verify(signature: signature, message: message, publicKey: other.publicKey))
        #expect(try Ed25519PrivateKey(seed: key.seed).publicKey == key.publicKey)
        // Deterministic: the same key and message give the same signature.
        #expect(key.sign(message) == signature)
    }

    @Test func printingAKeyShowsOnlyThePublicKey() throws {
        let vector = Ed25519Vectors.rfc8032[0]
        let key = try Ed25519PrivateKey(seed: unhex(vector.seed))
        var dumped = ""
        dump(key, to: &dumped)
        for text in [String(describing: key), String(reflecting: key), "\(key)", dumped] {
            #expect(text.contains(vector.publicKey))
            #expect(!text.contains(vector.seed) && !text.contains("157, 97, 177"), "\(text)")
        }
    }

    // MARK: Arithmetic underneath

    @Test func fieldConstantsAreWhatTheyClaim() {
        let small = { (n: UInt64) in FieldElement(n, 0, 0, 0, 0) }
        #expect((FieldElement.d * small(121666) + small(121665)).isZero)
        #expect(FieldElement.equal(FieldElement.d + FieldElement.d, FieldElement.d2))
        #expect(FieldElement.equal(FieldElement.sqrtMinusOne.squared(), -FieldElement.one))
    }

    @Test func fieldInversionAndCanonicalEncoding() {
        var seed = Array("field".utf8)
        for _ in 0..<20 {
            seed = SHA512.hash(seed)
            let x = seed.withUnsafeBytes { FieldElement(bytes: $0) }
            #expect(FieldElement.equal(x * x.inverted(), .one))
            #expect(FieldElement.equal(x.squared(), x * x))
        }
        #expect(FieldElement.zero.inverted().isZero)
        // p, p + 1 and 2^255 - 1 (bit 255 is dropped on decode) encode as 0, 1 and 18.
        let cases = [("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 0),
                     ("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", 1),
                     ("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", 18)]
        for (input, value) in cases {
            let x = unhex(input).withUnsafeBytes { FieldElement(bytes: $0) }
            #expect(x.encoded() == [UInt8(value)] + [UInt8](repeating: 0, count: 31), "\(input)")
        }
    }

    @Test func scalarReductionMatchesPython() {
        for (wide, reduced) in Ed25519Vectors.reduce {
            #expect(hex(Scalar25519.reduce(unhex(wide))) == reduced, "\(wide)")
        }
        for (a, b, c, expected) in Ed25519Vectors.multiplyAdd {
            #expect(hex(Scalar25519.multiplyAdd(unhex(a), unhex(b), unhex(c))) == expected, "\(a) \(b) \(c)")
        }
    }

    @Test func scalarCanonicalityBoundary() {
        var belowL = orderBytes
        belowL[0] -= 1
        var aboveL = orderBytes
        aboveL[0] += 1
        #expect(Scalar25519.isCanonical(belowL))
        #expect(Scalar25519.isCanonical([UInt8](repeating: 0, count: 32)))
        #expect(!Scalar25519.isCanonical(orderBytes))
        #expect(!Scalar25519.isCanonical(aboveL))
        #expect(!Scalar25519.isCanonical([UInt8](repeating: 0xFF, count: 32)))
        #expect(!Scalar25519.isCanonical(belowL + [0]))
    }

    @Test func fixedBaseAndVariableTimeMultiplicationAgree() {
        let zero = [UInt8](repeating: 0, count: 32)
        let one = [1] + [UInt8](repeating: 0, count: 31)
        #expect(EdwardsPoint.base.encoded() == baseEncoding)
        #expect(EdwardsPoint.multiplyBase(one).encoded() == baseEncoding)
        #expect(EdwardsPoint.multiplyBase(orderBytes).encoded() == identityEncoding)
        #expect(EdwardsPoint.multiplyBase(zero).encoded() == identityEncoding)
        var seed = Array("scalars".utf8)
        for _ in 0..<8 {
            seed = SHA512.hash(seed)
            let a = Scalar25519.reduce(seed)
            let b = Scalar25519.reduce(SHA512.hash(seed))
            let fixed = EdwardsPoint.multiplyBase(a).encoded()
            #expect(EdwardsPoint.vartimeDoubleMultiply(zero, .base, a).encoded() == fixed)
            #expect(EdwardsPoint.vartimeDoubleMultiply(a, .base, zero).encoded() == fixed)
            // [a]B + [b]B = [a + b]B exercises both tables and the NAF carries together.
            let sum = Scalar25519.multiplyAdd(a, one, b)
            #expect(EdwardsPoint.vartimeDoubleMultiply(a, .base, b).encoded() == EdwardsPoint.multiplyBase(sum).encoded())
        }
    }

    @Test func nonAdjacentFormRebuildsTheScalar() {
        var seed = Array("naf".utf8)
        for width in [5, 8] {
            for _ in 0..<8 {
                seed = SHA512.hash(seed)
                // Full 256-bit values, beyond what verification ever passes in, to cover the top carry.
                let scalar = Array(seed[0..<32])
                let digits = EdwardsPoint.nonAdjacentForm(scalar, width: width)
                var rebuilt = [Int](repeating: 0, count: 34)  // little-endian base-256 with signed carries
                for (position, digit) in digits.enumerated() where digit != 0 {
                    #expect(digit % 2 != 0 && abs(Int(digit)) < 1 << (width - 1))
                    rebuilt[position / 8] += Int(digit) << (position % 8)
                }
                var carry = 0
                for i in 0..<rebuilt.count {
                    let v = rebuilt[i] + carry
                    carry = v >> 8  // arithmetic shift: floor division for negatives too
                    rebuilt[i] = v & 0xFF
                }
                #expect(rebuilt[0..<32].map { UInt8($0) } == scalar && rebuilt[32] == 0 && rebuilt[33] == 0)
            }
        }
    }
}
