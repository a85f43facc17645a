import Testing
@testable import Kademlia
@testable import KademliaCore

/// `preferLowRoundTrip` (pymdht's nice_rtt): a full bucket trades its slowest contact for
/// a newcomer that answered more than twice as fast, and only then.
@Suite("Preferring faster contacts")
struct FasterContactTests {
    /// A table whose bucket 150 is full of contacts answering in 100, 200, … 800 ms, and
    /// a newcomer for the same bucket.
    private func fullBucket() -> (RoutingTable, [Contact], Contact) {
        var generator = SeededGenerator(seed: 5)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        let contacts = (0..<8).map { offset in
            Contact(id: local.randomID(inBucket: 150, using: &generator), address: SocketAddress(ip: 0x0A00_0001 + UInt32(offset), port: 6881))
        }
        for (offset, contact) in contacts.enumerated() {
            _ = table.insert(contact, now: start)
            table.noteRoundTrip(.milliseconds(100 * (offset + 1)), of: contact.id)
        }
        let newcomer = Contact(id: local.randomID(inBucket: 150, using: &generator), address: SocketAddress(ip: 0x0B00_0001, port: 6881))
        return (table, contacts, newcomer)
    }

    @Test("a newcomer more than twice as fast as the slowest takes its place; the slow one waits as a replacement")
    func trades() throws {
        var (table, contacts, newcomer) = fullBucket()
        let traded = table.tradeForFaster(newcomer, roundTrip: .milliseconds(350), now: start)
        #expect(traded)
        #expect(table.contains(newcomer.id))
        #expect(!table.contains(contacts[7].id), "the 800 ms contact left")
        #expect(table.count == 8)
        let kept = try #require(table.entry(for: newcomer.id)?.roundTrip)
        #expect(kept <= .milliseconds(350) && kept > .milliseconds(350) * 0.91, "kept to within 9% below: \(kept)")
        #expect(table.replacementCounts.first?.count == 1)
        // The slow one comes back if the newcomer goes.
        table.remove(newcomer.id)
        #expect(table.contains(contacts[7].id))
    }

    @Test("no trade when the slowest is at most twice as slow or within 50 ms, the bucket has room, or the newcomer is known")
    func keeps() {
        var (table, contacts, newcomer) = fullBucket()
        var fastTable = RoutingTable(localID: table.localID, now: start)
        for (offset, contact) in contacts.enumerated() {
            _ = fastTable.insert(contact, now: start)
            fastTable.noteRoundTrip(.microseconds(100 * (offset + 1)), of: contact.id)
        }
        let jitter = fastTable.tradeForFaster(newcomer, roundTrip: .microseconds(50), now: start)
        #expect(!jitter, "800 µs against 50 µs is loopback jitter, not a slow host")
        let notTwiceAsFast = table.tradeForFaster(newcomer, roundTrip: .milliseconds(400), now: start)
        let known = table.tradeForFaster(contacts[0], roundTrip: .milliseconds(10), now: start)
        table.remove(contacts[3].id)
        let roomLeft = table.tradeForFaster(newcomer, roundTrip: .milliseconds(10), now: start)
        #expect(!notTwiceAsFast)
        #expect(!known)
        #expect(!roomLeft, "a bucket with room just adds")
    }

    @Test("the node state trades only when the configuration asks, as it does by default")
    func configured() {
        #expect(NodeConfiguration().preferLowRoundTrip)
        var configuration = NodeConfiguration()
        configuration.preferLowRoundTrip = false
        let (table, _, newcomer) = fullBucket()
        var state = NodeState(localID: table.localID, configuration: configuration, random: NodeRandom(seed: 1), now: start)
        state.routingTable = table
        let unasked = state.preferFaster(newcomer, roundTrip: .milliseconds(10), now: start, speaksOurMethods: true)
        #expect(unasked == nil)
        configuration.preferLowRoundTrip = true
        state = NodeState(localID: table.localID, configuration: configuration, random: NodeRandom(seed: 1), now: start)
        state.routingTable = table
        let asked = state.preferFaster(newcomer, roundTrip: .milliseconds(10), now: start, speaksOurMethods: true)
        #expect(asked != nil)
        #expect(state.routingTable.entry(for: newcomer.id)?.speaksOurMethods == true)
    }
}
