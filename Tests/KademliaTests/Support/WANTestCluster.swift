import KademliaTestKit
import Kademlia

/// Nodes across the modelled internet for a test: they join 16 at a time, then a share of
/// them goes silent (still in others' tables, never answering).
struct WANTestCluster {
    let network: MemoryNetwork
    /// Every node, in a seeded random order: the silent ones first.
    let nodes: [DHTNode]
    /// The nodes that answer.
    let live: [DHTNode]

    /// Builds `count` nodes with `configuration` on a model seeded with `seed`.
    init(seed: UInt64, nodes count: Int, silent: Double = 0.2, loss: Double = 0.01,
         configuration: NodeConfiguration = NodeConfiguration(), random: inout SeededGenerator) async {
        let network = MemoryNetwork(internet: InternetModel(seed: seed, loss: loss))
        var joined = [network.makeNode(configuration, seed: random.next())]
        while joined.count < count {
            let batch = (0..<min(16, count - joined.count)).map { _ in
                (node: network.makeNode(configuration, seed: random.next()), seed: joined[Int.random(in: joined.indices, using: &random)].address)
            }
            await network.join(batch)
            joined += batch.map(\.node)
        }
        joined.shuffle(using: &random)
        let silenced = Int(Double(count) * silent)
        joined.prefix(silenced).forEach { network.setSilent($0.address, true) }
        self.network = network
        nodes = joined
        live = Array(joined.dropFirst(silenced))
    }

    /// Stops every node.
    func stop() {
        nodes.forEach { $0.stop() }
    }
}
