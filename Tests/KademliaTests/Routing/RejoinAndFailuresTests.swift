import Testing
@testable import Kademlia
@testable import KademliaCore

private let t0 = Timestamp(nanoseconds: 2_000_000_000_000)
private let seeds = [SocketAddress(ip: 0x7F00_0001, port: 4000), SocketAddress(ip: 0x7F00_0001, port: 4001)]

/// One maintenance pass's question to the schedule.
private func attempt(_ schedule: inout RejoinSchedule, at now: Timestamp, empty: Bool) -> Bool {
    schedule.shouldAttempt(now: now, tableIsShort: empty)
}

/// Drives `schedule` the way maintenance does: waking only at `nextAttempt`, with the table
/// empty throughout; returns the instants of the first `count` attempts.
private func attempts(_ schedule: inout RejoinSchedule, count: Int) -> [Timestamp] {
    var made: [Timestamp] = []
    while made.count < count, let due = schedule.nextAttempt {
        #expect(!attempt(&schedule, at: due - .nanoseconds(1), empty: true), "not before it is due")
        guard schedule.shouldAttempt(now: due, tableIsShort: true) else {
            Issue.record("no attempt when due at \(due)")
            break
        }
        made.append(due)
    }
    return made
}

/// The gaps between consecutive instants, in whole seconds.
private func gaps(_ instants: [Timestamp]) -> [Int64] {
    zip(instants.dropFirst(), instants).map { ($0 - $1).totalNanoseconds / 1_000_000_000 }
}

@Suite struct RejoinAndFailuresTests {
    @Test func backoffDoublesUpToTheMaximumWhileTheTableIsEmpty() {
        var schedule = RejoinSchedule()
        #expect(schedule.nextAttempt == nil)
        schedule.remember(seeds, now: t0)
        #expect(schedule.nextAttempt == t0 + .seconds(1))
        let made = attempts(&schedule, count: 10)
        // The join itself happens at t0; the retries then fall 1, 2, 4, ... s after it.
        #expect(made.map { ($0 - t0).totalNanoseconds / 1_000_000_000 } == [1, 2, 4, 8, 16, 32, 64, 124, 184, 244])
        #expect(gaps(made) == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(schedule.delay == .seconds(60))
    }

    @Test func contactsResetTheBackoffAndEmptyAgainRetriesAtOnce() {
        var schedule = RejoinSchedule(initialDelay: .seconds(2), maximumDelay: .seconds(20))
        schedule.remember(seeds, now: t0)
        #expect(gaps(attempts(&schedule, count: 5)) == [2, 4, 8, 16])
        let joined = t0 + .seconds(100)
        #expect(!attempt(&schedule, at: joined, empty: false))
        #expect(schedule.nextAttempt == nil, "no wake-up while the table has contacts")
        #expect(schedule.delay == .seconds(2))
        #expect(!attempt(&schedule, at: joined + .seconds(500), empty: false))
        // Found empty again, long after: one attempt straight away, then the backoff from the start.
        let emptied = joined + .seconds(1000)
        #expect(attempt(&schedule, at: emptied, empty: true))
        #expect(schedule.nextAttempt == emptied + .seconds(2))
        #expect(!attempt(&schedule, at: emptied + .seconds(1), empty: true))
        #expect(attempt(&schedule, at: emptied + .seconds(2), empty: true))
        #expect(schedule.nextAttempt == emptied + .seconds(6))
    }

    @Test func noSeedsMeansNoAttempts() {
        var schedule = RejoinSchedule()
        #expect(!attempt(&schedule, at: t0, empty: true))
        schedule.remember([], now: t0)
        #expect(schedule.nextAttempt == nil && schedule.seeds.isEmpty)
        for offset in [0, 1, 60, 3600] as [Int64] {
            #expect(!attempt(&schedule, at: t0 + .seconds(offset), empty: true))
        }
        #expect(schedule.nextAttempt == nil)
    }

    @Test func rememberKeepsEarlierSeedsOnceAndRestartsTheBackoff() {
        var schedule = RejoinSchedule()
        schedule.remember([seeds[0]], now: t0)
        _ = attempts(&schedule, count: 4)
        #expect(schedule.delay == .seconds(16))
        let later = t0 + .seconds(500)
        schedule.remember([seeds[1], seeds[0], seeds[1]], now: later)
        #expect(schedule.seeds == seeds)
        #expect(schedule.delay == .seconds(1))
        #expect(schedule.nextAttempt == later + .seconds(1))
    }

    @Test func recentFailuresRemembersWithinTheWindow() {
        var failures = RecentFailures(capacity: 4, lifetime: .seconds(60))
        let id = NodeID(key: "bad")
        #expect(failures.isEmpty)
        #expect(!failures.contains(id, now: t0))
        failures.record(id, now: t0)
        #expect(!failures.isEmpty)
        #expect(failures.contains(id, now: t0))
        #expect(failures.contains(id, now: t0 + .seconds(60) - .nanoseconds(1)))
        #expect(!failures.contains(id, now: t0 + .seconds(60)), "the window is half-open")
        // A second failure renews the time.
        failures.record(id, now: t0 + .seconds(50))
        #expect(failures.contains(id, now: t0 + .seconds(100)))
        failures.forget(id)
        #expect(!failures.contains(id, now: t0 + .seconds(51)))
        #expect(failures.isEmpty)
        failures.forget(id)
        failures.forget(NodeID(key: "never seen"))
        #expect(failures.isEmpty)
    }

    @Test func recentFailuresLetGoOfThoseOlderThanTheirLifetime() {
        var failures = RecentFailures(capacity: 512, lifetime: .seconds(60))
        var generator = SeededGenerator(seed: 0xFA12)
        // A failure a second for an hour, each a new contact: never more than a minute's worth.
        var last = NodeID(key: "none")
        for second in 0..<3600 {
            last = NodeID.random(using: &generator)
            failures.record(last, now: t0 + .seconds(Int64(second)))
            #expect(failures.count <= 61, "second \(second): \(failures.count)")
        }
        #expect(failures.contains(last, now: t0 + .seconds(3600)))
    }

    @Test func recentFailuresEvictsTheOldestAtCapacity() {
        var generator = SeededGenerator(seed: 0xFA11)
        let capacity = 16
        var failures = RecentFailures(capacity: capacity, lifetime: .seconds(100_000))
        var model: [NodeID] = []  // oldest first, as recorded
        let pool = (0..<40).map { _ in NodeID.random(using: &generator) }
        for step in 0..<3000 {
            let id = pool.randomElement(using: &generator)!
            if Int.random(in: 0..<4, using: &generator) == 0 {
                failures.forget(id)
                model.removeAll { $0 == id }
            } else {
                failures.record(id, now: t0 + .seconds(Int64(step)))
                // A renewed failure keeps its place in the eviction order.
                if !model.contains(id) { model.append(id) }
                if model.count > capacity { model.removeFirst() }
            }
            let now = t0 + .seconds(Int64(step))
            let held = pool.filter { failures.contains($0, now: now) }
            #expect(Set(held) == Set(model), "step \(step)")
            #expect(held.count <= capacity)
            #expect(failures.isEmpty == model.isEmpty)
        }
    }
}
