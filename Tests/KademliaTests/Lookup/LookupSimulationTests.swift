import Testing
@testable import Kademlia
@testable import KademliaCore


/// A network of nodes simulated in pure code: each answers a lookup from its own
/// knowledge, and the dead ones never answer.
private struct World {
    enum Knowledge { case perfect, kademliaTables, sparseTables(Int) }

    var nodes: [Contact] = []
    var dead: Set<NodeID> = []
    var tables: [NodeID: RoutingTable] = [:]
    let knowledge: Knowledge

    init(size: Int, deadFraction: Double, knowledge: Knowledge, using generator: inout SeededGenerator) {
        self.knowledge = knowledge
        for index in 0..<size {
            let address = SocketAddress(ip: 0x0A00_0000 + UInt32(index), port: 6881)
            nodes.append(Contact(id: NodeID.random(using: &generator), address: address))
        }
        // Node 0 plays the local node: alive, and never marked dead.
        for node in nodes.dropFirst() where Double.random(in: 0..<1, using: &generator) < deadFraction {
            dead.insert(node.id)
        }
        let sample: Int
        switch knowledge {
        case .perfect: return
        case .kademliaTables: sample = size
        case .sparseTables(let count): sample = count
        }
        for node in nodes {
            var table = RoutingTable(localID: node.id, now: start)
            for other in nodes.shuffled(using: &generator).prefix(sample) { _ = table.insert(other, now: start) }
            tables[node.id] = table
        }
    }

    var live: [Contact] { nodes.filter { !dead.contains($0.id) } }

    func trueClosest(to target: NodeID, among contacts: [Contact], limit: Int = 8) -> [Contact] {
        Array(contacts.sorted { $0.id.distance(to: target) < $1.id.distance(to: target) }.prefix(limit))
    }

    func answer(from node: Contact, toward target: NodeID) -> [Contact] {
        switch knowledge {
        case .perfect:
            // The true K closest live nodes other than the asker (node 0), plus the dead
            // ones a stale table would still list.
            let deadNearby = trueClosest(to: target, among: nodes, limit: 16).filter { dead.contains($0.id) }
            return trueClosest(to: target, among: Array(live.dropFirst())) + deadNearby
        case .kademliaTables, .sparseTables:
            return tables[node.id]?.closest(to: target, limit: 8) ?? []
        }
    }
}

private struct Run {
    var lookup: Lookup
    var queried: [NodeID] = []
    var maxOutstanding = 0
    var replies = 0
    /// Every contact the lookup was told about: the seeds and each reply's contacts.
    var learned: Set<Contact> = []
}

/// Drives a lookup to completion, answering outstanding queries in random order and
/// checking the per-step invariants as it goes.
/// With `stallChance`, a picked query first goes silent past the soft timeout (`onStalled`)
/// and is settled (answer or failure) when picked again.
private func drive(_ world: World, target: NodeID, seeds: [Contact], excluding local: NodeID,
                   stallChance: Double = 0, using generator: inout SeededGenerator) throws -> Run {
    var run = Run(lookup: Lookup(target: target, seeds: seeds, excluding: local), learned: Set(seeds))
    var outstanding = [Contact]()
    var stalled = Set<NodeID>()
    while true {
        var finished = false
        issuing: while true {
            switch run.lookup.next() {
            case .query(let contact):
                #expect(contact.id != local, "the local id is never queried")
                #expect(!run.queried.contains(contact.id), "\(contact) queried twice")
                run.queried.append(contact.id)
                outstanding.append(contact)
                // ALPHA in flight; K in the final round, once the closest standing has answered.
                let finalRound = run.lookup.closestStanding.flatMap { run.lookup.progress(of: $0.id) } == .responded
                #expect(outstanding.count - stalled.count <= (finalRound ? 8 : 3), "more than ALPHA in flight")
                #expect(run.lookup.inFlight == outstanding.count - stalled.count)
                run.maxOutstanding = max(run.maxOutstanding, outstanding.count - stalled.count)
            case .wait:
                try #require(!outstanding.isEmpty, "wait with nothing in flight would never end")
                break issuing
            case .finished:
                finished = true
                break issuing
            }
        }
        if finished { break }
        let picked = Int.random(in: outstanding.indices, using: &generator)
        if !stalled.contains(outstanding[picked].id), Double.random(in: 0..<1, using: &generator) < stallChance {
            stalled.insert(outstanding[picked].id)
            run.lookup.onStalled(outstanding[picked].id)
            #expect(run.lookup.progress(of: outstanding[picked].id) == .stalled)
            continue
        }
        let contact = outstanding.remove(at: picked)
        stalled.remove(contact.id)
        if world.dead.contains(contact.id) {
            run.lookup.onFailure(from: contact.id)
        } else {
            let answer = world.answer(from: contact, toward: target)
            run.learned.formUnion(answer)
            run.lookup.onResponse(from: contact.id, closer: answer)
        }
        run.replies += 1
        try #require(run.replies <= world.nodes.count, "the lookup does not terminate")
    }
    // Queries to contacts outside the K closest may still be out; the lookup no longer needs them.
    #expect(run.lookup.inFlight == outstanding.count - stalled.count)
    #expect(run.lookup.isFinished)
    #expect(run.lookup.next() == .finished)
    return run
}

/// Checks what every finished lookup must satisfy, whatever the world knew.
private func checkResult(_ run: Run, world: World, target: NodeID, local: NodeID,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    let result = run.lookup.closestResponded
    #expect(result.count <= 8, sourceLocation: sourceLocation)
    #expect(result.allSatisfy { !world.dead.contains($0.id) }, "a failed node is in the result", sourceLocation: sourceLocation)
    #expect(result.allSatisfy { $0.id != local }, sourceLocation: sourceLocation)
    #expect(result.allSatisfy { run.queried.contains($0.id) }, sourceLocation: sourceLocation)
    #expect(result == world.trueClosest(to: target, among: result), "result not sorted by distance", sourceLocation: sourceLocation)
    #expect(run.lookup.queried == run.queried.count, sourceLocation: sourceLocation)
    #expect(run.lookup.hops >= 0 && run.lookup.hops <= run.replies, sourceLocation: sourceLocation)
    // However good the world's answers, nothing it was told about may be missed.
    // (Contacts still silent past the soft timeout when it ended are fairly left out.)
    let learnedLive = run.learned.filter {
        !world.dead.contains($0.id) && $0.id != local && run.lookup.progress(of: $0.id) != .stalled
    }
    #expect(result == world.trueClosest(to: target, among: Array(learnedLive)), "a closer live contact was left unqueried", sourceLocation: sourceLocation)
}

/// Lookups driven to the end against simulated networks of 500 nodes.
@Suite struct LookupSimulationTests {
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func perfectKnowledgeFindsTrueClosest(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let world = World(size: 500, deadFraction: seed.isMultiple(of: 2) ? 0.2 : 0, knowledge: .perfect, using: &generator)
        let local = world.nodes[0].id
        for _ in 0..<10 {
            let target = NodeID.random(using: &generator)
            let seeds = Array(world.nodes.shuffled(using: &generator).prefix(8))
            let run = try drive(world, target: target, seeds: seeds, excluding: local, using: &generator)
            checkResult(run, world: world, target: target, local: local)
            let expected = world.trueClosest(to: target, among: world.live.filter { $0.id != local })
            #expect(run.lookup.closestResponded == expected)
            #expect((3...8).contains(run.maxOutstanding), "ALPHA at first, up to K in the final round")
            #expect(run.lookup.hops <= 1, "perfect answers reach the goal in one hop from a seed")
        }
    }

    @Test(arguments: [5, 6] as [UInt64])
    func kademliaTablesFindClosestWithHighRecall(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let world = World(size: 500, deadFraction: 0.1, knowledge: .kademliaTables, using: &generator)
        let local = world.nodes[0].id
        var found = 0
        for _ in 0..<20 {
            let target = NodeID.random(using: &generator)
            let seeds = world.tables[local]?.closest(to: target, limit: 8) ?? []
            let run = try drive(world, target: target, seeds: seeds, excluding: local, using: &generator)
            checkResult(run, world: world, target: target, local: local)
            let expected = world.trueClosest(to: target, among: world.live.filter { $0.id != local })
            // Truncated buckets can hide an 8th-closest node from everyone, so ask for
            // high recall, and the very closest always.
            found += Set(run.lookup.closestResponded).intersection(expected).count
            #expect(run.lookup.closestResponded.first == expected.first)
            #expect(run.lookup.hops < 12)
        }
        #expect(found >= 150, "recall \(found) of 160")
    }

    @Test(arguments: [7, 8] as [UInt64])
    func sparseTablesWithStallsKeepInvariantsAndFinish(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let world = World(size: 500, deadFraction: 0.25, knowledge: .sparseTables(60), using: &generator)
        let local = world.nodes[0].id
        for _ in 0..<10 {
            let target = NodeID.random(using: &generator)
            let seeds = world.tables[local]?.closest(to: target, limit: 8) ?? []
            let run = try drive(world, target: target, seeds: seeds, excluding: local, stallChance: 0.3, using: &generator)
            checkResult(run, world: world, target: target, local: local)
            #expect(run.lookup.closestResponded.count == 8)
        }
    }
}
