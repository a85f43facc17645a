import Testing
@testable import Kademlia
@testable import KademliaCore

/// Undoes one SplitMix64 output: the generator's state right after it produced `output`.
private func splitMixState(after output: UInt64) -> UInt64 {
    func inverse(_ odd: UInt64) -> UInt64 {
        var inverse = odd
        for _ in 0..<5 { inverse = inverse &* (2 &- odd &* inverse) }
        return inverse
    }
    func unshift(_ value: UInt64, _ shift: UInt64) -> UInt64 {
        var result = value
        var step = shift
        while step < 64 {
            result ^= value >> step
            step += shift
        }
        return result
    }
    var z = unshift(output, 31)
    z = unshift(z &* inverse(0x94D0_49BB_1331_11EB), 27)
    z = unshift(z &* inverse(0xBF58_476D_1CE4_E5B9), 30)
    return z
}

/// What an attacker computes from a reply: the token `victim` would issue to `address`,
/// if its secrets came from the generator its id came from.
private func forgedToken(from victimID: NodeID, for address: SocketAddress) -> [UInt8] {
    let state = splitMixState(after: UInt64(bigEndian: victimID.bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }))
    var generator = SeededGenerator(seed: state)
    _ = generator.next()   // the id's middle
    _ = generator.next()   // and its last 32 bits
    var issuer = TokenIssuer(now: Timestamp(nanoseconds: 0), using: &generator)
    return issuer.token(for: address, now: Timestamp(nanoseconds: 0), using: &generator)
}

/// Token secrets, transaction ids and node ids come from the system's generator: a
/// node's id says nothing about them. The same attack succeeds on a seeded node, which
/// shows the test would catch a predictable generator.
@Suite(.timeLimit(.minutes(1))) struct SecretsTests {
    @Test func theInverseUndoesSplitMix() {
        var generator = SeededGenerator(seed: 42)
        let output = generator.next()
        #expect(splitMixState(after: output) == 42 &+ 0x9E37_79B9_7F4A_7C15)
    }

    /// Sends a store for `key` to `victim` from 127.0.0.2 with a token forged from its id.
    private func forgedStoreAccepted(by victim: DHTNode) async throws -> Bool {
        let attacker = try DHTNode.udp(port: 0, host: "127.0.0.2")
        defer { attacker.stop() }
        let request = StoreRequest(token: forgedToken(from: victim.id, for: attacker.address), target: NodeID(key: "forged"),
                                   value: Array("mine".utf8), seq: 0, key: Array("forged".utf8))
        let result = await attacker.request(.store(request), to: victim.address, expecting: victim.id)
        if case .success = result { return true }
        return false
    }

    @Test func aSeededNodeFallsToTheForgedToken() async throws {
        var configuration = NodeConfiguration()
        configuration.seed = 2026
        let victim = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration)
        defer { victim.stop() }
        #expect(try await forgedStoreAccepted(by: victim), "the attack works where the state leaks")
        #expect(victim.localValue(for: "forged")?.value == Array("mine".utf8))
    }

    @Test func aRealNodeRefusesIt() async throws {
        let victim = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { victim.stop() }
        #expect(try await forgedStoreAccepted(by: victim) == false)
        #expect(victim.localValue(for: "forged") == nil)
    }

    @Test func idsAndTransactionIDsDoNotFollowOneAnother() {
        var first = NodeRandom()
        var second = NodeRandom()
        #expect(!first.isSeeded)
        let a = NodeID.random(using: &first)
        // The next output is not what SplitMix64 would give after the id's first word.
        var predicted = SeededGenerator(seed: splitMixState(after: UInt64(bigEndian: a.bytes.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })))
        #expect(first.next() != predicted.next())
        #expect(NodeID.random(using: &second) != a)
    }
}
