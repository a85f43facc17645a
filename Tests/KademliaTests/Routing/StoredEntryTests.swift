import Testing
@testable import KademliaCore

/// The 32-byte form a bucket keeps its entries in (`StoredEntry`) and the clock of their
/// last-seen times (`SeenClock`): what they give up, and that no rule can tell.
@Suite("Stored routing entries")
struct StoredEntryTests {
    private let someone = Contact(id: NodeID(key: "stored"), address: SocketAddress(ip: 0x0A00_0001, port: 6881))

    @Test("an entry is stored in 32 bytes, not the 40 of the entry handed out")
    func size() {
        #expect(MemoryLayout<StoredEntry>.stride == 32)
        #expect(MemoryLayout<RoutingEntry>.stride == 40)
    }

    @Test("a round trip is kept to within 9% below, from a microsecond to an hour; zero and none stay themselves")
    func roundTrips() throws {
        var entry = StoredEntry(contact: someone, seenTick: 0)
        #expect(entry.roundTrip == nil)
        entry.roundTrip = .zero
        #expect(entry.roundTrip == .zero, "zero (loopback) is a measurement, not none")
        entry.roundTrip = .nanoseconds(999)
        #expect(entry.roundTrip == .zero, "under a microsecond reads as zero")
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<20_000 {
            // Spread evenly over the octaves from 1 µs to an hour.
            let exponent = Double.random(in: 0..<31.7, using: &generator)
            var microseconds = 1.0
            for _ in 0..<Int(exponent) { microseconds *= 2 }
            microseconds *= 1 + (exponent - exponent.rounded(.down))
            let measured = Duration.nanoseconds(Int64(microseconds * 1000))
            entry.roundTrip = measured
            let kept = try #require(entry.roundTrip)
            #expect(kept <= measured + .nanoseconds(1), "\(measured) read back as \(kept)")
            #expect(kept > measured * 0.9, "\(measured) read back as \(kept)")
        }
        entry.roundTrip = .seconds(1_000_000)
        #expect(entry.roundTrip != nil && entry.roundTrip ?? .zero > .seconds(3000), "clamped, never taken for none")
        entry.roundTrip = nil
        #expect(entry.roundTrip == nil)
    }

    @Test("failures saturate at 127 and leave the methods flag alone, and the flag leaves them alone")
    func flags() {
        var entry = StoredEntry(contact: someone, seenTick: 0, speaksOurMethods: true)
        #expect(entry.failures == 0 && entry.speaksOurMethods)
        entry.failures = 1000
        #expect(entry.failures == 127 && entry.speaksOurMethods)
        entry.speaksOurMethods = false
        #expect(entry.failures == 127 && !entry.speaksOurMethods)
        entry.failures = 2
        entry.speaksOurMethods = true
        #expect(entry.failures == 2 && entry.speaksOurMethods)
        entry.failures = -5
        #expect(entry.failures == 0 && entry.speaksOurMethods)
    }

    @Test("the seen clock reads back the sixteenth of a second a time fell in; times before its base read as the base")
    func seenClock() {
        let clock = SeenClock(base: start)
        #expect(clock.time(of: clock.tick(of: start + .seconds(2))) == start + .seconds(2))
        let between = start + .milliseconds(1_000_030)
        #expect(clock.time(of: clock.tick(of: between)) == start + .milliseconds(1_000_000))
        #expect(clock.tick(of: start - .seconds(5)) == 0)
    }

    @Test("a table running for years moves its clock on, and what was seen lately still reads as lately")
    func tableRunsForYears() {
        let local = NodeID(key: "local")
        var table = RoutingTable(localID: local, now: start)
        let early = Contact(id: NodeID(key: "early"), address: SocketAddress(ip: 0x0A00_0001, port: 1))
        let late = Contact(id: NodeID(key: "late"), address: SocketAddress(ip: 0x0A00_0002, port: 1))
        #expect(table.insert(early, now: start) == .added)
        let years = start + .seconds(5 * 365 * 86_400)
        #expect(table.insert(late, now: years) == .added)
        #expect(table.entry(for: late.id)?.lastSeen == years)
        let earlySeen = table.entry(for: early.id)?.lastSeen ?? years
        #expect(years - earlySeen > .seconds(365 * 86_400), "still read as long quiet")
        #expect(table.questionable(now: years + .seconds(60), after: .seconds(15 * 60), limit: 8) == [early])
        // Refreshed after the move, the early contact reads as seen then.
        #expect(table.insert(early, now: years + .seconds(10)) == .refreshed)
        #expect(table.entry(for: early.id)?.lastSeen == years + .seconds(10))
    }

    @Test("the quiet contacts are those whose last-seen time, as handed out, is at least the limit ago")
    func questionableMatchesTheEntries() {
        var generator = SeededGenerator(seed: 12)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        for index in 0..<300 {
            let id = local.randomID(inBucket: Int.random(in: 120..<160, using: &generator), using: &generator)
            let seen = start + .milliseconds(Int64.random(in: 0..<3_600_000, using: &generator))
            _ = table.insert(Contact(id: id, address: SocketAddress(ip: 0x0A00_0000 + UInt32(index), port: 1)), now: seen)
        }
        for _ in 0..<200 {
            let now = start + .milliseconds(Int64.random(in: 0..<5_000_000, using: &generator))
            let after = Duration.milliseconds(Int64.random(in: 0..<2_000_000, using: &generator))
            let expected = Set(table.entriesByBucket.filter { now - $0.entry.lastSeen >= after }.map(\.entry.contact))
            #expect(Set(table.questionable(now: now, after: after, limit: 1000)) == expected, "now \(now), after \(after)")
        }
    }
}

