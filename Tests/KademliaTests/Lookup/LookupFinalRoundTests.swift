import Testing
@testable import KademliaCore

/// A write's final round, stepped by hand: the spares it asks past the K closest, and
/// which of the K it may store at before the lookup ends.
@Suite struct LookupFinalRoundTests {
    /// Four contacts, closest to the target first, and a lookup of K = 2, ALPHA = 2 with one spare.
    private func lookup(seed: UInt64, spares: Int = 1) -> (Lookup, [Contact]) {
        var generator = SeededGenerator(seed: seed)
        let target = NodeID.random(using: &generator)
        let contacts = (0..<4).map { Contact(id: NodeID.random(using: &generator), address: .loopback(port: UInt16(60 + $0))) }
            .sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }
        return (Lookup(target: target, k: 2, alpha: 2, spares: spares, seeds: contacts), contacts)
    }

    /// The same lookup once the closest has answered and the spare has gone out, the second
    /// closest still out.
    private func lookupAskingItsSpare(seed: UInt64) -> (Lookup, [Contact]) {
        var (lookup, contacts) = lookup(seed: seed)
        _ = lookup.next()
        _ = lookup.next()
        lookup.onResponse(from: contacts[0].id, closer: [])
        #expect(lookup.next() == .query(contacts[2]))
        return (lookup, contacts)
    }

    @Test func aSpareIsAskedOnlyInTheFinalRoundAndOnlyWhileOneOfTheKIsOut() {
        var (lookup, contacts) = lookup(seed: 31)
        #expect(lookup.next() == .query(contacts[0]))
        #expect(lookup.next() == .query(contacts[1]))
        #expect(lookup.next() == .wait, "before the closest answers, ALPHA bounds the queries and no spare goes out")
        lookup.onResponse(from: contacts[0].id, closer: [])
        #expect(lookup.next() == .query(contacts[2]), "the closest answered and one of the K is out: the spare is asked")
        #expect(lookup.next() == .wait, "one spare, not two")
        lookup.onResponse(from: contacts[1].id, closer: [])
        #expect(lookup.next() == .finished, "the K closest answered: the spare still out is not waited for")
        #expect(lookup.closestResponded == [contacts[0], contacts[1]])
        #expect(lookup.queried == 3)
    }

    @Test func aSpareThatAnsweredTakesTheStalledOnesPlaceAtOnce() {
        var (lookup, contacts) = lookupAskingItsSpare(seed: 32)
        lookup.onResponse(from: contacts[2].id, closer: [])
        #expect(lookup.next() == .wait, "the second closest is still out")
        lookup.onStalled(contacts[1].id)
        #expect(lookup.next() == .finished, "the spare has answered already: nothing more to ask or wait for")
        #expect(lookup.closestResponded == [contacts[0], contacts[2]])
    }

    @Test func withoutSparesTheFinalRoundAsksNoOneBeyondTheK() {
        var (lookup, contacts) = lookup(seed: 33, spares: 0)
        _ = lookup.next()
        _ = lookup.next()
        lookup.onResponse(from: contacts[0].id, closer: [])
        #expect(lookup.next() == .wait)
        lookup.onResponse(from: contacts[1].id, closer: [])
        #expect(lookup.next() == .finished)
        #expect(lookup.queried == 2)
    }

    @Test func theAnsweredNearestAreNamedOnlyOnceTheClosestStandingHasAnswered() {
        var (lookup, contacts) = lookup(seed: 34)
        #expect(lookup.answeredNearest.isEmpty)
        _ = lookup.next()
        _ = lookup.next()
        lookup.onResponse(from: contacts[1].id, closer: [])
        #expect(lookup.answeredNearest.isEmpty, "the closest has not answered: the K closest may still change a lot")
        lookup.onResponse(from: contacts[0].id, closer: [])
        #expect(lookup.answeredNearest == [contacts[0], contacts[1]])
        lookup.onFailure(from: contacts[1].id)
        #expect(lookup.answeredNearest == [contacts[0], contacts[1]], "a failure after an answer changes nothing")
    }

    @Test func aStalledContactLeavesTheAnsweredNearestAndALaterAnswerBringsItBack() {
        var (lookup, contacts) = lookupAskingItsSpare(seed: 35)
        lookup.onStalled(contacts[1].id)
        lookup.onResponse(from: contacts[2].id, closer: [])
        #expect(lookup.answeredNearest == [contacts[0], contacts[2]], "the spare stands in for the stalled one")
        #expect(lookup.isAnsweredNearest(contacts[2].id) && !lookup.isAnsweredNearest(contacts[1].id))
        lookup.onResponse(from: contacts[1].id, closer: [])
        #expect(lookup.answeredNearest == [contacts[0], contacts[1]], "its late answer gives it its place back")
    }
}
