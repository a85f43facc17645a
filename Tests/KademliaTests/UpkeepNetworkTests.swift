import Synchronization
import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

/// A Mainline node of another kind on the in-memory network: it answers `ping` and
/// `find_node` (saying in `v` that it is not one of ours) and ignores every other method,
/// as some implementations do with methods they do not know.
private final class ForeignPeer: TransportDelegate {
    let id = NodeID(key: "foreign peer")
    let network: MemoryNetwork
    let transport: MemoryTransport
    /// Queries it ignored.
    let ignored = Atomic<Int>(0)

    init(on network: MemoryNetwork) {
        self.network = network
        transport = network.makeTransport()
        transport.start(delegate: self)
    }

    var contact: Contact { Contact(id: id, address: transport.localAddress) }

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        guard let message = try? Message.decode(datagram), case .query(_, let query) = message.body else { return }
        let version: [UInt8] = [UInt8(ascii: "L"), UInt8(ascii: "T"), 2, 1]
        switch query {
        case .ping, .findNode:
            let reply = Message(transactionID: message.transactionID, body: .response(Response(id: id, nodes: [])), version: version)
            transport.send(reply.encoded(), to: sender)
        default:
            ignored.add(1, ordering: .relaxed)
            network.noteWaiting()
        }
    }

    func transportTick() {}
}

/// Upkeep and bulk writes against the nodes' own limits, on the in-memory network.
@Suite(.timeLimit(.minutes(2))) struct UpkeepNetworkTests {
    @Test func aContactSilentToOurOwnMethodsStaysThroughPutsAndGets() async {
        var cluster = MemoryCluster(seed: 16)
        await cluster.grow(to: 5)
        let foreign = ForeignPeer(on: cluster.network)
        let writer = cluster.nodes[0]
        _ = await writer.request(.ping, to: foreign.contact.address)
        #expect(writer.knownContacts.contains(foreign.contact))
        let network = cluster.network
        await network.run {
            for index in 0..<10 {
                _ = try? await writer.put(key: "key \(index)", value: [UInt8(index)])
                _ = try? await writer.get(key: "key \(index)")
            }
        }
        #expect(foreign.ignored.load(ordering: .relaxed) >= 10, "it was asked our methods and stayed silent")
        #expect(writer.knownContacts.contains(foreign.contact), "silence to find_value and store is no miss for it")
        for index in 0..<10 {
            #expect(await network.run { try? await writer.get(key: "key \(index)") }?.value == [UInt8(index)])
        }
    }

    @Test func aHandOffToANodeOverItsLimitsIsPacedByBusyAnswersAndLosesNoContact() async {
        var cluster = MemoryCluster(seed: 17)
        await cluster.grow(to: 1)
        let holder = cluster.nodes[0]
        let network = cluster.network
        let count = 300
        await network.run {
            for index in 0..<count { _ = try? await holder.put(key: "held \(index)", value: [UInt8(index % 256)]) }
        }
        // A newcomer that answers a host 5 queries a second and lends nothing beyond.
        var tight = cluster.configuration
        tight.limits.queriesPerSecondPerHost = 5
        tight.limits.queryBurstPerHost = 5
        tight.limits.spareQueriesPerSecond = 0
        tight.limits.spareQueryBurst = 0
        cluster.configuration = tight
        let newcomer = cluster.makeNode()
        _ = await network.run { try? await newcomer.bootstrap([holder.address]) }
        cluster.adopt(newcomer)
        await cluster.pass(.seconds(120), step: .milliseconds(100))
        let held = (0..<count).count { newcomer.localValue(for: "held \($0)") != nil }
        #expect(held == count, "the whole hand-off arrived, at the pace the newcomer set: \(held) of \(count)")
        #expect(holder.knownContacts.contains(newcomer.contact), "busy is not gone")
        let upkeep = holder.status().upkeep
        #expect(upkeep.busyAnswersReceived > 0, "the newcomer pushed back: \(upkeep)")
        #expect(upkeep.valuesHandedOff >= count - 1, "\(upkeep)")
        #expect(newcomer.status().upkeep.busyAnswersSent > 0)
    }

    @Test func aNewcomerTakesAHandOffLargerThanOneSourcesShareOfItsStore() async {
        var cluster = MemoryCluster(seed: 18)
        // A store of 16,000 values: one source's share is 2,000, and it is open to any
        // source up to 8,000. The one holder hands the newcomer all 3,000 it has.
        cluster.configuration.limits.maxStoredValues = 16_000
        await cluster.grow(to: 1)
        let holder = cluster.nodes[0]
        let network = cluster.network
        let count = 3_000
        await network.run {
            for index in 0..<count { _ = try? await holder.put(key: "held \(index)", value: [UInt8(index % 256)]) }
        }
        let newcomer = cluster.makeNode()
        _ = await network.run { try? await newcomer.bootstrap([holder.address]) }
        cluster.adopt(newcomer)
        await cluster.pass(.seconds(60), step: .milliseconds(100))
        let held = (0..<count).count { newcomer.localValue(for: "held \($0)") != nil }
        #expect(held == count, "a small network's hand-off is not cut at one source's share: \(held) of \(count)")
        #expect(newcomer.status().upkeep.storesRefused == 0)
    }
}
