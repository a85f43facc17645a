/// Issues and checks write tokens bound to the asker's IP address.
///
/// A token is SHA-1 of a secret and the address, cut to 8 bytes. The secret rotates
/// every `rotation` and the previous one is still accepted, so a token stays valid
/// for at least one and at most two rotations (5 to 10 minutes by default).
public struct TokenIssuer: Sendable {
    public let rotation: Duration
    private let origin: Timestamp
    private var current: [UInt8]
    private var previous: [UInt8]
    /// Whole rotations since `origin` when `current` was made. Counting epochs from a
    /// fixed origin, rather than rotating lazily, keeps the window exact when traffic is quiet.
    private var epoch: Int64 = 0

    public init(rotation: Duration = .seconds(300), now: Timestamp, using generator: inout some RandomNumberGenerator) {
        self.rotation = rotation
        current = Self.secret(using: &generator)
        previous = Self.secret(using: &generator)
        origin = now
    }

    /// The token for `address` now.
    public mutating func token(for address: SocketAddress, now: Timestamp, using generator: inout some RandomNumberGenerator) -> [UInt8] {
        rotateIfDue(now: now, using: &generator)
        return Self.token(secret: current, address: address)
    }

    /// Whether `token` was issued to `address` within the validity window.
    public mutating func isValid(_ token: [UInt8], for address: SocketAddress, now: Timestamp, using generator: inout some RandomNumberGenerator) -> Bool {
        rotateIfDue(now: now, using: &generator)
        return token == Self.token(secret: current, address: address)
            || token == Self.token(secret: previous, address: address)
    }

    private mutating func rotateIfDue(now: Timestamp, using generator: inout some RandomNumberGenerator) {
        let nowEpoch = (now - origin).totalNanoseconds / max(rotation.totalNanoseconds, 1)
        guard nowEpoch > epoch else { return }
        // Two or more epochs passed: the old current secret is out of the window too.
        previous = nowEpoch == epoch + 1 ? current : Self.secret(using: &generator)
        current = Self.secret(using: &generator)
        epoch = nowEpoch
    }

    private static func secret(using generator: inout some RandomNumberGenerator) -> [UInt8] {
        (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    private static func token(secret: [UInt8], address: SocketAddress) -> [UInt8] {
        var hasher = SHA1()
        hasher.update(secret)
        hasher.update(address.ipBytes)
        return Array(hasher.finalize().prefix(8))
    }
}
