import Testing
@testable import Kademlia
@testable import KademliaCore

/// The lookup state machine stepped by hand, one reply at a time.
@Suite struct LookupTests {
    @Test func waitsWhenAlphaAreInFlightAndExcludesLocal() {
        var generator = SeededGenerator(seed: 9)
        let target = NodeID.random(using: &generator)
        let local = Contact(id: target, address: .loopback(port: 1))
        let seeds = (0..<5).map { Contact(id: NodeID.random(using: &generator), address: .loopback(port: UInt16(10 + $0))) }
        var lookup = Lookup(target: target, seeds: [local] + seeds, excluding: local.id)
        #expect(lookup.progress(of: local.id) == nil)
        var sent = [Contact]()
        for _ in 0..<3 {
            guard case .query(let contact) = lookup.next() else { Issue.record("expected a query"); return }
            sent.append(contact)
        }
        #expect(lookup.next() == .wait)
        #expect(lookup.inFlight == 3)
        #expect(sent == Array(seeds.sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }.prefix(3)))
        lookup.onResponse(from: sent[0].id, closer: [local])
        #expect(lookup.progress(of: local.id) == nil, "a reply naming the local id adds nothing")
        guard case .query(let fourth) = lookup.next() else { Issue.record("a reply frees a slot"); return }
        #expect(fourth != local && !sent.contains(fourth))
    }

    @Test func stalledQueryFreesSlotAndMayStillAnswer() throws {
        var generator = SeededGenerator(seed: 10)
        let target = NodeID.random(using: &generator)
        let seeds = (0..<5).map { Contact(id: NodeID.random(using: &generator), address: .loopback(port: UInt16(20 + $0))) }
        var lookup = Lookup(target: target, seeds: seeds)
        var sent = [Contact]()
        while case .query(let contact) = lookup.next() { sent.append(contact) }
        #expect(sent.count == 3)
        lookup.onStalled(sent[0].id)
        #expect(lookup.progress(of: sent[0].id) == .stalled)
        #expect(lookup.inFlight == 2)
        lookup.onStalled(sent[0].id)
        #expect(lookup.inFlight == 2, "stalling twice frees only one slot")
        guard case .query(let fourth) = lookup.next() else { Issue.record("stall should free a slot"); return }
        #expect(!sent.contains(fourth))
        #expect(lookup.next() == .wait)
        lookup.onResponse(from: sent[0].id, closer: [])
        #expect(lookup.progress(of: sent[0].id) == .responded)
        #expect(lookup.inFlight == 3, "a stalled reply does not free a second slot")
        #expect(lookup.closestResponded.contains(sent[0]))
    }

    @Test func closestStandingSkipsContactsThatFailedOrStalled() {
        var generator = SeededGenerator(seed: 12)
        let target = NodeID.random(using: &generator)
        let seeds = (0..<4).map { Contact(id: NodeID.random(using: &generator), address: .loopback(port: UInt16(40 + $0))) }
            .sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }
        var lookup = Lookup(target: target, seeds: seeds)
        #expect(lookup.closestStanding == seeds[0], "an unqueried contact still stands")
        while case .query = lookup.next() {}
        lookup.onFailure(from: seeds[0].id)
        #expect(lookup.closestStanding == seeds[1])
        lookup.onStalled(seeds[1].id)
        #expect(lookup.closestStanding == seeds[2])
        lookup.onResponse(from: seeds[1].id, closer: [])
        #expect(lookup.closestStanding == seeds[1], "a stalled contact that answers takes its place back")
    }

    @Test func stalledContactGivesUpItsPlaceAmongTheKClosest() {
        let target = NodeID.zero
        let (a, b, c) = (Contact(id: NodeID(high: 0, middle: 0, low: 1), address: .loopback(port: 1)),
                         Contact(id: NodeID(high: 0, middle: 0, low: 2), address: .loopback(port: 2)),
                         Contact(id: NodeID(high: 0, middle: 0, low: 3), address: .loopback(port: 3)))
        var lookup = Lookup(target: target, k: 2, alpha: 2, seeds: [c, b, a])
        #expect(lookup.next() == .query(a))
        #expect(lookup.next() == .query(b))
        #expect(lookup.next() == .wait)
        lookup.onStalled(a.id)
        #expect(lookup.next() == .query(c), "the stalled closest no longer holds a place")
        lookup.onResponse(from: b.id, closer: [])
        lookup.onResponse(from: c.id, closer: [])
        #expect(lookup.isFinished, "a silent contact does not hold the lookup up")
        #expect(lookup.next() == .finished)
        #expect(lookup.closestResponded == [b, c])
        lookup.onResponse(from: a.id, closer: [])
        #expect(lookup.closestResponded == [a, b], "a late answer takes its place back")
        #expect(lookup.next() == .finished)
    }

    @Test func aStalledOnlyContactIsWaitedForAndItsAnswerCarriesTheLookupOn() {
        // A host on a slow link stalls on every query; joining through one seed, its
        // lookup once ended the moment the seed stalled, so it never learned anyone.
        let target = NodeID.zero
        let seed = Contact(id: NodeID(high: 0, middle: 0, low: 9), address: .loopback(port: 1))
        let nearer = Contact(id: NodeID(high: 0, middle: 0, low: 1), address: .loopback(port: 2))
        var lookup = Lookup(target: target, k: 2, alpha: 2, seeds: [seed])
        #expect(lookup.next() == .query(seed))
        lookup.onStalled(seed.id)
        #expect(lookup.stalled == 1)
        #expect(lookup.next() == .wait, "nobody else to ask: wait for the slow answer")
        lookup.onResponse(from: seed.id, closer: [nearer])
        #expect(lookup.stalled == 0)
        #expect(lookup.next() == .query(nearer))
        lookup.onStalled(nearer.id)
        #expect(lookup.next() == .finished, "once someone has answered, a stall frees the lookup as before")
        var silent = Lookup(target: target, k: 2, alpha: 2, seeds: [nearer])
        #expect(silent.next() == .query(nearer))
        silent.onStalled(nearer.id)
        silent.onFailure(from: nearer.id)
        #expect(silent.next() == .finished, "a stalled query that fails ends the wait")
    }

    @Test func duplicateLateAndUnsolicitedRepliesChangeNothing() {
        var generator = SeededGenerator(seed: 11)
        let target = NodeID.random(using: &generator)
        let seeds = (0..<4).map { Contact(id: NodeID.random(using: &generator), address: .loopback(port: UInt16(30 + $0))) }
        let stranger = Contact(id: NodeID.random(using: &generator), address: .loopback(port: 99))
        var lookup = Lookup(target: target, k: 2, alpha: 2, seeds: seeds)
        guard case .query(let first) = lookup.next(), case .query(let second) = lookup.next() else {
            Issue.record("expected two queries"); return
        }
        let unqueried = seeds.first { $0 != first && $0 != second }
        lookup.onResponse(from: first.id, closer: [])
        lookup.onResponse(from: first.id, closer: [stranger])
        #expect(lookup.progress(of: stranger.id) == nil, "a duplicate reply adds no contacts")
        lookup.onFailure(from: first.id)
        #expect(lookup.progress(of: first.id) == .responded, "a late failure does not undo a reply")
        lookup.onFailure(from: second.id)
        lookup.onResponse(from: second.id, closer: [stranger])
        #expect(lookup.progress(of: second.id) == .failed)
        #expect(lookup.progress(of: stranger.id) == nil)
        if let unqueried {
            lookup.onResponse(from: unqueried.id, closer: [stranger])
            #expect(lookup.progress(of: unqueried.id) == .unqueried, "an unsolicited reply is ignored")
        }
        lookup.onResponse(from: stranger.id, closer: seeds)
        #expect(lookup.inFlight == 0)
        #expect(lookup.closestResponded == [first])
    }

    @Test func finishesOnceKClosestAnsweredWithoutQueryingFartherOnes() {
        var generator = SeededGenerator(seed: 12)
        let target = NodeID.random(using: &generator)
        let seeds = (0..<10).map { Contact(id: NodeID.random(using: &generator), address: .loopback(port: UInt16(40 + $0))) }
        var lookup = Lookup(target: target, k: 3, alpha: 3, seeds: seeds)
        var sent = [Contact]()
        while case .query(let contact) = lookup.next() { sent.append(contact) }
        for contact in sent { lookup.onResponse(from: contact.id, closer: []) }
        #expect(lookup.next() == .finished)
        #expect(lookup.queried == 3)
        #expect(Lookup(target: target, seeds: [] as [Contact]).isFinished)
        var empty = Lookup(target: target, seeds: [] as [Contact])
        #expect(empty.next() == .finished)
    }

    @Test func hopsCountTheChainOfReferrals() throws {
        let target = NodeID.zero
        let far = Contact(id: NodeID(high: 1 << 60, middle: 0, low: 0), address: .loopback(port: 1))
        let middle = Contact(id: NodeID(high: 1 << 30, middle: 0, low: 0), address: .loopback(port: 2))
        let near = Contact(id: NodeID(high: 0, middle: 1, low: 0), address: .loopback(port: 3))
        var lookup = Lookup(target: target, seeds: [far])
        #expect(lookup.next() == .query(far))
        lookup.onResponse(from: far.id, closer: [middle])
        #expect(lookup.next() == .query(middle))
        lookup.onResponse(from: middle.id, closer: [near, far])
        #expect(lookup.next() == .query(near))
        lookup.onResponse(from: near.id, closer: [middle])
        #expect(lookup.next() == .finished)
        #expect(lookup.closestResponded == [near, middle, far])
        #expect(lookup.hops == 2)
    }
}
