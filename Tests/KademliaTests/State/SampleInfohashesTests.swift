import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

private let tid: [UInt8] = [0x51, 0x51]

/// BEP 51 `sample_infohashes`: the reply's count and sample against what a node holds,
/// on the wire, in the state, and asked across the in-memory network.
@Suite struct SampleInfohashesTests {
    @Test func aMalformedSampleIsRefusedByBothDecoders() throws {
        func reply(_ fields: [(String, BencodeValue)]) -> [UInt8] {
            BencodeValue.dictionary([("r", .dictionary([("id", .bytes(NodeID(key: "r").bytes))] + fields)), ("t", .string("aa")),
                                     ("y", .string("r"))]).encoded()
        }
        for bad in [[("samples", BencodeValue.bytes([UInt8](repeating: 1, count: 30)))], [("num", .integer(-1))],
                    [("interval", .integer(-5))], [("samples", .integer(3))]] {
            #expect(throws: (any Error).self) { try Message.decode(reply(bad)) }
            #expect(throws: (any Error).self) { try reply(bad).withUnsafeBytes { buffer in try Message.decodeViaTree(buffer) } }
        }
        let fine = try Message.decode(reply([("num", .integer(7))]))
        guard case .response(let response) = fine.body else { Issue.record("no response"); return }
        #expect(response.sample == InfohashSample(interval: 0, num: 7, samples: []), "missing fields read as 0 and none")
    }

    @Test func theCountIsEveryTargetHeldAndTheSampleIsKeptForItsInterval() throws {
        var generator = SeededGenerator(seed: 51)
        var state = makeTestState(randomSeed: 9, localID: NodeID.random(using: &generator))
        var held = Set<NodeID>()
        for index in 0..<30 {
            let target = NodeID(key: "value \(index)")
            _ = state.store.store([1], seq: 0, for: target, now: start)
            held.insert(target)
        }
        _ = state.store.store([], seq: 1, for: NodeID(key: "deleted"), tombstone: true, now: start)
        for index in 0..<3 {
            let infoHash = NodeID(key: "torrent \(index)")
            state.peers.announce(SocketAddress(ip: 0x0A00_0001, port: 6881), in: infoHash, seed: false, now: start)
            held.insert(infoHash)
        }
        state.items.put(BencodeValue.string("item").encoded(), mutable: nil, at: NodeID(key: "value 0"), now: start)
        let asker = peer(NodeID.random(using: &generator))
        let first = try #require(response(state.answer(.sampleInfohashes(target: asker.id), transactionID: tid, from: asker, now: start))?.sample)
        #expect(first.num == 33 && first.interval == 21_600, "30 values, 3 torrents, an item on a value's target; no tombstone")
        #expect(first.samples.count == 20 && Set(first.samples).count == 20 && Set(first.samples).isSubset(of: held))
        let later = try #require(response(state.answer(.sampleInfohashes(target: asker.id), transactionID: tid, from: asker,
                                                       now: start + .seconds(600)))?.sample)
        #expect(later.samples == first.samples, "the same sample within the interval")
        let next = try #require(response(state.answer(.sampleInfohashes(target: asker.id), transactionID: tid, from: asker,
                                                      now: start + .seconds(21_600)))?.sample)
        #expect(next.samples != first.samples && Set(next.samples).isSubset(of: held), "a new one after it")
    }

    @Test func aNodeIsAskedAcrossTheNetwork() async throws {
        var cluster = MemoryCluster(seed: 52)
        await cluster.grow(to: 20)
        let holder = cluster.nodes[3]
        for index in 0..<5 { _ = try await cluster.put(from: holder, key: "k\(index)", value: "v") }
        let expected = holder.heldValues().filter { !$0.isTombstone }.count
        let asker = cluster.nodes[7]
        let answer = await cluster.network.run { () -> Result<SampledNode, GetError> in
            do throws(GetError) { return .success(try await asker.sampleInfohashes(at: holder.address, target: NodeID(key: "x"))) }
            catch { return .failure(error) }
        }
        let sampled = try answer.get()
        #expect(sampled.id == holder.id && sampled.sample.num == Int64(expected) && sampled.sample.samples.count == min(expected, 20))
        #expect(!sampled.nodes.isEmpty)
    }
}
