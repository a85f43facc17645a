import Kademlia
import Testing

import Synchronization

@Suite("Real UDP on loopback")
struct UDPLoopbackTests {
    @Test("20 nodes in one process: every put is readable from every node")
    func twentyNodes() async throws {
        var random = SeededGenerator(seed: 20)
        var nodes: [DHTNode] = []
        defer { nodes.forEach { $0.stop() } }
        for _ in 0..<20 {
            var configuration = NodeConfiguration()
            configuration.seed = random.next()
            let node = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration)
            if let seed = nodes.randomElement(using: &random) {
                #expect(try await node.bootstrap([seed.address]).answered == 1)
            }
            nodes.append(node)
        }

        var putTimes: [Duration] = []
        var getTimes: [Duration] = []
        let clock = ContinuousClock()
        for (index, writer) in nodes.enumerated() {
            let start = clock.now
            let result = try await writer.put(key: "udp-\(index)", value: Array("value \(index)".utf8))
            putTimes.append(clock.now - start)
            #expect(result.storedAt == 8)
        }
        var misses = 0
        for index in nodes.indices {
            for reader in nodes {
                let start = clock.now
                let found = try await reader.get(key: "udp-\(index)")
                getTimes.append(clock.now - start)
                if found?.value != Array("value \(index)".utf8) { misses += 1 }
            }
        }
        #expect(misses == 0)
        print("20-node loopback: put median \(median(putTimes)), get median \(median(getTimes)) over \(getTimes.count) gets")
    }

    @Test("a node whose bootstrap does not answer still starts, and others can join it")
    func silentBootstrap() async throws {
        var configuration = NodeConfiguration()
        configuration.rpcTimeout = .milliseconds(200)
        let silent = try UDPTransport.bind(host: "127.0.0.1", port: 0)
        let lonely = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration)
        let joiner = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration)
        defer {
            silent.close()
            lonely.stop()
            joiner.stop()
        }
        await #expect(throws: JoinError.noAnswer(tried: 1)) { try await lonely.bootstrap([silent.localAddress]) }
        #expect(try await joiner.bootstrap([lonely.address]).answered == 1)
        #expect(lonely.status().totalNodes == 1)
        #expect(joiner.status().totalNodes == 1)
    }

    @Test("malformed datagrams get a 203 when they carry a t, are dropped otherwise, and the node keeps serving")
    func hostileInput() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        let probe = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { [node, probe].forEach { $0.stop() } }
        let client = try UDPTransport.bind(host: "127.0.0.1", port: 0)
        let inbox = Inbox()
        client.start(delegate: inbox)
        defer { client.close() }

        client.send(Array("d1:q4:ping1:t2:xy1:y1:qe".utf8), to: node.address)
        client.send(Array("garbage".utf8), to: node.address)
        client.send(Array(repeating: 0x64, count: 1600), to: node.address)
        let reply = try #require(await inbox.next())
        let message = try Message.decode(reply)
        #expect(message.transactionID == Array("xy".utf8))
        #expect(message.body == .error(code: 203, message: "query without arguments"))
        #expect(try await probe.bootstrap([node.address]).answered == 1, "still answering after hostile input")
    }
}

/// Collects the datagrams a bare test transport receives.
final class Inbox: TransportDelegate, Sendable {
    private let datagrams = Mutex<[[UInt8]]>([])

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        datagrams.withLock { $0.append(Array(datagram)) }
    }

    func transportTick() {}

    /// The next datagram, waiting up to two seconds of real time for the network to deliver it.
    func next() async -> [UInt8]? {
        for _ in 0..<2000 {
            if let first = datagrams.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return first }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return nil
    }
}

func median(_ durations: [Duration]) -> Duration {
    guard !durations.isEmpty else { return .zero }
    return durations.sorted()[durations.count / 2]
}
