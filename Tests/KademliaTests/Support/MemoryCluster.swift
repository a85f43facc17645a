import Kademlia
import KademliaTestKit

/// A seeded network of nodes on the in-memory transport with a virtual clock.
struct MemoryCluster {
    let network = MemoryNetwork()
    /// Background work of every node, so `pass` can wait for the network to go quiet.
    let activity = ActivityCounter()
    /// The settings each new node starts from.
    var configuration = NodeConfiguration()
    private(set) var nodes: [DHTNode] = []
    private var random: SeededGenerator

    init(seed: UInt64, configuration: NodeConfiguration = NodeConfiguration()) {
        random = SeededGenerator(seed: seed)
        self.configuration = configuration
    }

    /// Starts `count` nodes, each joining through a random earlier one.
    mutating func grow(to count: Int) async {
        while nodes.count < count {
            let node = makeNode()
            if let seed = nodes.randomElement(using: &random) {
                let answered = await network.run { (try? await node.bootstrap([seed.address]))?.answered ?? 0 }
                precondition(answered == 1, "a live seed always answers on the in-memory network")
            }
            nodes.append(node)
        }
        await network.settle(activity)
    }

    /// A node on a new address, not yet joined nor counted among `nodes`.
    mutating func makeNode(on transport: MemoryTransport? = nil) -> DHTNode {
        var configuration = self.configuration
        configuration.seed = random.next()
        configuration.activity = activity
        return DHTNode(transport: transport ?? network.makeTransport(), clock: network.clock, configuration: configuration)
    }

    /// Adds a node that has joined by other means.
    mutating func adopt(_ node: DHTNode) { nodes.append(node) }

    mutating func randomNode() -> DHTNode {
        nodes[Int.random(in: nodes.indices, using: &random)]
    }

    /// Crashes these nodes (no hand-off) and forgets them.
    mutating func crash(_ victims: [DHTNode]) {
        let gone = Set(victims.map(\.id))
        for node in victims { node.stop() }
        nodes.removeAll { gone.contains($0.id) }
    }

    /// Forgets a node that has left by itself.
    mutating func forget(_ node: DHTNode) {
        nodes.removeAll { $0.id == node.id }
    }

    /// Lets virtual time pass, ticking nodes as they asked and waiting for their work.
    func pass(_ duration: Duration, step: Duration = .seconds(1)) async {
        await network.pass(duration, step: step, settling: activity)
    }

    /// The nodes holding `key` in their own store.
    func holders(of key: String) -> [DHTNode] {
        nodes.filter { $0.localValue(for: key) != nil }
    }

    /// The K nodes nearest `key` among the live ones: where its copies belong.
    func closest(to key: String, k: Int = 8) -> [DHTNode] {
        ChurnSimulation.closest(to: NodeID(key: key), among: nodes, k: k)
    }
}

extension MemoryCluster {
    /// A put from `node`, run on virtual time.
    func put(from node: DHTNode, key: String, value: String, ttl: Duration? = nil) async throws -> PutResult {
        let result: Result<PutResult, PutError> = await network.run {
            do throws(PutError) { return .success(try await node.put(key: key, value: Array(value.utf8), ttl: ttl)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// A delete from `node`, run on virtual time.
    func delete(from node: DHTNode, key: String) async throws -> PutResult {
        let result: Result<PutResult, PutError> = await network.run {
            do throws(PutError) { return .success(try await node.delete(key: key)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// A get from `node`, run on virtual time.
    func get(from node: DHTNode, key: String) async -> FoundValue? {
        await network.run { (try? await node.get(key: key)) ?? nil }
    }

    /// How many of `readers` read `value` under `key`.
    func readers(_ readers: [DHTNode], reading key: String, as value: String) async -> Int {
        var count = 0
        for reader in readers where await get(from: reader, key: key)?.value == Array(value.utf8) { count += 1 }
        return count
    }
}
