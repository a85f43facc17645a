/// Which hosts may hold places in a routing table: a Bloom filter of 1,024 bits, two per
/// host, kept inline. "No" is certain; "maybe" sends the table to count the host's places
/// among its contacts (`RoutingTable.placesHeld`).
///
/// It replaced a sorted array of every contact's host: 8 bytes a contact, 1.3 KiB for a
/// node of a million-node network, where this is 128 bytes. With 160 contacts a stranger
/// is a false "maybe" 7% of the time, and the count that follows reads the ~160 entries.
/// Bits are only ever set; the table rebuilds the filter after `staleAfter` removals, so
/// contacts long gone do not keep answering "maybe".
struct HostFilter: Sendable {
    private var words = InlineArray<16, UInt64>(repeating: 0)
    /// Hosts removed from the table since the filter was last built.
    private(set) var removalsSinceBuilt = 0

    /// Removals after which the table rebuilds the filter.
    static let staleAfter = 32

    /// Notes a host that holds a place.
    mutating func insert(_ host: UInt64) {
        let (first, second) = Self.bits(of: host)
        words[first >> 6] |= 1 << UInt64(first & 63)
        words[second >> 6] |= 1 << UInt64(second & 63)
    }

    /// False if `host` certainly holds no place.
    func mayContain(_ host: UInt64) -> Bool {
        let (first, second) = Self.bits(of: host)
        return words[first >> 6] & (1 << UInt64(first & 63)) != 0 && words[second >> 6] & (1 << UInt64(second & 63)) != 0
    }

    /// Counts a host that gave up a place; its bits stay set until the next rebuild.
    mutating func noteRemoval() { removalsSinceBuilt += 1 }

    /// Empties the filter, for the table to insert every host it holds again.
    mutating func clear() { self = HostFilter() }

    /// The host's two bit positions, from a multiplicative hash.
    private static func bits(of host: UInt64) -> (Int, Int) {
        let hash = host &* 0x9E37_79B9_7F4A_7C15
        return (Int(hash >> 54), Int((hash >> 44) & 1023))
    }
}
