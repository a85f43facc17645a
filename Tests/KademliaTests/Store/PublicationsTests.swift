import Testing
@testable import Kademlia
@testable import KademliaCore

private let t0 = Timestamp(nanoseconds: 5_000_000_000_000)
private let interval: Duration = .seconds(86_400)
private let tick: Duration = .nanoseconds(1)

@Suite struct PublicationsTests {
    @Test func takeDueReturnsEachPublicationOncePerInterval() throws {
        var publications = Publications(interval: interval)
        let target = NodeID(key: "k")
        publications.publish(key: bytes("k"), value: bytes("v"), seq: 3, ttl: nil, for: target, now: t0)
        #expect(publications.count == 1)
        #expect(publications.earliest == t0 + interval)
        #expect(publications.takeDue(now: t0 + interval - tick).isEmpty)
        let first = publications.takeDue(now: t0 + interval)
        #expect(first.map(\.target) == [target])
        let entry = try #require(first.first?.publication)
        #expect(entry.key == bytes("k") && entry.value == bytes("v") && entry.seq == 3 && entry.endsAt == nil)
        #expect(entry.republishAt == t0 + interval, "returned as it was due")
        #expect(publications.publication(for: target)?.republishAt == t0 + interval * 2, "moved on one interval")
        #expect(publications.takeDue(now: t0 + interval).isEmpty, "not twice in one interval")
        // A late pass schedules the next one interval after the pass, not after the old deadline.
        let late = t0 + interval * 2 + .seconds(30)
        #expect(publications.takeDue(now: late).map(\.target) == [target])
        #expect(publications.publication(for: target)?.republishAt == late + interval)
        #expect(publications.takeDue(now: late + interval - tick).isEmpty)
        #expect(publications.takeDue(now: late + interval).count == 1)
    }

    @Test func duePublicationsComeInDeadlineOrderAndOnlyWhenDue() {
        var publications = Publications(interval: .seconds(100))
        let targets = (0..<5).map { NodeID(key: "order-\($0)") }
        for (index, target) in targets.enumerated().reversed() {
            publications.publish(key: [UInt8(index)], value: [], seq: 0, ttl: nil, for: target, now: t0 + .seconds(Int64(index)))
        }
        #expect(publications.earliest == t0 + .seconds(100))
        #expect(publications.takeDue(now: t0 + .seconds(102)).map(\.target) == Array(targets[0...2]))
        #expect(publications.takeDue(now: t0 + .seconds(104)).map(\.target) == Array(targets[3...4]))
        #expect(publications.count == 5)
    }

    @Test func aTtlPublicationIsWithdrawnOnceItsTtlHasPassed() throws {
        var publications = Publications(interval: interval)
        let target = NodeID(key: "short")
        let ttl = interval + interval / 2
        publications.publish(key: bytes("short"), value: [1], seq: 0, ttl: ttl, for: target, now: t0)
        let first = try #require(publications.takeDue(now: t0 + interval).first?.publication)
        #expect(first.endsAt == t0 + ttl)
        #expect(first.lifetime(interval, now: t0 + interval) == interval / 2, "what the TTL leaves")
        #expect(publications.takeDue(now: t0 + interval * 2).isEmpty, "past its TTL: never returned")
        #expect(publications.count == 0)
        #expect(publications.publication(for: target) == nil)
        #expect(publications.takeDue(now: t0 + interval * 10).isEmpty)
    }

    @Test func aTtlShorterThanTheIntervalIsNeverRepublished() {
        var publications = Publications(interval: interval)
        let target = NodeID(key: "brief")
        publications.publish(key: [], value: [], seq: 0, ttl: .seconds(60), for: target, now: t0)
        #expect(publications.takeDue(now: t0 + interval).isEmpty)
        #expect(publications.count == 0)
        // A TTL of exactly one interval has nothing left when the republication falls due.
        publications.publish(key: [], value: [], seq: 0, ttl: interval, for: target, now: t0)
        #expect(publications.takeDue(now: t0 + interval).isEmpty)
        #expect(publications.publication(for: target) == nil)
    }

    @Test func lifetimeIsTheFullOneCutShortByTheTtl() {
        let full: Duration = .seconds(86_400)
        let forever = Publication(key: [], value: [], seq: 0, endsAt: nil, republishAt: t0)
        #expect(forever.lifetime(full, now: t0) == full)
        #expect(forever.lifetime(full, now: t0 + .seconds(1_000_000)) == full)
        let ends = t0 + .seconds(100_000)
        let bounded = Publication(key: [], value: [], seq: 0, endsAt: ends, republishAt: t0)
        #expect(bounded.lifetime(full, now: t0) == full, "more than a full lifetime left")
        #expect(bounded.lifetime(full, now: ends - full) == full)
        #expect(bounded.lifetime(full, now: ends - .seconds(10)) == .seconds(10))
        #expect(bounded.lifetime(full, now: ends - tick) == tick)
        #expect(bounded.lifetime(full, now: ends) == nil)
        #expect(bounded.lifetime(full, now: ends + .seconds(1)) == nil)
    }

    @Test func withdrawStopsItAndRepublishingReschedules() {
        var publications = Publications(interval: .seconds(100))
        let target = NodeID(key: "w")
        publications.publish(key: [], value: [1], seq: 1, ttl: nil, for: target, now: t0)
        publications.withdraw(target)
        #expect(publications.count == 0 && publications.publication(for: target) == nil)
        #expect(publications.takeDue(now: t0 + .seconds(1000)).isEmpty)
        // A put again later: only the new schedule counts, and the new version is what comes due.
        publications.publish(key: [], value: [1], seq: 1, ttl: nil, for: target, now: t0 + .seconds(1000))
        publications.publish(key: [], value: [2], seq: 2, ttl: nil, for: target, now: t0 + .seconds(1050))
        #expect(publications.takeDue(now: t0 + .seconds(1100)).isEmpty, "the overwritten schedule is stale")
        let due = publications.takeDue(now: t0 + .seconds(1150))
        #expect(due.map(\.publication.seq) == [2])
        #expect(due.map(\.publication.value) == [[2]])
    }

    @Test func randomScheduleMatchesANaiveModel() {
        var generator = SeededGenerator(seed: 0x9B)
        let every: Duration = .seconds(100)
        var publications = Publications(interval: every)
        var model: [NodeID: (republishAt: Timestamp, endsAt: Timestamp?)] = [:]
        let targets = (0..<20).map { NodeID(key: "model-\($0)") }
        var now = t0
        for step in 0..<2000 {
            now = now + .seconds(Int64.random(in: 0..<30, using: &generator))
            let target = targets.randomElement(using: &generator)!
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<3:
                let ttl: Duration? = Bool.random(using: &generator) ? .seconds(Int64.random(in: 1..<400, using: &generator)) : nil
                publications.publish(key: [], value: [], seq: 0, ttl: ttl, for: target, now: now)
                model[target] = (now + every, ttl.map { now + $0 })
            case 3:
                publications.withdraw(target)
                model[target] = nil
            default:
                var expected: Set<NodeID> = []
                for (id, entry) in model where entry.republishAt <= now {
                    if let endsAt = entry.endsAt, endsAt <= now {
                        model[id] = nil
                    } else {
                        expected.insert(id)
                        model[id]?.republishAt = now + every
                    }
                }
                let due = publications.takeDue(now: now)
                #expect(due.count == expected.count && Set(due.map(\.target)) == expected, "step \(step)")
            }
            #expect(publications.count == model.count, "step \(step)")
        }
    }
}
