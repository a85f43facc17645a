#if canImport(Glibc)
import Glibc
#endif
import Kademlia
import KademliaTestKit
import Synchronization

/// One node on an in-memory network with a virtual clock, fed the fuzzer's datagrams.
///
/// The node lives across inputs, as a real one would, and keeps a get, put, delete, join or
/// placement of its own under way, so replies have queries to match. Its only company is
/// listening endpoints: a stranger every raw input comes from, and eight peers that record
/// the queries the node sends them and never answer on their own. Each input is delivered
/// as it is, from the stranger; a response or error is then delivered again, rewritten to
/// answer one of the queries the peers heard (the input's first transaction-id byte picks
/// which), and a store again with a token the node issued the stranger, since the fuzzer
/// can forge neither. Everything the node sends must decode and fit a datagram.
///
/// Only the library's public API is used, so the harness does not break when internals change.
final class Harness: Sendable {
    static let shared = Harness()

    /// Virtual time that passes per input: a query times out after 20 inputs unanswered,
    /// maintenance (expiry, refresh, replication) comes round as it would on a live node,
    /// and the stranger, sending at most three queries per input, stays under the default
    /// per-host rate limit of 50 a second.
    static let step: Duration = .milliseconds(100)
    /// Values live an hour of virtual time (36,000 inputs), which bounds the store.
    static let valueLifetime: Duration = .seconds(3600)
    static let nodeID = NodeID(key: "fuzz-node")
    static let keys = ["fuzz-key-0", "fuzz-key-1", "fuzz-key-2"]

    let network: MemoryNetwork
    let node: DHTNode
    let stranger: Listener
    let peers: [Listener]

    /// How many jobs the harness has started, which picks the next; one runs at a time.
    private let jobsStarted = Atomic<Int>(0)
    private let jobRunning = Atomic<Bool>(false)
    private let inputs = Atomic<Int>(0)
    /// With DHT_FUZZ_STATS set, a line about the node every 2^16 inputs.
    private let reportsStats = environmentValue("DHT_FUZZ_STATS") != nil

    init() {
        let network = MemoryNetwork(clock: ManualClock())
        self.network = network
        var configuration = NodeConfiguration()
        configuration.id = Self.nodeID
        // Seeded, so transaction ids and token secrets are the same from run to run and a
        // crash replays as it happened.
        configuration.seed = 0x5EED_F022
        configuration.valueLifetime = Self.valueLifetime
        node = DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: configuration)
        stranger = Listener(id: NodeID(key: "fuzz-stranger"), on: network)
        peers = (0..<8).map { Listener(id: NodeID(key: "fuzz-peer-\($0)"), on: network) }
        introducePeers()
        startJob()
    }

    /// Hands one datagram to the node, then lets a step of virtual time pass.
    func receive(_ datagram: UnsafeRawBufferPointer, decoded message: Message?) {
        node.receive(datagram, from: stranger.address)
        if let message {
            switch message.body {
            case .response, .error:
                answerQuery(with: message)
            case .query(let sender, .store(let request)):
                storeWithValidToken(request, from: sender, transactionID: message.transactionID)
            case .query:
                break
            }
        }
        network.advance(by: Self.step)
        if !jobRunning.load(ordering: .acquiring) { startJob() }
        let count = inputs.add(1, ordering: .relaxed).newValue
        if reportsStats, count & 0xFFFF == 0 { printStats(after: count) }
    }

    /// Delivers `message` as a peer's reply to a query the node sent it, if it sent any.
    private func answerQuery(with message: Message) {
        // Only queries the node still waits on: an older one has timed out.
        let since = network.clock.now() - node.configuration.rpcTimeout
        let heard = peers.enumerated().flatMap { index, peer in peer.queries(since: since).map { (index, $0) } }
        guard !heard.isEmpty else { return }
        let selector = Int(message.transactionID.first ?? 0)
        let (index, query) = heard[selector % heard.count]
        let peer = peers[index]
        peer.forget(query)
        var reply = message
        reply.transactionID = query.transactionID
        // An odd selector answers with the id the node knows the peer by, so that a lookup
        // goes on to what the reply says; an even one keeps the input's id.
        if selector % 2 == 1, case .response(var response) = reply.body {
            response.id = peer.id
            reply.body = .response(response)
        }
        deliver(reply, from: peer.address)
    }

    /// Delivers `request` again with a token the node has just issued the stranger, and,
    /// when it names a key, under that key's target, so that it is stored.
    private func storeWithValidToken(_ request: StoreRequest, from sender: NodeID, transactionID: [UInt8]) {
        var request = request
        if let key = request.key, let target = NodeID(bytes: SHA1.hash(key)) { request.target = target }
        deliver(Message(transactionID: [0x74, 0x6B], body: .query(sender: sender, .findValue(target: request.target))),
                from: stranger.address)
        guard let token = stranger.lastToken() else { return }
        request.token = token
        deliver(Message(transactionID: transactionID, body: .query(sender: sender, .store(request))), from: stranger.address)
    }

    private func deliver(_ message: Message, from sender: SocketAddress) {
        let datagram = message.encoded()
        datagram.withUnsafeBytes { node.receive($0, from: sender) }
    }

    /// Each peer pings the node, which puts it in the routing table.
    private func introducePeers() {
        for peer in peers {
            deliver(Message(transactionID: [0x70, 0x69], body: .query(sender: peer.id, .ping)), from: peer.address)
        }
    }

    /// Starts the next job. It runs at once, on this thread, until it waits for replies;
    /// those the next inputs bring drive its lookup on, on this thread too. What follows a
    /// finished lookup (the stores of a put, say) runs on the task's executor.
    private func startJob() {
        let round = jobsStarted.add(1, ordering: .relaxed).oldValue
        if node.status().totalNodes < peers.count / 2 { introducePeers() }
        let key = Self.keys[round % Self.keys.count]
        let value = Array("value \(round)".utf8)
        let seeds = peers.map(\.address)
        jobRunning.store(true, ordering: .relaxed)
        Task.immediate { [self, node] in
            switch round % 5 {
            case 0: _ = try? await node.get(key: key)
            case 1: _ = try? await node.put(key: key, value: value)
            case 2: _ = try? await node.placement(of: key)
            case 3: _ = try? await node.bootstrap(seeds)
            default: _ = try? await node.delete(key: key)
            }
            jobRunning.store(false, ordering: .releasing)
        }
    }

    private func printStats(after count: Int) {
        let status = node.status()
        let heard = peers.reduce(0) { $0 + $1.queries(since: network.clock.now() - node.configuration.rpcTimeout).count }
        let line = "harness: \(count) inputs, virtual \(network.clock.now()): \(status.totalNodes) contacts, "
            + "\(status.storedKeys) values, \(heard) queries unanswered at the peers, "
            + "\(jobsStarted.load(ordering: .relaxed)) jobs\n"
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }
}

/// An endpoint that never speaks: it keeps the queries the node sends it (the latest few,
/// with when they came) and the latest token it was given, and checks that everything the
/// node sends decodes and fits a datagram.
final class Listener: TransportDelegate {
    /// How many unanswered queries it remembers.
    static let memory = 32

    let id: NodeID
    let transport: MemoryTransport
    private let clock: ManualClock
    var address: SocketAddress { transport.localAddress }
    private let heard = Mutex<(queries: [(message: Message, at: Timestamp)], token: [UInt8]?)>(([], nil))

    init(id: NodeID, on network: MemoryNetwork) {
        self.id = id
        clock = network.clock
        transport = network.makeTransport()
        transport.start(delegate: self)
    }

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        let message: Message
        do {
            message = try Message.decode(datagram)
        } catch {
            fatalError("the node sent \(address) a datagram that does not decode (\(error)): \(hex(datagram))")
        }
        // A peer would drop it unread, as this node drops anything longer.
        guard datagram.count <= DHTNode.maxDatagramSize else {
            fatalError("the node sent \(address) a \(datagram.count)-byte datagram: \(hex(datagram))")
        }
        let now = clock.now()
        heard.withLock { heard in
            switch message.body {
            case .query:
                heard.queries.append((message, now))
                if heard.queries.count > Self.memory { heard.queries.removeFirst() }
            case .response(let response):
                if let token = response.token { heard.token = token }
            case .error:
                break
            }
        }
    }

    func transportTick() {}

    /// The queries heard since `instant`, oldest first.
    func queries(since instant: Timestamp) -> [Message] {
        heard.withLock { $0.queries.filter { $0.at >= instant }.map(\.message) }
    }

    func forget(_ query: Message) {
        heard.withLock { heard in
            if let index = heard.queries.firstIndex(where: { $0.message == query }) { heard.queries.remove(at: index) }
        }
    }

    func lastToken() -> [UInt8]? { heard.withLock { $0.token } }
}
