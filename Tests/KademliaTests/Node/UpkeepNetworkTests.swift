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

    /// A lone holder puts `count` values, then a newcomer with `limits` joins through it and
    /// `settle` passes: the two nodes and how many of the values the newcomer holds.
    private func handOff(_ count: Int, seed: UInt64, storeLimit: Int? = nil, newcomerLimits: (inout NodeLimits) -> Void = { _ in },
                         settle: Duration) async -> (holder: DHTNode, newcomer: DHTNode, held: Int) {
        var cluster = MemoryCluster(seed: seed)
        if let storeLimit { cluster.configuration.limits.maxStoredValues = storeLimit }
        await cluster.grow(to: 1)
        let holder = cluster.nodes[0]
        let network = cluster.network
        await network.run {
            for index in 0..<count { _ = try? await holder.put(key: "held \(index)", value: [UInt8(index % 256)]) }
        }
        newcomerLimits(&cluster.configuration.limits)
        let newcomer = cluster.makeNode()
        _ = await network.run { try? await newcomer.bootstrap([holder.address]) }
        cluster.adopt(newcomer)
        await cluster.pass(settle, step: .milliseconds(100))
        return (holder, newcomer, (0..<count).count { newcomer.localValue(for: "held \($0)") != nil })
    }

    @Test func aHandOffToANodeOverItsLimitsIsPacedByBusyAnswersAndLosesNoContact() async {
        let count = 300
        // A newcomer that answers a host 5 queries a second and lends nothing beyond.
        let (holder, newcomer, held) = await handOff(count, seed: 17, newcomerLimits: { tight in
            tight.queriesPerSecondPerHost = 5
            tight.queryBurstPerHost = 5
            tight.spareQueriesPerSecond = 0
            tight.spareQueryBurst = 0
        }, settle: .seconds(120))
        #expect(held == count, "the whole hand-off arrived, at the pace the newcomer set: \(held) of \(count)")
        #expect(holder.knownContacts.contains(newcomer.contact), "busy is not gone")
        let upkeep = holder.status().upkeep
        #expect(upkeep.busyAnswersReceived > 0, "the newcomer pushed back: \(upkeep)")
        #expect(upkeep.valuesHandedOff >= count - 1, "\(upkeep)")
        #expect(newcomer.status().upkeep.busyAnswersSent > 0)
    }

    @Test func aNewcomerTakesAHandOffLargerThanOneSourcesShareOfItsStore() async {
        // A store of 16,000 values: one source's share is 2,000, and it is open to any
        // source up to 8,000. The one holder hands the newcomer all 3,000 it has.
        let count = 3_000
        let (_, newcomer, held) = await handOff(count, seed: 18, storeLimit: 16_000, settle: .seconds(60))
        #expect(held == count, "a small network's hand-off is not cut at one source's share: \(held) of \(count)")
        #expect(newcomer.status().upkeep.storesRefused == 0)
        let (_, closed, cut) = await handOff(count, seed: 18, storeLimit: 16_000, newcomerLimits: { $0.storeOpenToAnySourceBelow = 0 },
                                             settle: .seconds(60))
        #expect(cut <= 2_000, "the rule before: one source's 1/8 share, whatever the store's fill: \(cut)")
        #expect(closed.status().upkeep.storesRefused >= count - 2_000)
    }
}
