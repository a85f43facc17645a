import Synchronization
import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

/// A newcomer on the in-memory network that answers like one of ours but ignores the
/// first `ignoredStores` stores it is sent, as a node too loaded to answer in time would.
private final class SlowStartNewcomer: TransportDelegate {
    let id: NodeID
    let transport: MemoryTransport
    let network: MemoryNetwork
    let ignoredStores: Int
    /// Stores ignored so far, and the targets it took.
    let ignored = Atomic<Int>(0)
    let taken = Mutex<Set<NodeID>>([])

    init(on network: MemoryNetwork, id: NodeID, ignoredStores: Int) {
        self.id = id
        self.network = network
        self.ignoredStores = ignoredStores
        transport = network.makeTransport()
        transport.start(delegate: self)
    }

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        guard let message = try? Message.decode(datagram), case .query(_, let query) = message.body else { return }
        var response = Response(id: id)
        switch query {
        case .ping: break
        case .findNode: response.nodes = []
        case .findValue: response.token = Array("token".utf8)
        case .store(let request):
            guard ignored.add(1, ordering: .relaxed).newValue > ignoredStores else {
                // Someone now waits on a timeout: the network must let time pass.
                return network.noteWaiting()
            }
            taken.withLock { _ = $0.insert(request.target) }
        default: return
        }
        let reply = Message(transactionID: message.transactionID, body: .response(response), version: Message.ourVersion)
        transport.send(reply.encoded(), to: sender)
    }

    func transportTick() {}

    /// Queries `address` as a joining node does, so it learns of this one.
    func announce(to address: SocketAddress) {
        let query = Message(transactionID: [0, 1], body: .query(sender: id, .findNode(target: id)), version: Message.ourVersion)
        transport.send(query.encoded(), to: address)
    }
}

/// A hand-off cut short is sent again (`HandOffDebts`), on the in-memory network.
@Suite(.timeLimit(.minutes(2))) struct HandOffRetryTests {
    @Test func aNewcomerSilentThroughAHandOffIsHandedTheRestLater() async {
        var cluster = MemoryCluster(seed: 23)
        await cluster.grow(to: 1)
        let holder = cluster.nodes[0]
        let network = cluster.network
        let count = 2_000
        await network.run {
            for index in 0..<count { _ = try? await holder.put(key: "held \(index)", value: [UInt8(index % 256)]) }
        }
        // Silent to its first 20 stores: the holder's window gives up after two silences in
        // a row and drops what waits, nearly the whole hand-off.
        let newcomer = SlowStartNewcomer(on: network, id: NodeID(key: "slow newcomer"), ignoredStores: 20)
        newcomer.announce(to: holder.address)
        await cluster.pass(.seconds(5), step: .milliseconds(100))
        let early = newcomer.taken.withLock { $0.count }
        #expect(early < count / 2, "the first hand-off was cut short: \(early) of \(count)")
        await cluster.pass(.seconds(180), step: .milliseconds(250))
        let held = newcomer.taken.withLock { $0.count }
        #expect(held == count, "the rest was handed again: \(held) of \(count)")
        #expect(holder.status().upkeep.valuesHandedOff >= count - 1)
    }

    @Test func debtsBackOffMergeAndGiveUp() {
        var debts = HandOffDebts()
        let newcomer = Contact(id: NodeID(key: "newcomer"), address: SocketAddress(ip: 0x7F00_0001, port: 9))
        let start = Timestamp(nanoseconds: 0)
        let (a, b, c) = (NodeID(key: "a"), NodeID(key: "b"), NodeID(key: "c"))
        debts.owe([a, b], to: newcomer, afterAttempt: 0, now: start)
        #expect(debts.nextDue == start + .seconds(15))
        #expect(debts.takeDue(now: start + .seconds(14)).isEmpty)
        debts.owe([b, c], to: newcomer, afterAttempt: 0, now: start + .seconds(1))
        let first = debts.takeDue(now: start + .seconds(15))
        #expect(first.map(\.targets) == [[a, b, c]], "merged, each once")
        #expect(first.first?.attempt == 1)
        #expect(debts.count == 0)
        // Each retry waits twice as long, and after the fifth the values go to replication.
        debts.owe([a], to: newcomer, afterAttempt: 1, now: start)
        #expect(debts.nextDue == start + .seconds(30))
        _ = debts.takeDue(now: start + .seconds(30))
        debts.owe([a], to: newcomer, afterAttempt: HandOffDebts.maximumAttempts, now: start)
        #expect(debts.count == 0 && debts.nextDue == nil)
    }
}
