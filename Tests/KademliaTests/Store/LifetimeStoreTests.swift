import Testing
@testable import Kademlia
@testable import KademliaCore

private let t0 = Timestamp(nanoseconds: 1_000_000_000_000)
private let target = NodeID(key: "lifetime")
private let hour: Duration = .seconds(3600)
private let day: Duration = .seconds(86_400)

/// How many pairs one of the store's private schedules holds, read by reflection.
private func scheduleCount(_ store: ValueStore, _ name: String) -> Int? {
    (Mirror(reflecting: store).descendant(name) as? DeadlineHeap<NodeID>)?.count
}

/// The naive model of the store: a dictionary, every rule spelled out, no heaps.
private struct NaiveStore {
    var entries: [NodeID: (value: [UInt8], seq: Int64, tombstone: Bool, expiresAt: Timestamp)] = [:]

    mutating func store(_ value: [UInt8], seq: Int64, tombstone: Bool, for target: NodeID, ttl: Duration, now: Timestamp) {
        let life = max(.zero, min(ttl, day))
        let offered = (value: tombstone ? [] : value, seq: seq, tombstone: tombstone, expiresAt: now + life)
        guard let held = entries[target], held.expiresAt > now else {
            if life > .zero { entries[target] = offered }
            return
        }
        if held.seq == seq, held.tombstone == tombstone, held.value == offered.value {
            entries[target]?.expiresAt = max(held.expiresAt, offered.expiresAt)
        } else if seq > held.seq || (seq == held.seq && (tombstone != held.tombstone ? tombstone : held.value.lexicographicallyPrecedes(offered.value))) {
            entries[target] = offered
        }
    }

    mutating func removeExpired(now: Timestamp) -> Int {
        let expired = entries.filter { $0.value.expiresAt <= now }.map(\.key)
        for key in expired { entries[key] = nil }
        return expired.count
    }
}

@Suite struct LifetimeStoreTests {
    @Test func tombstoneBeatsValueOfEqualSeqInEitherOrder() throws {
        var valueFirst = ValueStore()
        #expect(valueFirst.store(bytes("v"), seq: 4, for: target, now: t0) == .stored)
        #expect(valueFirst.store(bytes("ignored"), seq: 4, for: target, tombstone: true, now: t0) == .stored)
        var tombstoneFirst = ValueStore()
        #expect(tombstoneFirst.store([], seq: 4, for: target, tombstone: true, now: t0) == .stored)
        #expect(tombstoneFirst.store(bytes("zzzz"), seq: 4, for: target, now: t0) == .keptExisting)
        for store in [valueFirst, tombstoneFirst] {
            #expect(store.value(for: target, now: t0) == nil, "tombstones read as nothing")
            let held = try #require(store.entry(for: target, now: t0))
            #expect(held.isTombstone && held.seq == 4 && held.value.isEmpty)
            #expect(store.tombstoneCount(now: t0) == 1)
            #expect(store.targets(now: t0).isEmpty)
        }
    }

    @Test func higherSeqValueBeatsTombstoneAndLowerIsRefused() throws {
        var store = ValueStore()
        _ = store.store([], seq: 5, for: target, tombstone: true, now: t0)
        #expect(store.store(bytes("old"), seq: 4, for: target, now: t0) == .rejectedOlder(current: 5))
        #expect(store.store(bytes("back"), seq: 6, for: target, now: t0 + .seconds(1)) == .stored)
        let held = try #require(store.value(for: target, now: t0 + .seconds(1)))
        #expect(held.value == bytes("back") && held.seq == 6 && !held.isTombstone)
        #expect(store.tombstoneCount(now: t0 + .seconds(1)) == 0)
    }

    @Test func countsTombstonesAndValuesExpiringSoon() {
        var store = ValueStore()
        let ids = (0..<6).map { NodeID(key: "count-\($0)") }
        _ = store.store([1], seq: 0, for: ids[0], ttl: .seconds(30), now: t0)
        _ = store.store([1], seq: 0, for: ids[1], ttl: .seconds(60), now: t0)
        _ = store.store([1], seq: 0, for: ids[2], ttl: .seconds(61), now: t0)
        _ = store.store([], seq: 1, for: ids[3], ttl: .seconds(10), tombstone: true, now: t0)
        _ = store.store([], seq: 1, for: ids[4], tombstone: true, now: t0)
        _ = store.store([1], seq: 0, for: ids[5], now: t0)
        #expect(store.tombstoneCount(now: t0) == 2)
        #expect(store.valuesExpiring(within: .seconds(60), now: t0) == 2, "window end inclusive, tombstones excluded")
        #expect(store.valuesExpiring(within: .seconds(58), now: t0 + .seconds(1)) == 1)
        #expect(store.valuesExpiring(within: .seconds(60), now: t0 + .seconds(1)) == 3)
        #expect(store.tombstoneCount(now: t0 + .seconds(10)) == 1)
        #expect(store.valuesExpiring(within: day, now: t0 + .seconds(30)) == 3, "an expired value is not expiring")
    }

    @Test func sameVersionRefreshTakesTheLaterExpiry() throws {
        var store = ValueStore()
        #expect(store.store(bytes("v"), seq: 1, for: target, ttl: .seconds(1000), now: t0) == .stored)
        // A replication carrying less time left does not cut the life short...
        #expect(store.store(bytes("v"), seq: 1, for: target, ttl: .seconds(500), now: t0 + .seconds(100)) == .refreshed)
        var held = try #require(store.value(for: target, now: t0 + .seconds(100)))
        #expect(held.expiresAt == t0 + .seconds(1000))
        #expect(held.storedAt == t0 + .seconds(100))
        // ...and one carrying more extends it.
        #expect(store.store(bytes("v"), seq: 1, for: target, ttl: .seconds(2000), now: t0 + .seconds(200)) == .refreshed)
        held = try #require(store.value(for: target, now: t0 + .seconds(200)))
        #expect(held.expiresAt == t0 + .seconds(2200))
        #expect(store.value(for: target, now: t0 + .seconds(2199))?.seq == 1)
        #expect(store.value(for: target, now: t0 + .seconds(2200)) == nil)
    }

    @Test func remainingSecondsRoundsDownAndTtlIsCapped() throws {
        var store = ValueStore()
        _ = store.store([1], seq: 0, for: target, ttl: .seconds(10), now: t0)
        let held = try #require(store.entry(for: target, now: t0))
        #expect(held.remainingSeconds(now: t0) == 10)
        #expect(held.remainingSeconds(now: t0 + .nanoseconds(1)) == 9)
        #expect(held.remainingSeconds(now: t0 + .milliseconds(9001)) == 0)
        #expect(held.remainingSeconds(now: t0 + .seconds(11)) == 0)
        let other = NodeID(key: "capped")
        _ = store.store([1], seq: 0, for: other, ttl: .seconds(10 * 86_400), now: t0)
        #expect(store.entry(for: other, now: t0)?.expiresAt == t0 + day)
        let third = NodeID(key: "default")
        _ = store.store([1], seq: 0, for: third, now: t0)
        #expect(store.entry(for: third, now: t0)?.expiresAt == t0 + day)
    }

    @Test(arguments: [Duration.zero, .seconds(-5)])
    func nonPositiveTtlOnANewKeyStoresNothing(ttl: Duration) {
        var store = ValueStore()
        #expect(store.store([1], seq: 0, for: target, ttl: ttl, now: t0) == .keptExisting)
        #expect(store.count == 0 && store.entry(for: target, now: t0) == nil && store.earliestExpiry == nil)
    }

    @Test func removeExpiredMatchesANaiveModel() {
        var generator = SeededGenerator(seed: 0x11FE)
        var store = ValueStore()
        var model = NaiveStore()
        let keys = (0..<25).map { NodeID(key: "oracle-\($0)") }
        var now = t0
        for step in 0..<600 {
            now = now + .milliseconds(Int64.random(in: 0..<400_000, using: &generator))
            let key = keys.randomElement(using: &generator)!
            let ttl = Duration.seconds(Int64.random(in: -10..<100_000, using: &generator))
            let seq = Int64.random(in: 0..<4, using: &generator)
            let value = [UInt8(Int.random(in: 0..<3, using: &generator))]
            let tombstone = Int.random(in: 0..<6, using: &generator) == 0
            _ = store.store(value, seq: seq, for: key, ttl: ttl, tombstone: tombstone, now: now)
            model.store(value, seq: seq, tombstone: tombstone, for: key, ttl: ttl, now: now)
            if step % 7 == 0 {
                let sweep = now + .milliseconds(Int64.random(in: 0..<50_000_000, using: &generator))
                #expect(store.removeExpired(now: sweep) == model.removeExpired(now: sweep), "step \(step)")
                #expect(store.count == model.entries.count)
            }
            for key in keys {
                let held = store.entry(for: key, now: now)
                let expected = model.entries[key].flatMap { $0.expiresAt > now ? $0 : nil }
                #expect(held?.seq == expected?.seq && held?.value == expected?.value, "step \(step)")
                #expect(held?.isTombstone == expected?.tombstone && held?.expiresAt == expected?.expiresAt, "step \(step)")
            }
        }
    }

    @Test func schedulesStayBoundedUnderRepeatedRestores() throws {
        var store = ValueStore()
        var largest = (expiries: Int.min, replications: Int.min)
        // A holder hears the same version from others every minute, each carrying exactly what
        // remains (so the expiry never moves), and a newer version every 500 minutes.
        for minute in 0..<2000 {
            let now = t0 + .seconds(60 * Int64(minute))
            let seq = Int64(minute / 500)
            let expiry = t0 + .seconds(60 * 500 * seq) + day
            _ = store.store(bytes("v"), seq: seq, for: target, ttl: expiry - now, now: now)
            #expect(store.entry(for: target, now: now)?.expiresAt == expiry)
            // Compaction runs once the pairs pass 2 × entries + 64, so one store leaves at most one more.
            let limit = 2 * store.count + 64 + 1
            largest.expiries = max(largest.expiries, try #require(scheduleCount(store, "expiries")) - limit)
            largest.replications = max(largest.replications, try #require(scheduleCount(store, "replications")) - limit)
        }
        #expect(largest.expiries <= 0, "expiry pairs beyond the bound")
        #expect(largest.replications <= 0, "replication pairs beyond the bound")
        let end = t0 + .seconds(60 * 1500) + day
        #expect(store.removeExpired(now: end - .nanoseconds(1)) == 0)
        #expect(store.removeExpired(now: end) == 1)
        #expect(store.count == 0)
    }

    @Test func replicationFallsDueAnIntervalPlusDelayAfterTheLastStore() {
        var store = ValueStore()
        let delay: Duration = .seconds(90)
        _ = store.store([1], seq: 0, for: target, now: t0, replicationDelay: delay)
        #expect(store.dueForReplication(now: t0 + hour + delay - .nanoseconds(1)).isEmpty)
        // Another holder's store half an hour later: this holder skips its round.
        _ = store.store([1], seq: 0, for: target, now: t0 + .seconds(1800))
        #expect(store.dueForReplication(now: t0 + hour + delay).isEmpty)
        #expect(store.dueForReplication(now: t0 + .seconds(1800) + hour - .nanoseconds(1)).isEmpty)
        #expect(store.dueForReplication(now: t0 + .seconds(1800) + hour) == [target])
        let done = t0 + .seconds(1800) + hour + .seconds(5)
        store.markReplicated(target, now: done)
        #expect(store.dueForReplication(now: done + hour - .nanoseconds(1)).isEmpty)
        #expect(store.dueForReplication(now: done + hour) == [target])
    }

    @Test func aTargetIsDueOnceEvenWhenStoredTwiceAtOneInstant() {
        var store = ValueStore()
        let other = NodeID(key: "other")
        _ = store.store([1], seq: 0, for: target, now: t0)
        _ = store.store([1], seq: 0, for: target, now: t0)
        _ = store.store([2], seq: 0, for: other, now: t0)
        store.markReplicated(other, now: t0)
        store.markReplicated(other, now: t0)
        let due = store.dueForReplication(now: t0 + hour)
        #expect(due.count == 2, "each target once: \(due)")
        #expect(Set(due) == [target, other])
    }

    @Test func holdersAreConfirmedPrunedAndClearedByANewerVersion() {
        var store = ValueStore()
        let (a, b, c) = (NodeID(key: "a"), NodeID(key: "b"), NodeID(key: "c"))
        _ = store.store([1], seq: 0, for: target, now: t0, from: a)
        store.confirm(b, holds: target, now: t0 + .seconds(10))
        store.confirm(c, holds: NodeID(key: "not held"), now: t0)
        #expect(store.confirmedHolders(of: target, since: t0) == [a, b])
        #expect(store.confirmedHolders(of: target, since: t0 + .seconds(1)) == [b])
        // The same version again keeps the record and renews the sender.
        _ = store.store([1], seq: 0, for: target, now: t0 + .seconds(20), from: a)
        #expect(store.confirmedHolders(of: target, since: t0 + .seconds(15)) == [a])
        store.pruneHolders(of: target, keeping: [a, c])
        #expect(store.confirmedHolders(of: target, since: t0) == [a])
        store.confirm(b, holds: target, now: t0 + .seconds(30))
        _ = store.store([9], seq: 1, for: target, now: t0 + .seconds(40), from: c)
        #expect(store.confirmedHolders(of: target, since: t0) == [c], "a newer version clears the holders")
        _ = store.store([], seq: 2, for: target, tombstone: true, now: t0 + .seconds(50))
        #expect(store.confirmedHolders(of: target, since: t0).isEmpty)
    }
}
