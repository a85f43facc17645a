import Testing
@testable import Kademlia
@testable import KademliaCore


private func contact(_ id: NodeID, port: UInt16 = 6881, ip: UInt32 = 0x0A00_0001) -> Contact {
    Contact(id: id, address: SocketAddress(ip: ip, port: port))
}

/// The brute-force answer: the table's own contents sorted by XOR distance.
private func oracleClosest(_ table: RoutingTable, to target: NodeID, limit: Int) -> [Contact] {
    Array(table.contacts.sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }.prefix(limit))
}

/// A table plus `count` contacts all in bucket `index` of its local id.
private func tableWithBucket(_ index: Int, filledWith count: Int, seed: UInt64) -> (RoutingTable, [Contact]) {
    var generator = SeededGenerator(seed: seed)
    let local = NodeID.random(using: &generator)
    var table = RoutingTable(localID: local, now: start)
    var contacts = [Contact]()
    for offset in 0..<count {
        let newcomer = contact(local.randomID(inBucket: index, using: &generator), port: UInt16(7000 + offset))
        _ = table.insert(newcomer, now: start + .seconds(offset))
        contacts.append(newcomer)
    }
    return (table, contacts)
}

@Suite struct RoutingTableTests {
    @Test(arguments: [11, 12, 13] as [UInt64])
    func closestMatchesBruteForceOracle(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        for index in 0..<500 {
            // Mix far ids with ids in near buckets so more than the top few buckets fill.
            let id = index % 2 == 0
                ? NodeID.random(using: &generator)
                : local.randomID(inBucket: Int.random(in: 130..<160, using: &generator), using: &generator)
            _ = table.insert(contact(id, port: UInt16(1000 + index)), now: start)
        }
        #expect(table.count == table.contacts.count)
        #expect(table.count > 100)
        for _ in 0..<200 {
            let target = Bool.random(using: &generator)
                ? NodeID.random(using: &generator)
                : local.randomID(inBucket: Int.random(in: 0..<160, using: &generator), using: &generator)
            #expect(table.closest(to: target, limit: 8) == oracleClosest(table, to: target, limit: 8))
        }
        #expect(table.closest(to: local, limit: 8) == oracleClosest(table, to: local, limit: 8))
        #expect(table.closest(to: local, limit: 20) == oracleClosest(table, to: local, limit: 20))
    }

    @Test func closestWithLimitAboveCountReturnsAllSorted() {
        var generator = SeededGenerator(seed: 3)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        for index in 0..<30 {
            _ = table.insert(contact(NodeID.random(using: &generator), port: UInt16(2000 + index)), now: start)
        }
        let target = NodeID.random(using: &generator)
        let all = table.closest(to: target, limit: 1000)
        #expect(all.count == table.count)
        #expect(all == oracleClosest(table, to: target, limit: 1000))
        #expect(table.closest(to: target, limit: 0).isEmpty)
        #expect(RoutingTable(localID: local, now: start).closest(to: target, limit: 8).isEmpty)
    }

    @Test func insertAddsRefreshesAndIgnores() throws {
        var generator = SeededGenerator(seed: 21)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        let first = contact(local.randomID(inBucket: 150, using: &generator), port: 1)
        let second = contact(local.randomID(inBucket: 150, using: &generator), port: 2)
        #expect(table.insert(first, now: start) == .added)
        #expect(table.insert(second, now: start + .seconds(1)) == .added)
        #expect(table.contacts == [first, second])
        #expect(table.insert(first, now: start + .seconds(2)) == .refreshed)
        #expect(table.contacts == [second, first], "refresh moves to the most-recently-seen end")
        #expect(table.entry(for: first.id)?.lastSeen == start + .seconds(2))
        #expect(table.insert(contact(local), now: start) == .ignored)
        let spoofed = contact(first.id, port: 9999)
        #expect(table.insert(spoofed, now: start + .seconds(3)) == .ignored)
        #expect(table.entry(for: first.id)?.contact == first)
        #expect(table.entry(for: first.id)?.lastSeen == start + .seconds(2))
        #expect(table.count == 2 && table.contacts.count == 2)
        #expect(!table.contains(local))
    }

    @Test func fullBucketNamesOldestAndCachesNewcomer() throws {
        var (table, members) = tableWithBucket(140, filledWith: 8, seed: 31)
        var generator = SeededGenerator(seed: 32)
        // Refresh the first member so the second becomes least recently seen.
        #expect(table.insert(members[0], now: start + .seconds(100)) == .refreshed)
        let newcomer = contact(table.localID.randomID(inBucket: 140, using: &generator), port: 8000)
        let outcome = table.insert(newcomer, now: start + .seconds(101))
        guard case .full(let oldest) = outcome else {
            Issue.record("expected .full, got \(outcome)")
            return
        }
        #expect(oldest.contact == members[1])
        #expect(!table.contains(newcomer.id))
        #expect(table.count == 8 && table.contacts.count == 8)
        // One replacement waits, so a single failure of the oldest swaps it out at once.
        let swapped = table.recordFailure(of: members[1].id)
        #expect(swapped)
        #expect(!table.contains(members[1].id))
        #expect(table.contains(newcomer.id))
        #expect(table.count == 8 && table.contacts.count == 8)
        #expect(table.bucketCounts.map(\.count) == [8])
    }

    @Test func failureWithoutReplacementDropsAfterLimit() {
        var (table, members) = tableWithBucket(120, filledWith: 3, seed: 41)
        #expect(table.failureLimit == 2)
        let droppedAfterOne = table.recordFailure(of: members[0].id)
        #expect(!droppedAfterOne)
        #expect(table.contains(members[0].id))
        #expect(table.entry(for: members[0].id)?.failures == 1)
        #expect(table.count == 3 && table.contacts.count == 3)
        let droppedAfterTwo = table.recordFailure(of: members[0].id)
        #expect(droppedAfterTwo)
        #expect(!table.contains(members[0].id))
        #expect(table.count == 2 && table.contacts.count == 2)
        let droppedAgain = table.recordFailure(of: members[0].id)
        #expect(!droppedAgain, "unknown ids are not dropped twice")
        let droppedSelf = table.recordFailure(of: table.localID)
        #expect(!droppedSelf)
        #expect(table.count == 2)
    }

    @Test func answeringClearsFailureCount() {
        var (table, members) = tableWithBucket(100, filledWith: 2, seed: 43)
        let droppedFirst = table.recordFailure(of: members[0].id)
        #expect(!droppedFirst)
        #expect(table.insert(members[0], now: start + .seconds(50)) == .refreshed)
        #expect(table.entry(for: members[0].id)?.failures == 0)
        let droppedAfterAnswer = table.recordFailure(of: members[0].id)
        #expect(!droppedAfterAnswer, "the count restarted, so one failure is not enough")
        #expect(table.contains(members[0].id))
    }

    @Test func removePromotesNewestReplacement() {
        var (table, members) = tableWithBucket(155, filledWith: 10, seed: 51)
        // members[8] and members[9] wait; the newest (9) takes the freed place.
        #expect(table.count == 8)
        let removed = table.remove(members[3].id)
        #expect(removed)
        #expect(table.contains(members[9].id))
        #expect(!table.contains(members[8].id))
        #expect(table.count == 8 && table.contacts.count == 8)
        let removedAgain = table.remove(members[3].id)
        #expect(!removedAgain)
        #expect(table.count == table.contacts.count)
    }

    @Test func countAndClosestStayRightThroughRandomOperations() {
        var generator = SeededGenerator(seed: 61)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        var known = [Contact]()
        for step in 0..<2000 {
            let now = start + .seconds(step)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<6:
                // Sparse low buckets too, so removals empty buckets and `closest` must notice.
                let id = local.randomID(inBucket: Int.random(in: 140..<160, using: &generator), using: &generator)
                let newcomer = contact(id, port: UInt16(step % 60000 + 1))
                known.append(newcomer)
                _ = table.insert(newcomer, now: now)
            case 6..<8:
                if let victim = known.randomElement(using: &generator) { table.recordFailure(of: victim.id) }
            case 8:
                if let victim = known.randomElement(using: &generator) { table.remove(victim.id) }
            default:
                if let again = known.randomElement(using: &generator) { _ = table.insert(again, now: now) }
            }
            #expect(table.count == table.contacts.count, "step \(step)")
            let probe = local.randomID(inBucket: Int.random(in: 130..<160, using: &generator), using: &generator)
            #expect(table.closest(to: probe, limit: 8) == oracleClosest(table, to: probe, limit: 8), "step \(step)")
        }
        #expect(table.bucketCounts.allSatisfy { $0.count <= 8 })
    }

    @Test func onlyTheBucketsInUseAreStoredAndTheRestBehaveAsEmpty() {
        var generator = SeededGenerator(seed: 63)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        #expect(table.storedBuckets == 0)
        for index in 0..<1000 { _ = table.insert(contact(NodeID.random(using: &generator), port: UInt16(index + 1)), now: start) }
        // 1,000 random ids reach about 10 buckets deep; all 160 used to be stored.
        #expect((8...16).contains(table.storedBuckets), "\(table.storedBuckets)")
        let lowest = table.bucketCounts.map(\.index).min() ?? 0
        #expect(table.storedBuckets == NodeID.bitCount - lowest)
        // A lookup deep below them stores down to its bucket, which keeps its refresh time.
        table.noteLookup(toward: local.randomID(inBucket: 100, using: &generator), now: start + .seconds(5))
        #expect(table.storedBuckets == 60)
        let near = contact(local.randomID(inBucket: 100, using: &generator), port: 9)
        #expect(table.insert(near, now: start + .seconds(6)) == .added)
        // Bucket 100 counts from its lookup, the others from the table's start.
        #expect(table.bucketsNeedingRefresh(now: start + .seconds(904), interval: .seconds(900))
                == table.bucketCounts.map(\.index).filter { $0 != 100 })
        #expect(table.closest(to: near.id, limit: 1) == [near])
    }

    @Test func aHostNeverHoldsMoreThanItsPlacesThroughRandomOperations() {
        var generator = SeededGenerator(seed: 64)
        let local = NodeID.random(using: &generator)
        let diversity = RoutingDiversity(perHost: 2, perNetworkPerBucket: 8, relaxLoopback: false)
        var table = RoutingTable(localID: local, diversity: diversity, now: start)
        var known = [Contact]()
        for step in 0..<3000 {
            let now = start + .seconds(step)
            let held = Dictionary(grouping: table.contacts, by: \.address.ip).mapValues(\.count)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<6:
                // Eight hosts on different /24s, so only the per-host rule can refuse.
                let ip = 0x0A00_0001 + UInt32(Int.random(in: 0..<8, using: &generator)) << 8
                let newcomer = contact(local.randomID(inBucket: Int.random(in: 150..<160, using: &generator), using: &generator),
                                       port: UInt16(step + 1), ip: ip)
                known.append(newcomer)
                let outcome = table.insert(newcomer, now: now)
                if held[ip, default: 0] >= 2 { #expect(outcome == .refused, "step \(step): a third place for one host") }
            case 6..<8:
                if let victim = known.randomElement(using: &generator) { table.recordFailure(of: victim.id) }
            default:
                if let victim = known.randomElement(using: &generator) { table.remove(victim.id) }
            }
            #expect(Dictionary(grouping: table.contacts, by: \.address.ip).values.allSatisfy { $0.count <= 2 }, "step \(step)")
        }
        #expect(table.count > 8, "the table filled: \(table.count)")
    }

    @Test func anEntryKeepsItsRoundTripToTheMicrosecondAndSaturatesItsFailures() {
        var entry = RoutingEntry(contact: contact(NodeID(key: "e"), port: 1), lastSeen: start, failures: 0)
        #expect(entry.roundTrip == nil)
        entry.roundTrip = .zero
        #expect(entry.roundTrip == .zero, "zero (loopback) is a measurement, not none")
        entry.roundTrip = .nanoseconds(123_456_789)
        #expect(entry.roundTrip == .microseconds(123_456))
        entry.roundTrip = .seconds(100_000)
        #expect(entry.roundTrip == .microseconds(Int64(UInt32.max) - 1), "clamped, never taken for none")
        entry.roundTrip = nil
        #expect(entry.roundTrip == nil)
        entry.failures = 1000
        #expect(entry.failures == 255)
        entry.failures = -1
        #expect(entry.failures == 0)
        #expect(MemoryLayout<RoutingEntry>.stride == 40)
    }

    @Test func emptyingTheNearestBucketLeavesTheOthersFindable() {
        var generator = SeededGenerator(seed: 62)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        let nearest = contact(local.randomID(inBucket: 140, using: &generator), port: 1)
        let farther = contact(local.randomID(inBucket: 150, using: &generator), port: 2)
        let farthest = contact(local.randomID(inBucket: 159, using: &generator), port: 3)
        for entry in [nearest, farther, farthest] { _ = table.insert(entry, now: start) }
        let probe = local.randomID(inBucket: 120, using: &generator)
        #expect(table.closest(to: probe, limit: 8) == [nearest, farther, farthest])
        table.remove(nearest.id)
        #expect(table.closest(to: probe, limit: 8) == [farther, farthest])
        table.recordFailure(of: farther.id)
        table.recordFailure(of: farther.id)
        #expect(table.closest(to: probe, limit: 8) == [farthest], "dropped after two failures")
        _ = table.insert(nearest, now: start)
        #expect(table.closest(to: probe, limit: 8) == [nearest, farthest])
    }

    @Test func bucketCountsListsNonEmptyBucketsAscending() {
        var generator = SeededGenerator(seed: 71)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        for (index, amount) in [(159, 3), (2, 1), (80, 8), (81, 12)] {
            for _ in 0..<amount {
                _ = table.insert(contact(local.randomID(inBucket: index, using: &generator)), now: start)
            }
        }
        let counts = table.bucketCounts
        #expect(counts.map(\.index) == [2, 80, 81, 159])
        #expect(counts.map(\.count) == [1, 8, 8, 3])
        #expect(counts.map(\.count).reduce(0, +) == table.count)
    }

    @Test func bucketsNeedRefreshAfterIntervalUnlessLookedUp() {
        var generator = SeededGenerator(seed: 81)
        let local = NodeID.random(using: &generator)
        var table = RoutingTable(localID: local, now: start)
        _ = table.insert(contact(local.randomID(inBucket: 10, using: &generator)), now: start)
        _ = table.insert(contact(local.randomID(inBucket: 90, using: &generator)), now: start)
        let hour = Duration.seconds(3600)
        #expect(table.bucketsNeedingRefresh(now: start + .seconds(3599), interval: hour).isEmpty)
        #expect(table.bucketsNeedingRefresh(now: start + hour, interval: hour) == [10, 90])
        table.noteLookup(toward: local.randomID(inBucket: 90, using: &generator), now: start + .seconds(1800))
        #expect(table.bucketsNeedingRefresh(now: start + hour, interval: hour) == [10])
        #expect(table.bucketsNeedingRefresh(now: start + .seconds(5399), interval: hour) == [10])
        #expect(table.bucketsNeedingRefresh(now: start + .seconds(5400), interval: hour) == [10, 90])
        // Empty buckets are never listed; looking up our own id changes nothing.
        table.noteLookup(toward: local, now: start + .seconds(5400))
        #expect(!table.bucketsNeedingRefresh(now: start + .seconds(9000), interval: hour).contains(50))
    }
}
