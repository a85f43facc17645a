/// BEP 42 node ids: the first 21 bits come from CRC-32C of the node's external IPv4
/// address (masked, with 3 random bits), so a node cannot pick its place in the id space
/// freely, and the last byte carries those random bits.
public enum SecureNodeID {
    /// The IPv4 mask BEP 42 applies before hashing.
    package static let mask: UInt32 = 0x030F_3FFF

    /// An id for `ip` from `random` (its low 3 bits are BEP 42's `r`) and 17 other random bytes.
    public static func make(for ip: UInt32, random: UInt8, rest: [UInt8]) -> NodeID {
        let r = UInt32(random & 0x07)
        let crc = CRC32C.checksum(bigEndian((ip & mask) | r << 29))
        var bytes = [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xF8) | (rest.first ?? 0) & 0x07]
        bytes += (0..<16).map { index in index + 1 < rest.count ? rest[index + 1] : 0 }
        bytes.append(random)
        return NodeID(bytes: bytes) ?? NodeID(key: "")
    }

    /// A fresh BEP 42 id for `ip`.
    public static func make(for ip: UInt32, using generator: inout some RandomNumberGenerator) -> NodeID {
        make(for: ip, random: UInt8.random(in: 0...255, using: &generator),
             rest: (0..<17).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// Whether `id` is one BEP 42 allows for `ip`. Local and private addresses are exempt,
    /// as BEP 42 says (they are not anyone's external address).
    public static func isValid(_ id: NodeID, for ip: UInt32) -> Bool {
        if isExempt(ip) { return true }
        let bytes = id.bytes
        let crc = CRC32C.checksum(bigEndian((ip & mask) | UInt32(bytes[19] & 0x07) << 29))
        return bytes[0] == UInt8(crc >> 24) && bytes[1] == UInt8(crc >> 16 & 0xFF) && bytes[2] & 0xF8 == UInt8(crc >> 8 & 0xF8)
    }

    /// 10/8, 172.16/12, 192.168/16, 169.254/16, 127/8 and 100.64/10: never external.
    public static func isExempt(_ ip: UInt32) -> Bool {
        ip >> 24 == 10 || ip >> 20 == 0xAC1 || ip >> 16 == 0xC0A8 || ip >> 16 == 0xA9FE || ip >> 24 == 127 || ip >> 22 == 0x191
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }
}

/// The node's external address by vote: every reply carries the address its sender saw
/// us at (BEP 42's `ip`); one vote per voting IP, the most recent votes kept, and the
/// address with the most votes wins once at least `quorum` agree.
///
/// Laid out small, as every node holds one: the votes in one array of 8-byte pairs, oldest
/// voter first from `oldest` (a ring once full), and a tally per address voted for (nearly
/// always one). Two dictionaries and a queue took 1.7 KiB a node; this takes about 0.6.
public struct ExternalAddressVotes: Sendable {
    /// Votes needed before an address is believed.
    public let quorum: Int
    /// Voters remembered; the oldest is forgotten first.
    public let capacity: Int

    private struct Vote: Sendable {
        var voter: UInt32
        var observed: UInt32
    }

    private struct Tally: Sendable {
        var address: UInt32
        var votes: Int32
    }

    private var votes: [Vote] = []
    /// Where the oldest vote is, once `votes` is full.
    private var oldest = 0
    private var tallies: [Tally] = []

    public init(quorum: Int = 3, capacity: Int = 64) {
        self.quorum = max(1, quorum)
        self.capacity = max(1, capacity)
    }

    /// Records that `voter` (an IPv4 address) saw us at `observed`; false when that is
    /// what it said already, the case of nearly every reply, which then costs one scan.
    @discardableResult
    public mutating func record(_ observed: SocketAddress, from voter: UInt32) -> Bool {
        if let index = votes.firstIndex(where: { $0.voter == voter }) {
            let previous = votes[index].observed
            guard previous != observed.ip else { return false }
            votes[index].observed = observed.ip
            count(previous, -1)
        } else if votes.count < capacity {
            votes.append(Vote(voter: voter, observed: observed.ip))
        } else {
            count(votes[oldest].observed, -1)
            votes[oldest] = Vote(voter: voter, observed: observed.ip)
            oldest = (oldest + 1) % votes.count
        }
        count(observed.ip, 1)
        return true
    }

    /// The winning address, if enough voters agree; of addresses with as many votes, the lowest.
    public var winner: UInt32? {
        guard let best = tallies.max(by: { $0.votes < $1.votes || ($0.votes == $1.votes && $0.address > $1.address) }),
              best.votes >= quorum else { return nil }
        return best.address
    }

    private mutating func count(_ address: UInt32, _ change: Int32) {
        guard let index = tallies.firstIndex(where: { $0.address == address }) else {
            if change > 0 { tallies.append(Tally(address: address, votes: change)) }
            return
        }
        tallies[index].votes += change
        if tallies[index].votes <= 0 { tallies.remove(at: index) }
    }
}
