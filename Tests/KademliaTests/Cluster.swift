import Kademlia

/// A seeded network of nodes on the in-memory transport with a virtual clock.
struct MemoryCluster {
    let network = MemoryNetwork()
    private(set) var nodes: [DHTNode] = []
    private var random: SeededGenerator

    init(seed: UInt64) {
        random = SeededGenerator(seed: seed)
    }

    /// Starts `count` nodes, each joining through a random earlier one.
    mutating func grow(to count: Int) async {
        while nodes.count < count {
            var configuration = NodeConfiguration()
            configuration.seed = random.next()
            let node = DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: configuration)
            if let seed = nodes.randomElement(using: &random) {
                let answered = await network.run { await node.bootstrap([seed.address]) }
                precondition(answered == 1, "a live seed always answers on the in-memory network")
            }
            nodes.append(node)
        }
    }

    mutating func randomNode() -> DHTNode {
        nodes[Int.random(in: nodes.indices, using: &random)]
    }

    /// The nodes holding `key` in their own store.
    func holders(of key: String) -> [DHTNode] {
        nodes.filter { $0.localValue(for: key) != nil }
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

    /// A get from `node`, run on virtual time.
    func get(from node: DHTNode, key: String) async -> FoundValue? {
        await network.run { await node.get(key: key) }
    }
}
