/// Ed25519 signatures (RFC 8032 §5.1, pure Ed25519: no prehash, no context), as BEP 44
/// mutable items use them.
///
/// What is constant time, and what is not:
/// - Key derivation and signing touch secrets (the seed, the scalar a, the
///   prefix, the nonce r). Everything they run on those values is straight-line
///   code: SHA-512, the field arithmetic, the fixed-base scalar multiplication
///   (signed radix-16 digits, a masked scan of the whole table row for every
///   digit, masked negation), and the mod-L reduction and multiply-add (Barrett
///   with masked final subtractions). No branch and no memory address depends
///   on a secret. This is a property of the source; the Swift/LLVM compiler
///   promises nothing about preserving it, and it has not been checked on the
///   generated machine code.
/// - Not constant time: the message length (hashing time grows with it), and
///   everything in `verify`, which sees only public data: point decoding, the
///   S < L check, the double-scalar multiplication (width-5/8 NAF with branches
///   and table indices on the scalars' digits) and the final comparison.
/// - Secret bytes are not wiped from memory when a key is dropped: Swift arrays
///   give no such guarantee.
public enum Ed25519 {
    /// Length in bytes of a seed, the private key's stored form.
    public static let seedLength = 32
    /// Length in bytes of an encoded public key.
    public static let publicKeyLength = 32
    /// Length in bytes of a signature, R || S.
    public static let signatureLength = 64

    /// Whether `signature` is a valid RFC 8032 signature of `message` under `publicKey`.
    ///
    /// Verification is cofactorless: it accepts exactly when [S]B = R + [k]A
    /// with k = SHA-512(R || A || M) mod L, which is computed as the encoding of
    /// [S]B - [k]A compared byte for byte with R (so an R that is not a
    /// canonical point encoding never matches). It rejects, returning false and
    /// never trapping: wrong lengths, S >= L, and an A that is not the canonical
    /// encoding of a curve point. Like RFC 8032, OpenSSL and ref10 (and unlike
    /// libsodium), it does not reject small-order A or R: such a key has no
    /// owner to protect, and rejecting it would make this node disagree with
    /// others about which BEP 44 items are valid. (So, for example, the all-zero
    /// key and signature verify over some messages, as they do in OpenSSL.)
    public static func verify(signature: [UInt8], message: [UInt8], publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureLength, publicKey.count == publicKeyLength else { return false }
        let r = Array(signature[0..<32])
        let s = Array(signature[32..<64])
        guard Scalar25519.isCanonical(s) else { return false }
        guard let a = EdwardsPoint(decoding: publicKey) else { return false }

        var hasher = SHA512.Hasher()
        hasher.update(r)
        hasher.update(publicKey)
        hasher.update(message)
        let k = Scalar25519.reduce(hasher.finalize())

        // [k](-A) + [S]B = R exactly when the signature holds.
        let check = EdwardsPoint.vartimeDoubleMultiply(k, a.negated(), s)
        return check.encoded() == r
    }

    /// The 64-byte signature of `message` by the expanded key (clamped scalar, prefix) whose public key is `publicKey`.
    ///
    /// Internal so the BEP 44 vectors, which publish only the expanded form, can check signing exactly.
    package static func sign(_ message: [UInt8], scalar: [UInt8], prefix: [UInt8], publicKey: [UInt8]) -> [UInt8] {
        // r = SHA-512(prefix || M) mod L: the deterministic nonce of §5.1.6.
        var hasher = SHA512.Hasher()
        hasher.update(prefix)
        hasher.update(message)
        let r = Scalar25519.reduce(hasher.finalize())
        let encodedR = EdwardsPoint.multiplyBase(r).encoded()

        hasher.update(encodedR)
        hasher.update(publicKey)
        hasher.update(message)
        let k = Scalar25519.reduce(hasher.finalize())
        let s = Scalar25519.multiplyAdd(k, scalar, r)
        return encodedR + s
    }

    /// The clamped scalar and the prefix of §5.1.5, from a 32-byte seed.
    package static func expand(seed: [UInt8]) -> (scalar: [UInt8], prefix: [UInt8]) {
        let digest = SHA512.hash(seed)
        var scalar = Array(digest[0..<32])
        // Clearing the low 3 bits makes the scalar a multiple of the cofactor 8;
        // fixing bit 254 gives every key the same bit length (and so the same ladder).
        scalar[0] &= 248
        scalar[31] &= 127
        scalar[31] |= 64
        return (scalar, Array(digest[32..<64]))
    }
}

/// Why an Ed25519 key could not be made.
public enum Ed25519Error: Error, Equatable {
    /// A seed must be exactly 32 bytes; the associated value is the length given.
    case badSeedLength(Int)
}

/// A 32-byte Ed25519 seed, checked once: what a node keeps of its signing key, which it
/// derives (`Ed25519PrivateKey(seed:)`) only when it signs. A derived key holds four arrays
/// and costs a fixed-base multiplication, a cost each of a million simulated nodes paid.
public struct Ed25519Seed: Sendable, Equatable {
    /// The seed's 32 bytes.
    public let bytes: [UInt8]

    /// The seed `bytes`, or nil when they are not 32.
    public init?(_ bytes: [UInt8]) {
        guard bytes.count == Ed25519.seedLength else { return nil }
        self.bytes = bytes
    }

    /// A seed of 32 bytes drawn from `generator`.
    public init(using generator: inout some RandomNumberGenerator) {
        bytes = (0..<Ed25519.seedLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}

/// An Ed25519 private key: the 32-byte seed of RFC 8032 with its derived values.
///
/// Derivation (one SHA-512 and one fixed-base multiplication) happens once, in
/// the initializer, so `sign` costs one multiplication and two hashes.
public struct Ed25519PrivateKey: Sendable {
    /// The 32-byte seed, the form RFC 8032 and most libraries store and exchange.
    public let seed: [UInt8]
    /// The 32-byte public key A = [a]B, encoded.
    public let publicKey: [UInt8]
    private let scalar: [UInt8]
    private let prefix: [UInt8]

    /// Makes the key for a 32-byte seed; any other length throws `badSeedLength`.
    public init(seed: [UInt8]) throws(Ed25519Error) {
        guard seed.count == Ed25519.seedLength else { throw .badSeedLength(seed.count) }
        self.init(validSeed: seed)
    }

    /// Makes the key for a seed already checked.
    public init(seed: Ed25519Seed) {
        self.init(validSeed: seed.bytes)
    }

    private init(validSeed seed: [UInt8]) {
        let (scalar, prefix) = Ed25519.expand(seed: seed)
        self.seed = seed
        self.scalar = scalar
        self.prefix = prefix
        self.publicKey = EdwardsPoint.multiplyBase(scalar).encoded()
    }

    /// A new key from 32 bytes of `SystemRandomNumberGenerator` (the OS CSPRNG).
    public static func generate() -> Ed25519PrivateKey {
        var generator = SystemRandomNumberGenerator()
        var seed: [UInt8] = []
        seed.reserveCapacity(Ed25519.seedLength)
        for _ in 0..<(Ed25519.seedLength / 8) {
            let word = generator.next()
            for j in 0..<8 { seed.append(UInt8(truncatingIfNeeded: word &>> UInt64(8 * j))) }
        }
        return Ed25519PrivateKey(validSeed: seed)
    }

    /// The deterministic 64-byte signature R || S of `message` (RFC 8032 §5.1.6).
    public func sign(_ message: [UInt8]) -> [UInt8] {
        Ed25519.sign(message, scalar: scalar, prefix: prefix, publicKey: publicKey)
    }
}

/// Printing, logging or `dump`ing a key shows only its public half, so a seed never lands in a log by accident.
extension Ed25519PrivateKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// "Ed25519PrivateKey(publicKey: <hex>)", with the secret parts left out.
    public var description: String {
        let digits = Array("0123456789abcdef")
        var hex = ""
        for byte in publicKey {
            hex.append(digits[Int(byte &>> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return "Ed25519PrivateKey(publicKey: \(hex))"
    }

    /// The same redacted text as `description`.
    public var debugDescription: String { description }

    /// A mirror with the public key as the only child, which hides the seed from `dump` and debuggers' summaries.
    public var customMirror: Mirror { Mirror(self, children: ["publicKey": publicKey]) }
}
