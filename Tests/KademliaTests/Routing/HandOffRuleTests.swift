import Testing
@testable import Kademlia
@testable import KademliaCore

private let k = 8

/// `ids` nearest `target` first.
private func byDistance(_ ids: [NodeID], to target: NodeID) -> [NodeID] {
    ids.sorted { $0.distance(to: target) < $1.distance(to: target) }
}

/// Whether `id` is among the `k` closest to `target` of `everyone` (which includes it), by sorting.
private func ranksAmongClosest(_ id: NodeID, of everyone: [NodeID], to target: NodeID) -> Bool {
    byDistance(everyone, to: target).prefix(k).contains(id)
}

private func contact(_ id: NodeID, _ index: Int) -> Contact {
    Contact(id: id, address: SocketAddress(ip: 0x0A00_0000 | UInt32(index), port: 7000))
}

/// An id within 2^24 of `target`: nearer it than any random id is, all but surely.
private func nearest(to target: NodeID, _ generator: inout SeededGenerator) -> NodeID {
    target.randomID(inBucket: Int.random(in: 0..<24, using: &generator), using: &generator)
}

@Suite struct HandOffRuleTests {
    @Test func shouldHandOffMatchesABruteForceOracle() {
        var generator = SeededGenerator(seed: 0x4A4D)
        var handOffs = 0
        for trial in 0..<3000 {
            let target = NodeID.random(using: &generator)
            let local = NodeID.random(using: &generator)
            let newcomer = NodeID.random(using: &generator)
            let known = (0..<Int.random(in: 0...12, using: &generator)).map { _ in NodeID.random(using: &generator) }
            // Sometimes put the local node very near the target, so both branches are exercised.
            let localID = trial % 3 == 0 ? nearest(to: target, &generator) : local
            // The holders are the K closest of the local node and the known; the one of them
            // nearest the newcomer hands off.
            let holderSet = byDistance(known + [localID], to: target).prefix(k)
            let nearestHolderToNewcomer = byDistance(Array(holderSet), to: newcomer).first
            let newcomerClose = ranksAmongClosest(newcomer, of: known + [localID, newcomer], to: target)
            let expected = nearestHolderToNewcomer == localID && newcomerClose
            #expect(HandOffRule.shouldHandOff(target, to: newcomer, localID: localID, known: known, k: k) == expected,
                    "trial \(trial)")
            handOffs += expected ? 1 : 0
        }
        #expect(handOffs > 300 && handOffs < 2700, "both outcomes exercised: \(handOffs)")
    }

    @Test func isAmongClosestMatchesSorting() {
        var generator = SeededGenerator(seed: 0xA3)
        for trial in 0..<2000 {
            let target = NodeID.random(using: &generator)
            let local = NodeID.random(using: &generator)
            let known = (0..<Int.random(in: 0...20, using: &generator)).map { _ in NodeID.random(using: &generator) }
            let expected = ranksAmongClosest(local, of: known + [local], to: target)
            #expect(HandOffRule.isAmongClosest(target, localID: local, known: known, k: k) == expected, "trial \(trial)")
        }
    }

    @Test func replicationPlanOffersToTheRightNeighbours() {
        var generator = SeededGenerator(seed: 0x9F)
        var sawBoth = (among: false, outside: false)
        for trial in 0..<1000 {
            let target = NodeID.random(using: &generator)
            let local = trial % 2 == 0 ? nearest(to: target, &generator) : NodeID.random(using: &generator)
            let others = (0..<Int.random(in: 0...(2 * k), using: &generator)).map { contact(NodeID.random(using: &generator), $0) }
            // The table's answer may include the local node; the plan must leave it out.
            let known = (others + [contact(local, 999)]).shuffled(using: &generator)
            let plan = ReplicationPlan(target: target, localID: local, known: known, k: k)
            let among = ranksAmongClosest(local, of: others.map(\.id) + [local], to: target)
            let sorted = byDistance(others.map(\.id), to: target)
            #expect(plan.localIsAmongClosest == among, "trial \(trial)")
            #expect(plan.closest.map(\.id) == Array(sorted.prefix(among ? k - 1 : k)), "trial \(trial)")
            if among { sawBoth.among = true } else { sawBoth.outside = true }
            // mayDrop: only outside the K closest, and only once every one of them holds it.
            let all = Set(plan.closest.map(\.id))
            #expect(plan.mayDrop(confirmed: all) == (!among && !all.isEmpty), "trial \(trial)")
            #expect(plan.mayDrop(confirmed: all.union([local, target])) == (!among && !all.isEmpty))
            if let first = plan.closest.first {
                #expect(!plan.mayDrop(confirmed: all.subtracting([first.id])))
                #expect(!plan.mayDrop(confirmed: all.subtracting([plan.closest.last!.id])))
            }
            #expect(!plan.mayDrop(confirmed: []))
        }
        #expect(sawBoth.among && sawBoth.outside)
    }

    @Test(arguments: [1, 2, 3, 20, 200])
    func exactlyOneHolderHandsOffIffTheNewcomerJoinsTheKClosest(population: Int) {
        var generator = SeededGenerator(seed: UInt64(population) &* 31)
        var joined = 0
        for round in 0..<150 {
            let target = NodeID.random(using: &generator)
            let nodes = (0..<population).map { _ in NodeID.random(using: &generator) }
            // Every other round the newcomer lands very near the key, so it joins the K closest.
            let newcomer = round % 2 == 0 ? nearest(to: target, &generator) : NodeID.random(using: &generator)
            let holders = byDistance(nodes, to: target).prefix(k)
            let joins = ranksAmongClosest(newcomer, of: nodes + [newcomer], to: target)
            var handingOff: [NodeID] = []
            for holder in holders {
                let everyoneElse = nodes.filter { $0 != holder }
                let full = HandOffRule.shouldHandOff(target, to: newcomer, localID: holder, known: everyoneElse, k: k)
                // What a node's table gives it: the K+1 others nearest the target.
                let table = Array(byDistance(everyoneElse, to: target).prefix(k + 1))
                #expect(HandOffRule.shouldHandOff(target, to: newcomer, localID: holder, known: table, k: k) == full)
                if full { handingOff.append(holder) }
            }
            #expect(handingOff.count == (joins ? 1 : 0), "round \(round): \(handingOff.count) holders hand off")
            if joins {
                #expect(handingOff == [byDistance(Array(holders), to: newcomer).first!], "the holder nearest the newcomer is the one")
                joined += 1
            }
        }
        #expect(joined >= 75)
    }

    @Test func aRepairFallsToTheNearestHolderKnownLive() {
        var generator = SeededGenerator(seed: 2)
        let (a, b) = (NodeID.random(using: &generator), NodeID.random(using: &generator))
        #expect(HandOffRule.isOnDuty(nearerHolders: [], isLive: { _ in true }))
        #expect(HandOffRule.isOnDuty(nearerHolders: [a, b], isLive: { _ in false }), "every nearer holder died unnoticed")
        #expect(!HandOffRule.isOnDuty(nearerHolders: [a, b], isLive: { $0 == b }))
    }

    /// A holder that died unnoticed (not known live) does not take a newcomer's hand-off
    /// from the next nearest: the first live holder nearest the newcomer hands off.
    @Test func aHolderNotKnownLiveLeavesTheHandOffToTheNext() {
        var generator = SeededGenerator(seed: 0x4A4E)
        var checked = 0
        for _ in 0..<200 {
            let target = NodeID.random(using: &generator)
            // Wide buckets, so the ids are distinct: a narrow one has too few.
            let ids = Set((0...k).map { _ in target.randomID(inBucket: Int.random(in: 16..<48, using: &generator), using: &generator) })
            guard ids.count == k + 1 else { continue }
            let holders = Array(ids.dropFirst())
            let newcomer = ids.first!
            let byNewcomer = byDistance(holders, to: newcomer)
            let (first, second) = (byNewcomer[0], byNewcomer[1])
            func handsOff(_ holder: NodeID, isLive: (NodeID) -> Bool) -> Bool {
                HandOffRule.shouldHandOff(target, to: newcomer, localID: holder, known: holders.filter { $0 != holder }, k: k,
                                          isLive: isLive)
            }
            guard handsOff(first, isLive: { _ in true }) else { continue }
            checked += 1
            #expect(!handsOff(second, isLive: { _ in true }), "the nearest live holder has it")
            #expect(handsOff(second, isLive: { $0 != first }), "the nearest died unnoticed: the next hands off")
            #expect(holders.filter { $0 != first && handsOff($0, isLive: { $0 != first }) } == [second], "and only the next")
        }
        #expect(checked >= 100)
    }

    @Test func cacheLifetimeHalvesPerNodeBeyondTheKClosest() {
        let remaining: Duration = .seconds(86_400)
        for nearer in 0..<k {
            #expect(CachePolicy.lifetime(remaining: remaining, nearer: nearer, k: k) == remaining)
        }
        #expect(CachePolicy.lifetime(remaining: remaining, nearer: k, k: k) == .seconds(43_200))
        #expect(CachePolicy.lifetime(remaining: remaining, nearer: k + 1, k: k) == .seconds(21_600))
        #expect(CachePolicy.lifetime(remaining: remaining, nearer: k + 6, k: k) == .seconds(675))
        #expect(CachePolicy.lifetime(remaining: .seconds(3), nearer: k, k: k) == .milliseconds(1500))
        for extra in 0..<70 {
            let halved = CachePolicy.lifetime(remaining: remaining, nearer: k - 1 + extra, k: k)
            #expect(halved == .nanoseconds(extra >= 62 ? 0 : remaining.totalNanoseconds >> extra), "extra \(extra)")
        }
        #expect(CachePolicy.lifetime(remaining: remaining, nearer: 10_000, k: k) == .zero)
        #expect(CachePolicy.lifetime(remaining: remaining, nearer: .max, k: k) == .zero)
        #expect(CachePolicy.lifetime(remaining: .zero, nearer: 0, k: k) == .zero)
    }
}

@Suite struct CachePolicyEstimateTests {
    @Test func nodesNearerDoublesPerBucketBeyondTheNearestHolder() {
        var generator = SeededGenerator(seed: 0xCAC4E)
        let key = NodeID.random(using: &generator)
        let holder = key.randomID(inBucket: 100, using: &generator)
        #expect(CachePolicy.nodesNearer(than: key.randomID(inBucket: 100, using: &generator), holder: holder, key: key, answered: 2) == 2)
        #expect(CachePolicy.nodesNearer(than: key.randomID(inBucket: 99, using: &generator), holder: holder, key: key, answered: 3) == 3)
        #expect(CachePolicy.nodesNearer(than: key.randomID(inBucket: 104, using: &generator), holder: holder, key: key, answered: 1) == 15)
        #expect(CachePolicy.nodesNearer(than: key.randomID(inBucket: 159, using: &generator), holder: holder, key: key, answered: 1) == 1 << 30)
        // Three buckets out, about 7 nodes lie between: within the K closest, the copy keeps its full life.
        let near = CachePolicy.nodesNearer(than: key.randomID(inBucket: 103, using: &generator), holder: holder, key: key, answered: 1)
        #expect(CachePolicy.lifetime(remaining: .seconds(100), nearer: near, k: 8) == .seconds(100))
    }
}
