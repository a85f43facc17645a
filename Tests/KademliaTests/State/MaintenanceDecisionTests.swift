import Testing
@testable import KademliaCore
import KademliaTestKit

/// The node's upkeep decisions as values: state in, directive out, no network and no
/// clock but the `now` each call is given (`MaintenanceDirective.swift`, `LeavePlan.swift`,
/// `QueryPacing.swift`).
@Suite struct MaintenanceDecisionTests {
    private static let seedA = SocketAddress(ip: 0x0A00_0001, port: 6881)

    /// A state with `contacts` random contacts, each on a port of its own, seen at `start`.
    private func state(seed: UInt64, contacts: Int, configure: (inout NodeConfiguration) -> Void = { _ in })
        -> (NodeState, [Contact], SeededGenerator) {
        var generator = SeededGenerator(seed: seed)
        var state = makeTestState(randomSeed: seed, localID: NodeID.random(using: &generator), configure: configure)
        var added: [Contact] = []
        for index in 0..<contacts {
            let contact = peer(NodeID.random(using: &generator), port: UInt16(5000 + index))
            if case .added = state.routingTable.insert(contact, now: start) { added.append(contact) }
        }
        return (state, added, generator)
    }

    @Test func nothingIsDueBeforeItsTimeOrOnceStopped() {
        var (state, _, _) = state(seed: 1, contacts: 20)
        let first = state.takeDueMaintenance(now: start)
        #expect(first.nextDue.map { $0 > start && $0 <= start + NodeState.maintenanceCeiling } == true)
        #expect(state.takeDueMaintenance(now: start + .milliseconds(1)).nextDue == nil, "not yet due")
        state.stopped = true
        #expect(state.takeDueMaintenance(now: start + .seconds(3600)).nextDue == nil, "a stopped node does nothing")
    }

    @Test func expiredValuesAreDroppedAndCounted() {
        var (state, _, _) = state(seed: 2, contacts: 0)
        for index in 0..<1000 {
            _ = state.store.store(bytes("v\(index)"), seq: 0, for: NodeID(key: "k\(index)"), key: nil,
                                  ttl: index < 400 ? .seconds(60) : nil, now: start)
        }
        let due = state.takeDueMaintenance(now: start + .seconds(61))
        #expect(due.expired == 400)
        #expect(state.store.count == 600)
    }

    @Test func aLongGapResyncsEveryValueHeld() {
        var (state, _, _) = state(seed: 3, contacts: 10)
        for index in 0..<2000 { _ = state.store.store(bytes("v"), seq: 0, for: NodeID(key: "k\(index)"), now: start) }
        let soon = state.takeDueMaintenance(now: start + .seconds(1))
        #expect(!soon.resync && soon.replications.isEmpty, "a value stored now is not yet due")
        let afterSleep = state.takeDueMaintenance(now: start + NodeState.resyncAfter + .seconds(1))
        #expect(afterSleep.resync)
        #expect(Set(afterSleep.replications).count == 2000)
    }

    @Test func quietContactsArePingedOnceAtMostSixteenAPass() {
        var (state, contacts, _) = state(seed: 4, contacts: 120)
        #expect(contacts.count > 2 * NodeState.questionablePingsPerPass, "enough for several passes: \(contacts.count)")
        let quiet = start + state.configuration.questionableAfter + .seconds(1)
        var challenged = Set<NodeID>()
        var passes = 0
        while challenged.count < contacts.count, passes < 10 {
            state.nextMaintenance = quiet
            let due = state.takeDueMaintenance(now: quiet)
            #expect(due.questionable.count <= NodeState.questionablePingsPerPass)
            for contact in due.questionable { #expect(challenged.insert(contact.id).inserted, "pinged twice") }
            passes += 1
        }
        #expect(challenged == Set(contacts.map(\.id)), "every quiet contact is pinged in time")
        #expect(passes == (contacts.count + 15) / 16)
    }

    /// A holder pings, three times as often, its own K nearest and the K closest of each
    /// replica it holds (they hold the same keys), and a cached copy adds nobody.
    @Test func aHolderChecksItsNeighboursAndEachReplicasClosestThreeTimesAsOften() {
        var (state, contacts, _) = state(seed: 5, contacts: 40)
        let k = state.configuration.k
        let third = start + state.configuration.questionableAfter / 3 + .seconds(1)
        #expect(state.takeDueMaintenance(now: third).questionable.isEmpty, "holding nothing, nobody is quiet yet")
        let (replica, cached) = (NodeID(key: "held"), NodeID(key: "cached"))
        _ = state.store.store(bytes("v"), seq: 0, for: replica, now: start)
        _ = state.store.store(bytes("c"), seq: 0, for: cached, now: start, asReplica: false)
        state.nextMaintenance = third
        let due = state.takeDueMaintenance(now: third)
        func closest(to target: NodeID) -> Set<NodeID> {
            Set(contacts.map(\.id).sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(k))
        }
        let expected = closest(to: state.localID).union(closest(to: replica))
        #expect(expected.count > k, "the key's closest are not all this node's nearest")
        #expect(Set(due.questionable.map(\.id)) == expected)
        #expect(due.questionable.count == expected.count, "each pinged once")
    }

    /// The walk over every replica's K closest runs at most once per spacing, however often
    /// passes come (for thousands of values, several a second); its own K nearest, each pass.
    @Test func theReplicasClosestAreCheckedAtMostOncePerSpacing() {
        var (state, contacts, _) = state(seed: 8, contacts: 40)
        let k = state.configuration.k
        let replica = NodeID(key: "held")
        _ = state.store.store(bytes("v"), seq: 0, for: replica, now: start)
        let first = start + state.configuration.questionableAfter / 3 + .seconds(1)
        func pass(at now: Timestamp) -> Set<NodeID> {
            state.challenged = []
            state.nextMaintenance = now
            return Set(state.takeDueMaintenance(now: now).questionable.map(\.id))
        }
        let ranked = { (target: NodeID) in Set(contacts.map(\.id).sorted { $0.distance(to: target) < $1.distance(to: target) }.prefix(k)) }
        let (own, keys) = (ranked(state.localID), ranked(replica))
        #expect(pass(at: first) == own.union(keys))
        #expect(pass(at: first + .seconds(5)) == own, "within the spacing: its own nearest only")
        #expect(pass(at: first + NodeState.replicaNeighbourCheckSpacing) == own.union(keys))
    }

    @Test func aShortTableRejoinsThroughItsSeedsWithBackoff() {
        var (state, _, _) = state(seed: 6, contacts: 3)
        state.rejoin.remember([Self.seedA], now: start)
        let early = state.takeDueMaintenance(now: start)
        #expect(early.rejoinThrough.isEmpty, "the first retry waits its initial delay")
        let retry = start + state.configuration.rejoinInitialDelay
        #expect(early.nextDue.map { $0 <= retry } == true, "maintenance wakes for the retry")
        state.nextMaintenance = retry
        #expect(state.takeDueMaintenance(now: retry).rejoinThrough == [Self.seedA])
    }

    @Test func theLeavePlanOffersEachValueToTheNearestOutsideItsKClosest() {
        var (state, contacts, generator) = state(seed: 7, contacts: 200)
        let k = state.configuration.k
        var targets: [NodeID] = []
        for _ in 0..<500 {
            let target = NodeID.random(using: &generator)
            _ = state.store.store(bytes("v"), seq: 0, for: target, now: start)
            targets.append(target)
        }
        let plan = state.leavePlan(now: start)
        #expect(plan.count == 500)
        let everyone = contacts.map(\.id) + [state.localID]
        for handOff in plan {
            // Oracle: rank everyone, this node included, by distance; once it is gone, the
            // candidates are the nearest that were not already among the K closest.
            let ranked = everyone.sorted { $0.distance(to: handOff.target) < $1.distance(to: handOff.target) }
            let afterLeaving = ranked.filter { $0 != state.localID }
            let closestBefore = Set(ranked.prefix(k))
            let expected = afterLeaving.filter { !closestBefore.contains($0) }.prefix(NodeState.leaveCandidates)
            #expect(handOff.candidates.map(\.id) == Array(expected))
        }
    }

    @Test func aFullPendingTableOrAStoppedNodeRefusesAQuery() {
        var (state, _, _) = state(seed: 8, contacts: 0) { $0.limits.maxPendingQueries = 3 }
        let destination = SocketAddress(ip: 0x0A00_0009, port: 7000)
        for _ in 0..<3 {
            #expect(state.reserveQuery(to: destination, paced: false, notBefore: nil, now: start, completion: { _ in }) != nil)
        }
        #expect(state.reserveQuery(to: destination, paced: false, notBefore: nil, now: start, completion: { _ in }) == nil)
        var stopped = self.state(seed: 9, contacts: 0).0
        stopped.stopped = true
        #expect(stopped.reserveQuery(to: destination, paced: false, notBefore: nil, now: start, completion: { _ in }) == nil)
    }

    @Test func pacingSpreadsABurstToOneHostAndRefusesPastTheLongestDelay() {
        var (state, _, _) = state(seed: 10, contacts: 0)
        let limits = state.configuration.limits
        let destination = SocketAddress(ip: 0x0A00_0009, port: 7000)
        var sendTimes: [Timestamp] = []
        while let reserved = state.reserveQuery(to: destination, paced: true, notBefore: nil, now: start, completion: { _ in }) {
            sendTimes.append(reserved.sendAt)
            if sendTimes.count > 1000 { break }
        }
        let immediate = sendTimes.filter { $0 == start }.count
        #expect(immediate == Int(limits.queryBurstToHost), "the burst goes at once")
        let last = sendTimes.last ?? start
        #expect(last <= start + limits.maxPacingDelay, "none is scheduled past the longest delay")
        let expected = Int(limits.queryBurstToHost + limits.queriesPerSecondToHost * 30)
        #expect(abs(sendTimes.count - expected) <= 1, "the rest at the host's rate: \(sendTimes.count)")
        let other = SocketAddress(ip: 0x0A00_000A, port: 7000)
        let later = state.reserveQuery(to: other, paced: true, notBefore: start + .seconds(90), now: start, completion: { _ in })
        #expect(later?.sendAt == start + .seconds(90), "another host's budget is its own; notBefore holds")
    }

    @Test func busyAnswersBackOffDoublingWithinJitterUpToTheCeiling() {
        var (state, _, _) = state(seed: 11, contacts: 0)
        let destination = SocketAddress(ip: 0x0A00_0009, port: 7000)
        for attempt in 0..<12 {
            let base = min(NodeState.busyBackoff * (1 << attempt), NodeState.busyBackoffCeiling)
            for _ in 0..<50 {
                let wait = state.busyRetryDelay(after: attempt, to: destination, cause: .user)
                #expect(wait >= base * 0.5 && wait <= base * 1.5, "attempt \(attempt): \(wait)")
            }
        }
        #expect(NodeState.busyRetries(for: .data) > NodeState.busyRetries(for: .user))
    }
}
