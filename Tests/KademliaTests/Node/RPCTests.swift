@testable import Kademlia
@testable import KademliaCore
import Testing
import KademliaTestKit

/// Two seeded nodes on one in-memory network.
private func pair() -> (MemoryNetwork, DHTNode, DHTNode) {
    let network = MemoryNetwork()
    var configuration = NodeConfiguration()
    configuration.seed = 1
    let first = DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: configuration)
    configuration.seed = 2
    let second = DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: configuration)
    return (network, first, second)
}

@Suite("Queries: matching, timeouts and cancellation on a virtual clock")
struct RPCTests {
    @Test("a live node answers and enters the routing table")
    func answered() async {
        let (_, asker, answerer) = pair()
        let result = await asker.request(.ping, to: answerer.address)
        #expect(result == .success(Response(id: answerer.id)))
        #expect(asker.knownContacts == [answerer.contact])
        #expect(answerer.knownContacts == [asker.contact], "a node that queried us is a contact too")
    }

    @Test("a silent node times out only when virtual time passes the deadline")
    func timeout() async {
        let (network, asker, answerer) = pair()
        network.setSilent(answerer.address, true)
        let pending = Task { await asker.request(.ping, to: answerer.address) }
        while asker.queriesAwaitingReply == 0 { await Task.yield() }
        network.advance(by: .milliseconds(1_900))
        #expect(asker.queriesAwaitingReply == 1, "not yet due")
        network.advance(by: .milliseconds(200))
        #expect(await pending.value == .failure(.timedOut))
        #expect(asker.traffic.queriesTimedOut == 1)
    }

    @Test("cancelling a waiting query releases it at once, with no time passing")
    func cancellation() async {
        let (network, asker, answerer) = pair()
        network.setSilent(answerer.address, true)
        let pending = Task { await asker.request(.ping, to: answerer.address) }
        while asker.queriesAwaitingReply == 0 { await Task.yield() }
        pending.cancel()
        #expect(await pending.value == .failure(.cancelled))
        #expect(asker.queriesAwaitingReply == 0)
    }

    @Test("a reply carrying the right transaction id from another address is dropped")
    func mismatchedReplies() async {
        let (network, asker, answerer) = pair()
        network.setSilent(answerer.address, true)
        let impostor = network.makeTransport()
        let pending = Task { await asker.request(.ping, to: answerer.address) }
        while asker.queriesAwaitingReply == 0 { await Task.yield() }
        let key = asker.read { state in state.pending.keys.first }
        let transactionID = key.map { [UInt8($0.transactionID >> 8), UInt8($0.transactionID & 0xFF)] } ?? []
        let reply = Message(transactionID: transactionID, body: .response(Response(id: answerer.id))).encoded()
        impostor.send(reply, to: asker.address)
        #expect(asker.queriesAwaitingReply == 1, "right tid, wrong address")
        network.advance(by: .seconds(3))
        #expect(await pending.value == .failure(.timedOut))
    }

    @Test("an answer from a different id than expected is an error and evicts the old id")
    func unexpectedResponder() async {
        let (_, asker, answerer) = pair()
        let ghost = Contact(id: NodeID(key: "ghost"), address: answerer.address)
        let result = await asker.request(.ping, to: ghost.address, expecting: ghost.id)
        #expect(result == .failure(.unexpectedResponder(answerer.id)))
        #expect(asker.knownContacts == [answerer.contact])
    }
}

@Suite("Hostile values from peers")
struct HostilePeerTests {
    @Test("a peer holding seq Int64.max does not make a put trap")
    func maximumSequence() async throws {
        let (network, writer, holder) = pair()
        _ = try? await writer.bootstrap([holder.address])
        let now = network.clock.now()
        holder.mutate { _ = $0.store.store([9], seq: .max, for: NodeID(key: "k"), now: now) }
        let result = try await writer.put(key: "k", value: [1])
        #expect(result.seq == .max)
        #expect(try await writer.get(key: "k")?.seq == .max)
    }
}
