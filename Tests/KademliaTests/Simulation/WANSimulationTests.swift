import Testing
import KademliaTestKit
import Kademlia

/// Nodes across the modelled internet: operations take virtual time as round trips
/// dictate, survive loss and silent nodes, and a run replays event for event.
@Suite("Nodes across the modelled internet")
struct WANSimulationTests {
    /// What a seeded run did: each operation's virtual milliseconds and success, and the delivery digest.
    struct Run: Equatable {
        var milliseconds: [Double] = []
        var successes = 0
        var digest: UInt64 = 0
    }

    /// Builds `nodes` nodes joining 16 at a time, silences `silent` of them, then puts
    /// `keys` keys and gets each once, from random live nodes, timing each in virtual time.
    private func simulate(seed: UInt64, nodes count: Int, keys: Int, silent: Double = 0.2, loss: Double = 0.01) async -> Run {
        var random = SeededGenerator(seed: seed)
        let cluster = await WANTestCluster(seed: seed, nodes: count, silent: silent, loss: loss, random: &random)
        let (network, live) = (cluster.network, cluster.live)
        var run = Run()
        let clock = network.clock
        for index in 0..<keys * 2 {
            let node = live[Int.random(in: live.indices, using: &random)]
            let key = "key-\(index % keys)"
            let (milliseconds, ok) = await network.run {
                let start = clock.now()
                let ok = index < keys ? ((try? await node.put(key: key, value: Array(key.utf8)))?.storedAt ?? 0) > 0
                    : (try? await node.get(key: key))??.value == Array(key.utf8)
                return ((clock.now() - start).seconds * 1000, ok)
            }
            run.milliseconds.append(milliseconds)
            if ok { run.successes += 1 }
        }
        run.digest = network.deliveryDigest
        cluster.stop()
        return run
    }

    @Test("every node joins knowing at least K others, those on slow links too, whose every query stalls")
    func slowLinksJoin() async {
        let network = MemoryNetwork(internet: InternetModel(seed: 1, loss: 0))
        var random = SeededGenerator(seed: 1)
        var nodes = [network.makeNode(seed: random.next())]
        for _ in 1..<600 {
            let node = network.makeNode(seed: random.next())
            let seed = nodes[Int.random(in: nodes.indices, using: &random)].address
            await network.run { _ = try? await node.bootstrap([seed]) }
            nodes.append(node)
        }
        let short = nodes.dropFirst().filter { $0.contactCount < 8 }
        #expect(short.isEmpty, "\(short.count) nodes know fewer than K others")
        nodes.forEach { $0.stop() }
    }

    @Test("at 5% loss a lost store costs a stall timeout, not the whole RPC timeout: stalled stores go out again")
    func storesResend() async {
        let run = await simulate(seed: 5, nodes: 120, keys: 40, silent: 0, loss: 0.05)
        #expect(run.successes == 80)
        // Each store is a round trip lost one time in ten at 5% loss: without the resend,
        // over half the puts (8 stores each) waited out the 2 s RPC timeout; with it, only
        // those that lose both copies of a store, or whose lookup waits on a lost query.
        let waitedOut = run.milliseconds.prefix(40).filter { $0 >= 1900 }
        #expect(waitedOut.count <= 10, "\(waitedOut.count) of 40 puts waited out an RPC timeout")
    }

    @Test("the same seed replays event for event; another seed does not")
    func deterministic() async {
        let first = await simulate(seed: 11, nodes: 80, keys: 15)
        let again = await simulate(seed: 11, nodes: 80, keys: 15)
        let other = await simulate(seed: 12, nodes: 80, keys: 15)
        #expect(first == again)
        #expect(first.digest != other.digest)
    }

    @Test("an idle network runs its upkeep on virtual time, to the moment asked, and replays alike")
    func idleRunsUpkeep() async {
        func idle(seed: UInt64) async -> (digest: UInt64, pings: Int, elapsed: Duration) {
            var random = SeededGenerator(seed: seed)
            let cluster = await WANTestCluster(seed: seed, nodes: 60, silent: 0, random: &random)
            let pingsBefore = cluster.nodes.reduce(0) { $0 + $1.traffic.pingsSent }
            let start = cluster.network.clock.now()
            await cluster.network.idle(for: .seconds(20 * 60))
            let elapsed = cluster.network.clock.now() - start
            let pings = cluster.nodes.reduce(0) { $0 + $1.traffic.pingsSent } - pingsBefore
            let digest = cluster.network.deliveryDigest
            cluster.stop()
            return (digest, pings, elapsed)
        }
        let first = await idle(seed: 21)
        let again = await idle(seed: 21)
        #expect(first.elapsed == .seconds(20 * 60))
        // Contacts quiet for 15 minutes are pinged: upkeep ran while nobody asked anything.
        #expect(first.pings > 0)
        #expect(first.digest == again.digest && first.pings == again.pings)
    }

    @Test("puts and gets all succeed with 1% loss and a fifth of the nodes silent, in round trips of virtual time")
    func lossAndSilence() async {
        let run = await simulate(seed: 3, nodes: 150, keys: 40)
        #expect(run.successes == 80)
        let gets = run.milliseconds.suffix(40).sorted()
        // A get is at least one round trip (a node holding the key itself answers at once)
        // and, at a 100 ms median, rarely more than a second.
        #expect(gets[gets.count / 2] > 50 && gets[gets.count / 2] < 600, "get median \(gets[gets.count / 2]) ms")
        let puts = run.milliseconds.prefix(40).sorted()
        #expect(puts[puts.count / 2] > gets[gets.count / 2], "a put waits for the K closest and their stores")
    }
}
