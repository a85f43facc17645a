import Testing
import KademliaTestKit
@testable import Kademlia
@testable import KademliaCore

/// BEP 42's node ids and the external-address vote.
@Suite struct SecureNodeIDTests {
    private static func ip(_ text: String) -> UInt32 {
        text.split(separator: ".").reduce(0) { $0 << 8 | (UInt32($1) ?? 0) }
    }

    /// BEP 42's table: IP, rand, and the example id (its random middle bytes are not derived).
    static let vectors: [(String, UInt8, String)] = [
        ("124.31.75.21", 1, "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401"),
        ("21.75.31.124", 86, "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256"),
        ("65.23.51.170", 22, "a5d43220bc8f112a3d426c84764f8c2a1150e616"),
        ("84.124.73.14", 65, "1b0321dd1bb1fe518101ceef99462b947a01ff41"),
        ("43.213.53.83", 90, "e56f6cbf5b7c4be0237986d5243b87aa6d51305a"),
    ]

    @Test(arguments: vectors)
    func theBEP42VectorsAreValidAndMadeAlike(address: String, random: UInt8, example: String) throws {
        let ip = Self.ip(address)
        let published = try #require(NodeID(hex: example))
        #expect(SecureNodeID.isValid(published, for: ip))
        let made = SecureNodeID.make(for: ip, random: random, rest: Array(published.bytes[2...18]))
        #expect(made == published, "the same random bytes give the published id")
        #expect(!SecureNodeID.isValid(published, for: ip ^ 0x0100_0000), "not for another address")
    }

    @Test func randomIDsForAnAddressAreValidForItAndPrivateAddressesAreExempt() {
        var generator = SeededGenerator(seed: 42)
        let ip = Self.ip("203.0.113.7")
        for _ in 0..<100 { #expect(SecureNodeID.isValid(SecureNodeID.make(for: ip, using: &generator), for: ip)) }
        #expect(!SecureNodeID.isValid(NodeID(key: "arbitrary"), for: ip))
        for address in ["10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.0.9", "127.0.0.1", "100.64.0.1"] {
            #expect(SecureNodeID.isExempt(Self.ip(address)) && SecureNodeID.isValid(NodeID(key: "arbitrary"), for: Self.ip(address)))
        }
        #expect(!SecureNodeID.isExempt(Self.ip("172.32.0.1")) && !SecureNodeID.isExempt(Self.ip("100.128.0.1")))
    }

    @Test func theExternalAddressIsTheOneMostVotersSaw() {
        var votes = ExternalAddressVotes(quorum: 3, capacity: 5)
        let ours = SocketAddress(ip: Self.ip("198.51.100.4"), port: 6881), liar = SocketAddress(ip: Self.ip("6.6.6.6"), port: 1)
        votes.record(ours, from: 1)
        votes.record(ours, from: 2)
        #expect(votes.winner == nil, "two votes are not a quorum")
        for _ in 0..<5 { votes.record(liar, from: 9) }
        #expect(votes.winner == nil, "one voter votes once")
        votes.record(ours, from: 3)
        #expect(votes.winner == ours.ip)
        for voter in 10..<15 { votes.record(liar, from: UInt32(voter)) }
        #expect(votes.winner == liar.ip, "old votes are forgotten")
    }

    /// The vote as first written, with a dictionary per voter and a queue: the oracle.
    private struct ReferenceVotes {
        let quorum: Int, capacity: Int
        var votes: [UInt32: UInt32] = [:]
        var order: [UInt32] = []

        mutating func record(_ observed: UInt32, from voter: UInt32) -> Bool {
            let previous = votes.updateValue(observed, forKey: voter)
            guard previous != observed else { return false }
            if previous == nil {
                order.append(voter)
                if order.count > capacity { votes[order.removeFirst()] = nil }
            }
            return true
        }

        var winner: UInt32? {
            let tally = Dictionary(votes.values.map { ($0, 1) }, uniquingKeysWith: +)
            guard let best = tally.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }),
                  best.value >= quorum else { return nil }
            return best.key
        }
    }

    @Test(arguments: [1, 5, 64]) func theCompactVoteMatchesTheDictionaryItReplaced(capacity: Int) {
        var generator = SeededGenerator(seed: 0xB42 + UInt64(capacity))
        var votes = ExternalAddressVotes(quorum: 3, capacity: capacity)
        var reference = ReferenceVotes(quorum: 3, capacity: capacity)
        var winners = Set<UInt32>()
        for step in 0..<20_000 {
            // A few addresses, one far likelier (ours, which moves halfway: a new NAT mapping),
            // and voters from a pool past the capacity.
            let ours: UInt32 = step < 10_000 ? 1 : 2
            let observed = UInt32.random(in: 0..<10, using: &generator) < 7 ? ours : UInt32.random(in: 2..<5, using: &generator)
            let voter = UInt32.random(in: 0..<UInt32(3 * capacity + 2), using: &generator)
            let changed = votes.record(SocketAddress(ip: observed, port: 6881), from: voter)
            #expect(changed == reference.record(observed, from: voter), "step \(step)")
            #expect(votes.winner == reference.winner, "step \(step)")
            if let winner = votes.winner { winners.insert(winner) }
        }
        #expect(capacity < 3 || winners.isSuperset(of: [1, 2]), "the lead changed hands: \(winners)")
    }
}

/// Which id a node starts with, given what its journal saved.
@Suite struct StartingIDTests {
    @Test func aSavedIDIsKeptUnlessBEP42IsAskedForAndItDoesNotFitTheVotedAddress() {
        var random = NodeRandom(seed: 7)
        var configuration = NodeConfiguration()
        var snapshot = JournalSnapshot()
        snapshot.id = NodeID(key: "saved")
        snapshot.externalAddress = 0xCB00_7107  // 203.0.113.7
        #expect(DHTNode.startingID(saved: snapshot, configuration, using: &random) == snapshot.id, "BEP 42 not asked for")
        configuration.secureNodeID = true
        let fresh = DHTNode.startingID(saved: snapshot, configuration, using: &random)
        #expect(fresh != snapshot.id && SecureNodeID.isValid(fresh, for: 0xCB00_7107))
        snapshot.id = fresh
        #expect(DHTNode.startingID(saved: snapshot, configuration, using: &random) == fresh, "a fitting id is kept")
        snapshot.externalAddress = nil
        #expect(DHTNode.startingID(saved: snapshot, configuration, using: &random) == fresh, "no vote yet: the saved id")
    }
}
