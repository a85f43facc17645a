import Testing
@testable import KademliaCore
import KademliaTestKit

/// A hand-off left to another holder falls to the next when that holder leaves the table
/// (`HandOffWatch`, `NodeState.handOffsFallenToUs`), and is taken as done when it stays.
@Suite struct HandOffWatchTests {
    /// A holder of `target` whose table has another holder nearer a newcomer (last heard
    /// `designeeSeen` before `now`) and a third contact: the state, the target, the other
    /// holder, the third contact and the newcomer.
    private func holderBesideAnother(designeeSeen: Duration, now: Timestamp) -> (NodeState, NodeID, Contact, Contact, Contact) {
        var generator = SeededGenerator(seed: 0x4A7C)
        let target = NodeID.random(using: &generator)
        // A lower bucket index is nearer the target, and so nearer the newcomer beside it.
        var state = makeTestState(randomSeed: 3, localID: target.randomID(inBucket: 20, using: &generator))
        let designee = peer(target.randomID(inBucket: 10, using: &generator), port: 4001)
        let bystander = peer(target.randomID(inBucket: 30, using: &generator), port: 4003)
        let newcomer = peer(target.randomID(inBucket: 5, using: &generator), port: 4002)
        _ = state.routingTable.insert(designee, now: now - designeeSeen)
        _ = state.routingTable.insert(bystander, now: now)
        _ = state.store.store(bytes("v"), seq: 0, for: target, now: now)
        state.store.markReplica(target)
        return (state, target, designee, bystander, newcomer)
    }

    /// Two unanswered queries: the failure limit, so `contact` leaves the table.
    private func drop(_ contact: Contact, from state: inout NodeState, at now: Timestamp) {
        _ = state.recordTimeout(of: contact.id, now: now)
        _ = state.recordTimeout(of: contact.id, now: now)
        #expect(state.routingTable.entry(for: contact.id) == nil)
    }

    @Test func aHandOffLeftToAHolderThatGoesBadFallsToTheNext() {
        let now = start + .seconds(3600)
        var (state, target, designee, bystander, newcomer) = holderBesideAnother(designeeSeen: .seconds(30), now: now)
        #expect(state.observe(newcomer, now: now).handOff.isEmpty, "the live holder nearer the newcomer hands it over")
        #expect(state.handOffWatch.count == 1)
        drop(bystander, from: &state, at: now + .seconds(60))
        #expect(state.handOffsFallenToUs(afterLosing: bystander.id, now: now + .seconds(60)).isEmpty, "not the designee")
        drop(designee, from: &state, at: now + .seconds(120))
        let fallen = state.handOffsFallenToUs(afterLosing: designee.id, now: now + .seconds(120))
        #expect(fallen.map(\.newcomer) == [newcomer] && fallen.map(\.targets) == [[target]])
        #expect(state.handOffsFallenToUs(afterLosing: designee.id, now: now + .seconds(121)).isEmpty, "handed over once")
    }

    @Test func theWatchEndsAndAQuietHolderIsPassedOverAtOnce() {
        let now = start + .seconds(3600)
        var (watching, _, designee, _, newcomer) = holderBesideAnother(designeeSeen: .seconds(30), now: now)
        _ = watching.observe(newcomer, now: now)
        let late = now + watching.handOffWatchTime + .seconds(1)
        drop(designee, from: &watching, at: late)
        #expect(watching.handOffsFallenToUs(afterLosing: designee.id, now: late).isEmpty, "past the watch, replication covers it")

        var (passing, target, _, _, arriving) = holderBesideAnother(designeeSeen: .seconds(400), now: now)
        #expect(passing.observe(arriving, now: now).handOff == [target], "a holder quiet 400 s is not known live")
        #expect(passing.handOffWatch.count == 0)
    }

    @Test func aWatchThatEndsWithItsDesigneeStandingPresumesTheHandOffDone() {
        let now = start + .seconds(3600)
        var (state, target, _, _, newcomer) = holderBesideAnother(designeeSeen: .seconds(30), now: now)
        _ = state.observe(newcomer, now: now)
        #expect(state.dueHandOffRetries(now: now + .seconds(1)).isEmpty)
        #expect(state.store.presumedHolders(of: target, since: now).isEmpty, "not before the watch ends")
        let ended = now + state.handOffWatchTime + .seconds(1)
        _ = state.dueHandOffRetries(now: ended)
        #expect(state.handOffWatch.count == 0)
        #expect(state.store.presumedHolders(of: target, since: ended) == [newcomer.id],
                "the round that follows does not offer the key to it again")
        #expect(!state.store.isKnownHolder(newcomer.id, of: target), "presumed, not confirmed: hand-offs and repairs still ask")

        var (leaving, held, _, _, gone) = holderBesideAnother(designeeSeen: .seconds(30), now: now)
        _ = leaving.observe(gone, now: now)
        drop(gone, from: &leaving, at: now + .seconds(60))
        _ = leaving.dueHandOffRetries(now: ended)
        #expect(leaving.store.presumedHolders(of: held, since: now).isEmpty, "a newcomer gone from the table is not counted")
    }

    @Test func aNewcomerStillAwaitingItsOwnHandOffIsPassedOver() {
        let now = start + .seconds(3600)
        var (awaiting, target, designee, bystander, newcomer) = holderBesideAnother(designeeSeen: .seconds(30), now: now)
        awaiting.handOffWatch.watch(designee, for: [target], leftTo: bystander.id, until: now + .seconds(600))
        #expect(awaiting.observe(newcomer, now: now).handOff == [target], "the contact nearer the newcomer may lack the key")

        var (confirmed, _, holder, third, arriving) = holderBesideAnother(designeeSeen: .seconds(30), now: now)
        confirmed.handOffWatch.watch(holder, for: [target], leftTo: third.id, until: now + .seconds(600))
        confirmed.store.confirm(holder.id, holds: target, now: now)
        #expect(confirmed.observe(arriving, now: now).handOff.isEmpty, "confirmed holding it, it hands the key on")
    }

    @Test func theDesigneeIsTheLiveHolderNearestTheNewcomer() {
        var generator = SeededGenerator(seed: 0x4A7D)
        let target = NodeID.random(using: &generator)
        let ids = (0..<10).map { target.randomID(inBucket: 20 + 2 * $0, using: &generator) }
        let newcomer = target.randomID(inBucket: 3, using: &generator)
        for local in ids.prefix(8) {
            let known = ids.filter { $0 != local }
            let dead: Set<NodeID> = [ids[0], ids[2]]
            let expected = (ids.prefix(8).filter { $0 == local || !dead.contains($0) })
                .min { $0.distance(to: newcomer) < $1.distance(to: newcomer) }
            #expect(HandOffRule.designee(target, to: newcomer, localID: local, known: known, k: 8,
                                         isLive: { !dead.contains($0) }) == expected)
            #expect(HandOffRule.shouldHandOff(target, to: newcomer, localID: local, known: known, k: 8,
                                              isLive: { !dead.contains($0) }) == (expected == local))
        }
        #expect(HandOffRule.designee(target, to: newcomer, localID: ids[9], known: Array(ids.prefix(9)), k: 8, isLive: { _ in true }) == nil,
                "a node outside the K closest hands nothing")
    }

    @Test func presumptionsAreKSizedAndForgottenOnceOld() {
        var generator = SeededGenerator(seed: 0x5E7B)
        let target = NodeID.random(using: &generator)
        var state = makeTestState(randomSeed: 5, localID: target.randomID(inBucket: 150, using: &generator))
        let now = start + .seconds(7200)
        _ = state.store.store(bytes("v"), seq: 0, for: target, now: now)
        let newcomers = (0..<10).map { _ in target.randomID(inBucket: 120, using: &generator) }
        for (index, newcomer) in newcomers.enumerated() {
            state.store.presume(newcomer, holds: target, now: now + .seconds(index), limit: 8)
        }
        #expect(state.store.presumedHolders(of: target, since: now) == Set(newcomers.suffix(8)), "the oldest go past K")
        #expect(!state.store.isKnownHolder(newcomers[9], of: target), "presumed is not confirmed")
        #expect(state.store.presumedHolders(of: target, since: now + .seconds(4)).count == 6)
        #expect(state.holdersSparedOffers(of: target, now: now + .seconds(4) + state.confirmationSkipsOffers).count == 6,
                "spared the round's offer as long as a confirmation")
        let farther = target.randomID(inBucket: 155, using: &generator)
        state.store.presume(farther, holds: target, now: now + .seconds(10), limit: 8)
        #expect(!state.holdersSparedOffers(of: target, now: now + .seconds(10)).contains(farther),
                "a member farther from the key is still offered it: the offer puts its own round off")
        #expect(state.store.presumedHolders(of: target, since: now + .seconds(60)).isEmpty)
        #expect(state.store.entries[target]?.presumedHolders.isEmpty == true, "what is past is forgotten as it is read")
    }
}
