/// A node's source of randomness: the system's cryptographic generator in real use, a
/// seeded SplitMix64 for replayable simulations.
///
/// Node ids, transaction ids and token secrets all come from here. SplitMix64's state
/// is one output away from every reply (the first 8 bytes of the id), so from it anyone
/// could compute the token secret and forge tokens, and predict transaction ids; only a
/// seeded run, where nothing is secret, uses it. Swift's `SystemRandomNumberGenerator`
/// reads `getrandom(2)` on Linux.
public struct NodeRandom: RandomNumberGenerator, Sendable {
    private var seeded: SeededGenerator?

    /// The system's generator, or a replayable one when `seed` is given.
    public init(seed: UInt64? = nil) {
        seeded = seed.map(SeededGenerator.init(seed:))
    }

    /// Whether this is the replayable generator, whose outputs reveal its state.
    public var isSeeded: Bool { seeded != nil }

    public mutating func next() -> UInt64 {
        if var generator = seeded {
            defer { seeded = generator }
            return generator.next()
        }
        var system = SystemRandomNumberGenerator()
        return system.next()
    }
}
