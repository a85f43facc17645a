import Foundation
import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

/// Our nodes as Mainline clients of each other on the in-memory network: announces and
/// peer searches (BEP 5), immutable and mutable items (BEP 44).
/// An item that is one bencoded string.
private func text(_ words: String) -> [UInt8] { BencodeValue.string(words).encoded() }

@Suite struct MainlineClientTests {
    private func cluster() async -> MemoryCluster {
        var cluster = MemoryCluster(seed: 0xB5E5)
        await cluster.grow(to: 40)
        return cluster
    }

    @Test func anAnnounceIsFoundFromAnyNodeAndSeedsCanBeLeftOut() async throws {
        var cluster = await cluster()
        let infoHash = NodeID(key: "some torrent")
        let leecher = cluster.randomNode(), seed = cluster.randomNode(), reader = cluster.randomNode()
        let taken = await cluster.network.run { (try? await leecher.announce(infoHash: infoHash, port: 51413)) ?? 0 }
        #expect(taken >= 8)
        _ = await cluster.network.run { try? await seed.announce(infoHash: infoHash, seed: true) }
        let all = await cluster.network.run { (try? await reader.findPeers(of: infoHash)) ?? [] }
        #expect(Set(all) == [SocketAddress(ip: leecher.address.ip, port: 51413), seed.address], "implied port: the seed's own")
        let leechers = await cluster.network.run { (try? await reader.findPeers(of: infoHash, noSeed: true)) ?? [] }
        #expect(leechers == [SocketAddress(ip: leecher.address.ip, port: 51413)])
        let none = await cluster.network.run { (try? await reader.findPeers(of: NodeID(key: "nobody's torrent"))) ?? [SocketAddress(ip: 1, port: 1)] }
        #expect(none.isEmpty)
    }

    @Test func anImmutableItemIsReadUnderItsHashAndAForgedOneIsNot() async throws {
        var cluster = await cluster()
        let writer = cluster.randomNode(), reader = cluster.randomNode()
        let value = BencodeValue.dictionary([("n", .integer(42)), ("s", .string("hello"))]).encoded()
        let put = await cluster.network.run { try? await writer.putItem(value) }
        #expect(put?.target == BEP44Rules.immutableTarget(of: value) && (put?.storedAt ?? 0) >= 8)
        let read = await cluster.network.run { try? await reader.item(BEP44Rules.immutableTarget(of: value)) }
        #expect(read == value)
        let missing = await cluster.network.run { try? await reader.item(NodeID(key: "no such item")) }
        #expect(missing == .some(nil))
        await #expect(throws: PutError.invalidItem("not one bencoded value")) { try await writer.putItem(Array("not bencode".utf8)) }
    }

    @Test func mutableItemsAreSignedVersionedAndChecked() async throws {
        var cluster = await cluster()
        let writer = cluster.randomNode(), reader = cluster.randomNode()
        let first = await cluster.network.run { try? await writer.putMutableItem(text("first"), salt: Array("profile".utf8)) }
        #expect(first?.seq == 1)
        let second = await cluster.network.run { try? await writer.putMutableItem(text("second"), salt: Array("profile".utf8)) }
        #expect(second?.seq == 2, "one past the highest the network holds")
        let key = writer.signingPublicKey
        let read = await cluster.network.run { try? await reader.mutableItem(publicKey: key, salt: Array("profile".utf8)) }
        #expect(read?.value == text("second") && read?.seq == 2)
        let unsalted = await cluster.network.run { try? await reader.mutableItem(publicKey: key) }
        #expect(unsalted == .some(nil), "another salt is another item")

        // Another key cannot overwrite it: the target is the writer's key's, so the holders
        // check the signature against it and refuse.
        let intruder = Ed25519PrivateKey.generate()
        let forged = await cluster.network.run { try? await reader.putMutableItem(text("forged"), signedBy: intruder, salt: Array("profile".utf8)) }
        #expect(forged?.target != second?.target)
        let after = await cluster.network.run { try? await reader.mutableItem(publicKey: key, salt: Array("profile".utf8)) }
        #expect(after?.value == text("second"))
    }

    @Test func aLoneNodesSecondMutablePutTakesTheNextSeq() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { node.stop() }
        let first = try await node.putMutableItem(text("one"), salt: Array("s".utf8))
        let second = try await node.putMutableItem(text("two"), salt: Array("s".utf8))
        #expect(first.seq == 1 && second.seq == 2, "its own copy counts")
        let read = try await node.mutableItem(publicKey: node.signingPublicKey, salt: Array("s".utf8))
        #expect(read?.value == text("two") && read?.seq == 2)
    }

    @Test func aMutableItemReadsBackByTheTargetThePutReturned() async throws {
        var cluster = await cluster()
        let writer = cluster.randomNode(), reader = cluster.randomNode()
        let salt = Array("pro file".utf8)
        let put = try #require(await cluster.network.run { try? await writer.putMutableItem(text("by target"), salt: salt) })
        let read = await cluster.network.run { try? await reader.mutableItem(target: put.target, salt: salt) }
        #expect(read?.value == text("by target") && read?.publicKey == writer.signingPublicKey && read?.seq == put.seq)
        // The salt is part of the signed bytes: without it nothing checks, so nothing is returned.
        let unsalted = await cluster.network.run { try? await reader.mutableItem(target: put.target) }
        #expect(unsalted == .some(nil))
        let elsewhere = await cluster.network.run { try? await reader.mutableItem(target: NodeID(key: "nothing here"), salt: salt) }
        #expect(elsewhere == .some(nil))
    }

    @Test func theSigningKeySurvivesARestart() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dht-key-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let network = MemoryNetwork()
        let first = DHTNode(transport: network.makeTransport(), clock: network.clock,
                            storage: try NodeStorage.open(directory: directory, clock: network.clock))
        let key = first.signingPublicKey
        first.stop()
        let second = DHTNode(transport: network.makeTransport(), clock: network.clock,
                             storage: try NodeStorage.open(directory: directory, clock: network.clock))
        defer { second.stop() }
        #expect(second.signingPublicKey == key)
        #expect(DHTNode(transport: network.makeTransport(), clock: network.clock).signingPublicKey != key)
    }
}
