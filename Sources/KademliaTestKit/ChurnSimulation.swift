import Foundation
import Kademlia

/// The churn scenario: a network whose nodes come and go while it must keep its keys.
public struct ChurnScenario: Sendable {
    /// The network's size, kept about constant: every departure brings an arrival.
    public var nodes = 2000
    /// Keys put at the start, each by a node of its own that joins, puts it and quits at
    /// once, so no publisher is left to republish: the network alone keeps the keys.
    public var keys = 1000
    public var hours = 24
    /// Session times are exponential with this median.
    public var medianSession: Duration = .seconds(3600)
    public var seed: UInt64 = 1
    /// Of the nodes whose session ends, the share that leave gracefully (hand-off); the
    /// rest crash. 0 (all crash) or 1 (all leave) are the pure cases.
    public var gracefulShare = 0.0
    /// Keys each publisher puts before it quits: 1 as independent users would, more to
    /// load a network with many keys without as many joins.
    public var keysPerPublisher = 1
    /// How finely virtual time is stepped.
    public var step: Duration = .seconds(1)
    /// The nodes' settings (intervals may be shortened for quick runs).
    public var configuration = NodeConfiguration()
    /// The internet the datagrams cross (delays, loss); nil for the instant network.
    public var internet: InternetModel?
    /// How many nodes join at once while the network is built, once it has that many
    /// (each through a node already in): across the modelled internet a join takes round
    /// trips of virtual time, and 10,000 joins one by one took longer than the day after.
    public var joinBatch = 1

    public init() {}
}

/// What one simulated hour looked like, probed five minutes before the hour ends (each
/// copy handed on loses the part-second it had, rounded down, so a day of hand-overs can
/// bring a value's end that much before its 24 h).
public struct ChurnHour: Sendable, Equatable {
    public var hour: Int
    public var liveNodes: Int
    public var keys: Int
    /// Keys a get from a random live node read back correctly.
    public var readable: Int
    /// Copies among each key's current K closest live nodes: the median and the least.
    public var medianReplicas: Int
    public var minimumReplicas: Int
    /// Queries sent to keep values alive this hour, per key.
    public var dataRPCsPerKey: Double
    /// Of those, the `store` queries (the rest are find_value probes).
    public var dataStoresPerKey: Double = 0
    /// Queries sent to keep routing tables alive this hour, per live node.
    public var routingRPCsPerNode: Double
    public var departures: Int
    /// This hour's busy answers, and queries dropped unanswered by the limits, network-wide:
    /// a dropped query is a miss its sender counts, so upkeep within limits keeps it 0.
    public var busyAnswers = 0
    public var queriesDroppedSilently = 0
    /// This hour's stores refused for the receivers' quotas, network-wide.
    public var storesRefused = 0
}

/// Runs a `ChurnScenario` on the in-memory network and virtual clock: seeded, so a run
/// replays exactly, and fast, since only the nodes that asked for a tick are ticked.
public struct ChurnSimulation {
    public let scenario: ChurnScenario
    public let network: MemoryNetwork
    private let activity = ActivityCounter()
    private var random: SeededGenerator
    private var members: [(node: DHTNode, leavesAt: Timestamp)] = []
    private var keys: [(key: String, value: [UInt8])] = []
    /// Query totals of nodes that have left, so the hourly sums still count them.
    private var departedTraffic = TrafficCounts()
    private var departuresThisHour = 0

    public init(_ scenario: ChurnScenario) {
        self.scenario = scenario
        network = MemoryNetwork(internet: scenario.internet)
        random = SeededGenerator(seed: scenario.seed)
    }

    /// The live nodes.
    public var liveNodes: [DHTNode] { members.map(\.node) }

    /// Builds the network, puts the keys, then runs the hours, handing each hour's figures
    /// to `onHour` as soon as it is probed.
    public mutating func run(onHour: (ChurnHour) -> Void = { _ in }) async -> [ChurnHour] {
        while members.count < scenario.nodes {
            // The first nodes join one by one, so each finds the ones before it.
            let batch = members.count < scenario.joinBatch ? 1 : min(scenario.joinBatch, scenario.nodes - members.count)
            for _ in 0..<batch { addNode() }
            await network.settle(activity)
        }
        // The hours count from the first put, so the last probe comes before any key expires.
        let start = network.clock.now()
        let all = (0..<scenario.keys).map { ("churn-key-\($0)", Array("value \($0)".utf8)) }
        let perBatch = Self.publishersAtOnce * max(1, scenario.keysPerPublisher)
        for start in stride(from: 0, to: all.count, by: perBatch) {
            let batch = Array(all[start..<min(start + perBatch, all.count)])
            let stored = await publish(batch)
            keys += zip(batch, stored).filter(\.1).map(\.0)
        }
        // Sessions start once the keys are in.
        let sessionsStart = network.clock.now()
        for index in members.indices { members[index].leavesAt = sessionsStart + sessionLength() }
        departuresThisHour = 0
        var hours: [ChurnHour] = []
        var last = totalTraffic
        for hour in 1...scenario.hours {
            // Minutes by the clock, so time the probes took does not push the hours back.
            while network.clock.now() < start + .seconds(hour * 3600 - 300) { await minute() }
            var figures = await probe(hour: hour)
            let now = totalTraffic
            figures.dataRPCsPerKey = Double(now.dataQueriesSent - last.dataQueriesSent) / Double(max(keys.count, 1))
            figures.dataStoresPerKey = Double(now.dataStoresSent - last.dataStoresSent) / Double(max(keys.count, 1))
            figures.routingRPCsPerNode = Double(now.routingQueriesSent - last.routingQueriesSent) / Double(members.count)
            figures.busyAnswers = now.busyAnswersSent - last.busyAnswersSent
            figures.queriesDroppedSilently = now.queriesDroppedSilently - last.queriesDroppedSilently
            figures.storesRefused = now.storesRefused - last.storesRefused
            last = now
            onHour(figures)
            hours.append(figures)
        }
        for member in members { member.node.stop() }
        return hours
    }

    /// One minute: departures due leave (each replaced by a newcomer), then time passes.
    private mutating func minute() async {
        let now = network.clock.now()
        let leaving = members.filter { $0.leavesAt <= now }.map(\.node)
        members.removeAll { $0.leavesAt <= now }
        for node in leaving {
            // Only a mixed share draws, so the pure cases replay as they always did.
            let graceful = switch scenario.gracefulShare {
            case ...0: false
            case 1...: true
            default: Double.random(in: 0..<1, using: &random) < scenario.gracefulShare
            }
            if graceful {
                _ = await network.run { await node.leave() }
            } else {
                node.stop()
            }
            departedTraffic = departedTraffic + node.traffic
        }
        departuresThisHour += leaving.count
        for _ in leaving { addNode() }
        await network.pass(.seconds(60), step: scenario.step, settling: activity)
    }

    /// How many publishers join, put and quit at once.
    static let publishersAtOnce = 50
    /// How many times a publisher tries to join before it writes anyway.
    static let joinAttempts = 3

    /// A publisher of its own for each `keysPerPublisher` keys joins through a random live
    /// node, puts its keys one after another and quits; publishers overlap, as independent
    /// users would. Returns which keys were stored at a node other than their publisher.
    private mutating func publish(_ batch: [(key: String, value: [UInt8])]) async -> [Bool] {
        let share = max(1, scenario.keysPerPublisher)
        let publishers = stride(from: 0, to: batch.count, by: share).map { first in
            (makeNode(), members[Int.random(in: members.indices, using: &random)].node.address, first..<min(first + share, batch.count))
        }
        let stored: [Bool] = await network.run {
            await withTaskGroup(of: [(Int, Bool)].self) { group in
                for (publisher, seed, indices) in publishers {
                    group.addTask {
                        // Across the modelled internet a join's datagrams may all be lost: the
                        // user tries again before writing, as one would at the prompt.
                        for _ in 0..<Self.joinAttempts where publisher.contactCount == 0 {
                            _ = try? await publisher.bootstrap([seed])
                        }
                        var outcomes: [(Int, Bool)] = []
                        for index in indices {
                            do throws(PutError) {
                                let put = try await publisher.put(key: batch[index].key, value: batch[index].value)
                                // The publisher leaves: a key only it took never reached the network.
                                outcomes.append((index, put.storedAt - (put.storedHere ? 1 : 0) > 0))
                            } catch {
                                outcomes.append((index, false))
                            }
                        }
                        await publisher.leave()
                        return outcomes
                    }
                }
                var stored = Array(repeating: false, count: batch.count)
                for await outcomes in group { for (index, ok) in outcomes { stored[index] = ok } }
                return stored
            }
        }
        for (publisher, _, _) in publishers { departedTraffic = departedTraffic + publisher.traffic }
        await network.settle(activity)
        return stored
    }

    /// Bootstrap addresses each newcomer is given. Real clients ship several (libtorrent four
    /// routers): with one, a newcomer whose seed died before answering, or whose answer was
    /// lost, stayed with an empty table for hours, since every rejoin went to the dead seed,
    /// and each key it was picked to read counted as unreadable (the WAN day's failed gets).
    static let seedsPerNewcomer = 3

    /// Starts a node with a fresh session time; it joins through random live nodes in the
    /// background, as real arrivals overlap.
    private mutating func addNode() {
        let node = makeNode()
        // Bootstrap addresses are established nodes, as a real network's are.
        // The contact count alone: a whole status() per member per arrival was a fifth of the run.
        let established = members.filter { $0.node.contactCount >= scenario.configuration.k }
        let pool = established.isEmpty ? members : established
        var picked = Set<Int>()
        while picked.count < min(Self.seedsPerNewcomer, pool.count) { picked.insert(Int.random(in: pool.indices, using: &random)) }
        let seeds = picked.sorted().map { pool[$0].node.address }
        if !seeds.isEmpty {
            activity.track(on: network.internet == nil ? nil : network.executor) { _ = try? await node.bootstrap(seeds) }
        }
        members.append((node, network.clock.now() + sessionLength()))
    }

    /// A node on a new address with the scenario's settings and a seed of its own.
    private mutating func makeNode() -> DHTNode {
        var configuration = scenario.configuration
        configuration.seed = random.next()
        configuration.activity = activity
        if network.internet != nil { configuration.taskExecutor = network.executor }
        return DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: configuration)
    }

    /// An exponential draw with the scenario's median.
    private mutating func sessionLength() -> Duration {
        let mean = scenario.medianSession.seconds / log(2.0)
        let uniform = Double.random(in: Double.ulpOfOne..<1, using: &random)
        return .nanoseconds(Int64(min(-log(uniform) * mean, 1e9) * 1e9))
    }

    /// The most probe gets each live node has under way at once.
    static let probesInFlightPerNode = 50

    /// Reads every key from a random live node and counts its copies among the K closest.
    private mutating func probe(hour: Int) async -> ChurnHour {
        var readable = 0
        var replicas: [Int] = []
        let k = scenario.configuration.k
        let live = liveNodes
        for (key, value) in keys {
            replicas.append(Self.closest(to: NodeID(key: key), among: live, k: k).count { $0.localValue(for: key)?.value == value })
        }
        let readers = keys.map { _ in live[Int.random(in: live.indices, using: &random)] }
        let keys = self.keys
        // Probes overlap, as users' gets would, so reading takes little simulated time; at
        // most `probesInFlightPerNode` per live node at once, so a small network holding
        // many keys is read at the pace its users would read it, not in one burst of
        // hundreds of thousands that its own rate limits would refuse.
        let wave = max(1, Self.probesInFlightPerNode * live.count)
        for first in stride(from: 0, to: keys.count, by: wave) {
            let range = first..<min(first + wave, keys.count)
            let (waveReaders, waveKeys) = (Array(readers[range]), Array(keys[range]))
            readable += await network.run {
                await withTaskGroup(of: Bool.self) { group in
                    for (reader, entry) in zip(waveReaders, waveKeys) {
                        group.addTask { (try? await reader.get(key: entry.key))??.value == entry.value }
                    }
                    return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
                }
            }
        }
        await network.settle(activity)
        replicas.sort()
        let figures = ChurnHour(
            hour: hour, liveNodes: members.count, keys: keys.count, readable: readable,
            medianReplicas: replicas.isEmpty ? 0 : replicas[replicas.count / 2], minimumReplicas: replicas.first ?? 0,
            dataRPCsPerKey: 0, routingRPCsPerNode: 0, departures: departuresThisHour)
        departuresThisHour = 0
        return figures
    }

    /// The `k` nodes nearest `target` by XOR distance: the oracle a node's view is judged by.
    public static func closest(to target: NodeID, among nodes: [DHTNode], k: Int) -> [DHTNode] {
        var best: [(distance: Distance, node: DHTNode)] = []
        for node in nodes {
            let distance = node.id.distance(to: target)
            guard best.count < k || distance < best[best.count - 1].distance else { continue }
            let position = best.firstIndex { distance < $0.distance } ?? best.count
            best.insert((distance, node), at: position)
            if best.count > k { best.removeLast() }
        }
        return best.map(\.node)
    }

    private var totalTraffic: TrafficCounts {
        members.reduce(departedTraffic) { $0 + $1.node.traffic }
    }
}
