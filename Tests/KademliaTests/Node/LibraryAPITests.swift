import Kademlia
import Synchronization
import Testing

/// The library tells the truth: failed joins throw, a get that reached nobody throws
/// instead of saying "not found", a stopped node refuses everything, and the limits
/// keep every datagram under 1,500 bytes.
@Suite(.timeLimit(.minutes(1))) struct LibraryAPITests {
    /// A fast-failing configuration, so silent peers cost milliseconds.
    private func quick(_ log: LogSink? = nil, level: LogLevel = .warning) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.rpcTimeout = .milliseconds(300)
        configuration.log = log
        configuration.logLevel = level
        return configuration
    }

    @Test func theLargestStoreFitsOneDatagram() {
        let key = Array(repeating: UInt8(ascii: "k"), count: DHTNode.maxKeySize)
        let request = StoreRequest(token: Array(repeating: 0xFF, count: 20), target: NodeID(key: String(decoding: key, as: UTF8.self)),
                                   value: Array(repeating: 0xAB, count: DHTNode.maxValueSize), seq: .max, key: key,
                                   ttl: 86_400, deleted: false)
        let message = Message(transactionID: [0xFF, 0xFF, 0xFF, 0xFF], body: .query(sender: NodeID(key: "me"), .store(request)),
                              version: Message.ourVersion)
        #expect(message.encoded().count == 1440, "the figure PROTOCOL.md gives")
        #expect(message.encoded().count <= DHTNode.maxDatagramSize)
    }

    @Test func theLargestReplyFitsOneDatagram() {
        let contacts = (0..<8).map { Contact(id: NodeID(key: "n\($0)"), address: SocketAddress(ip: .max, port: .max)) }
        let response = Response(id: NodeID(key: "me"), nodes: contacts, token: Array(repeating: 0xFF, count: 8),
                                value: Array(repeating: 0xAB, count: DHTNode.maxValueSize), seq: .max, ttl: 86_400)
        let reply = Message(transactionID: Array(repeating: 0xEE, count: Message.maxTransactionIDSize), body: .response(response),
                            version: Message.ourVersion)
        #expect(reply.encoded().count <= DHTNode.maxDatagramSize, "\(reply.encoded().count) bytes")
    }

    @Test func aQueryWithAnOverlongTransactionIDIsNotAnswered() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { node.stop() }
        let prober = try UDPTransport.bind(host: "127.0.0.1", port: 0)
        defer { prober.close() }
        let query = Message(transactionID: Array(repeating: 1, count: Message.maxTransactionIDSize + 1),
                            body: .query(sender: NodeID(key: "p"), .findValue(target: NodeID(key: "k"))))
        let before = node.traffic.datagramsSent
        query.encoded().withUnsafeBytes { node.receive($0, from: prober.localAddress) }
        #expect(node.traffic.datagramsSent == before)
        let fine = Message(transactionID: Array(repeating: 1, count: Message.maxTransactionIDSize),
                           body: .query(sender: NodeID(key: "p"), .findValue(target: NodeID(key: "k"))))
        fine.encoded().withUnsafeBytes { node.receive($0, from: prober.localAddress) }
        #expect(node.traffic.datagramsSent == before + 1)
    }

    @Test func limitsAreRefusedBeforeAnythingIsSent() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { node.stop() }
        let longKey = String(repeating: "é", count: DHTNode.maxKeySize / 2 + 1)   // 2 bytes each
        await #expect(throws: PutError.keyTooLarge(size: DHTNode.maxKeySize + 2, limit: DHTNode.maxKeySize)) {
            try await node.put(key: longKey, value: [1])
        }
        await #expect(throws: GetError.keyTooLarge(size: DHTNode.maxKeySize + 2, limit: DHTNode.maxKeySize)) {
            try await node.get(key: longKey)
        }
        let atLimit = String(repeating: "k", count: DHTNode.maxKeySize)
        #expect(try await node.put(key: atLimit, value: Array(repeating: 1, count: DHTNode.maxValueSize)).storedAt == 1)
        #expect(node.heldValues().map(\.key) == [atLimit])
    }

    @Test func failedJoinsThrowAndNamesResolve() async throws {
        let silent = try UDPTransport.bind(host: "127.0.0.1", port: 0)
        defer { silent.close() }
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: quick())
        defer { node.stop() }
        await #expect(throws: JoinError.noAnswer(tried: 1)) { try await node.bootstrap(["127.0.0.1:\(silent.localAddress.port)"]) }
        await #expect(throws: JoinError.unresolvable(.malformed("missing port in 'nowhere'"))) { try await node.bootstrap(["nowhere"]) }
        await #expect(throws: JoinError.noBootstrapNodes) { try await node.bootstrap([node.address]) }
        // A node cut off from the seeds it was given cannot say a key is absent.
        await #expect(throws: GetError.noNodeAnswered) { try await node.get(key: "anything") }

        let seed = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { seed.stop() }
        let joined = try await node.bootstrap(["localhost:\(seed.address.port)"])
        #expect(joined.answered == 1 && joined.contacts == 1)
        #expect(try await node.get(key: "anything") == nil, "now someone answered: the key is absent")
    }

    @Test func aPutThatOnlyThisNodeTookIsReported() async throws {
        let seed = try DHTNode.udp(port: 0, host: "127.0.0.1")
        // No rejoin ping to the stopped seed meanwhile: a second miss would drop it from the
        // table, and the put would then know no other node (a race on a slow machine).
        var configuration = quick()
        configuration.rejoinInitialDelay = .seconds(3600)
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration)
        defer { node.stop() }
        _ = try await node.bootstrap([seed.address])
        #expect(try await node.put(key: "shared", value: [1]).isStoredOnlyHere == false)
        seed.stop()
        let lonely = try await node.put(key: "lonely", value: [2])
        #expect(lonely.storedAt == 1 && lonely.storedHere && lonely.isStoredOnlyHere)
        #expect(lonely.description.contains("only this one"))
    }

    @Test func aDeleteSaysWhetherAValueWasThere() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { node.stop() }
        _ = try await node.put(key: "here", value: [1])
        #expect(try await node.delete(key: "here").hadValue)
        #expect(try await node.delete(key: "here").hadValue == false, "a tombstone is no value")
        #expect(try await node.delete(key: "never").hadValue == false)
        #expect(try await node.put(key: "here", value: [2]).hadValue == false)
        #expect(try await node.put(key: "here", value: [3]).hadValue)
    }

    @Test func aPutWhoseBootstrapNodeNeverAnsweredIsStoredOnlyHere() async throws {
        let silent = try DHTNode.udp(port: 0, host: "127.0.0.1")
        let address = silent.address
        silent.stop()
        var configuration = quick()
        configuration.rejoinInitialDelay = .seconds(3600)
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration)
        defer { node.stop() }
        _ = try? await node.bootstrap([address])
        let result = try await node.put(key: "k", value: [1])
        #expect(result.contactsKnown == 0 && result.hasBootstrapNodes && result.isStoredOnlyHere, "\(result)")
        #expect(result.description == "stored seq 0 at 1 nodes (only this one, no other node answered)")
        let alone = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { alone.stop() }
        #expect(try await alone.put(key: "k", value: [1]).isStoredOnlyHere == false, "a node alone by choice")
    }

    @Test func aStoppedNodeRefusesEverything() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        _ = try await node.put(key: "k", value: [1])
        node.stop()
        #expect(node.isStopped)
        await #expect(throws: PutError.stopped) { try await node.put(key: "k", value: [2]) }
        await #expect(throws: PutError.stopped) { try await node.delete(key: "k") }
        await #expect(throws: GetError.stopped) { try await node.get(key: "k") }
        await #expect(throws: GetError.stopped) { try await node.placement(of: "k") }
        await #expect(throws: JoinError.stopped) { try await node.bootstrap(["127.0.0.1:1"]) }
    }

    @Test func inspectionAndTracesDescribeTheNetwork() async throws {
        let records = Mutex<[LogRecord]>([])
        let seed = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { seed.stop() }
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: quick({ record in records.withLock { $0.append(record) } }, level: .debug))
        defer { node.stop() }
        _ = try await node.bootstrap([seed.address])
        _ = try await node.put(key: "hello", value: Array("world".utf8))

        let peers = node.peers()
        #expect(peers.map(\.contact) == [seed.contact])
        #expect(peers.first?.roundTrip != nil, "the join measured the seed's round trip")
        let placement = try await node.placement(of: "hello")
        #expect(Set(placement.map(\.contact.id)) == [seed.id, node.id])
        #expect(placement.allSatisfy { $0.holds == FoundValue(value: Array("world".utf8), seq: 0) })
        #expect(placement.filter(\.isThisNode).count == 1)
        #expect("\(node.status())".hasPrefix("node \(node.id.hex.prefix(8)) at 127.0.0.1:"))
        #expect("\(FoundValue(value: Array("world".utf8), seq: 3))" == #"seq 3: "world""#)

        let traces = records.withLock { $0 }.filter { $0.event == .rpc }.map(\.message)
        #expect(traces.contains { $0.hasPrefix("ping to \(seed.address): answered by \(seed.id.hex.prefix(8)) in ") && $0.hasSuffix(" ms") })
        #expect(traces.contains { $0.hasPrefix("store to \(seed.address): answered by ") })
        let all = records.withLock { $0 }.map(\.message)
        #expect(!all.contains { $0.contains("Kademlia.") || $0.contains("(Kademlia") }, "no type dumps: \(all)")
    }
}
