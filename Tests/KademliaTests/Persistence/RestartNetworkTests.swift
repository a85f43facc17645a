import Foundation
import Testing
@testable import Kademlia
@testable import KademliaCore

/// A whole network stopped and started again from its data directories.
@Suite("Restarting a network from its data directories")
struct RestartNetworkTests {
    /// An address no other test binds: the restarted nodes ping their saved contacts' old
    /// ports, which on 127.0.0.1 other tests' nodes may have taken meanwhile.
    static let host = "127.77.0.1"

    @Test("10 nodes over UDP, all stopped, all started again with no bootstrap address: ids unchanged, every key readable")
    func tenNodesComeBack() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("dht-restart-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        var configuration = NodeConfiguration()
        configuration.rpcTimeout = .milliseconds(300)
        var random = SeededGenerator(seed: 10)

        var nodes: [DHTNode] = []
        for index in 0..<10 {
            configuration.seed = random.next()
            let storage = try NodeStorage.open(directory: "\(root)/node\(index)")
            let node = try DHTNode.udp(port: 0, host: Self.host, configuration: configuration, storage: storage)
            if let seed = nodes.randomElement(using: &random) { _ = try await node.bootstrap([seed.address]) }
            nodes.append(node)
        }
        let keys = (0..<30).map { "restart-\($0)" }
        for key in keys {
            let writer = nodes[Int.random(in: 0..<10, using: &random)]
            #expect(try await writer.put(key: key, value: Array("value of \(key)".utf8)).storedAt >= 8)
        }
        let identities = nodes.map(\.id)
        let ports = nodes.map(\.address.port)
        for node in nodes { node.stop() }

        // Started again one by one, each with only what its directory holds: the first finds
        // nobody, the others find the ones started before them through their saved contacts.
        var restarted: [DHTNode] = []
        defer { restarted.forEach { $0.stop() } }
        for index in 0..<10 {
            let storage = try NodeStorage.open(directory: "\(root)/node\(index)")
            #expect(storage.recovery.hadIdentity && storage.recovery.contacts > 0)
            let node = try await Self.bind(port: ports[index], configuration, storage)
            restarted.append(node)
            let joined = try? await node.bootstrap([SocketAddress]())
            if index > 0 { #expect(joined?.answered ?? 0 >= 1, "node \(index) found the nodes started before it") }
        }
        #expect(restarted.map(\.id) == identities)
        var misses: [String] = []
        for key in keys {
            for reader in restarted where try await reader.get(key: key)?.value != Array("value of \(key)".utf8) {
                misses.append("\(key) from \(reader.id.hex.prefix(8))")
            }
        }
        #expect(misses.isEmpty, "\(misses)")
        #expect(restarted.allSatisfy { $0.status().totalNodes >= 5 }, "\(restarted.map { $0.status().totalNodes })")
    }

    /// Binds the port a stopped node had: its socket is closed by the poller thread a moment
    /// after `stop()`, so the first tries may find it still in use.
    private static func bind(port: UInt16, _ configuration: NodeConfiguration, _ storage: NodeStorage) async throws -> DHTNode {
        var attempts = 0
        while true {
            do {
                return DHTNode(transport: try UDPTransport.bind(host: Self.host, port: port, tickInterval: DHTNode.udpTickInterval),
                               configuration: configuration, storage: storage)
            } catch let error as SocketError where error.isAddressInUse && attempts < 50 {
                attempts += 1
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
