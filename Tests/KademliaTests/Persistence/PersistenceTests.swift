import Foundation
import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

/// A node with a data directory: what it writes, when, and what a restart gives back, on
/// the in-memory network's virtual clock (whose wall clock moves with it).
@Suite struct PersistenceTests {
    private func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dht-persist-\(UUID().uuidString)").path
    }

    /// The entries in `directory`'s journal as the file holds them now, read past its lock.
    private func journalEntries(_ directory: String) throws -> [JournalEntry] {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + JournalFile.fileName)))
        return try JournalFormat.scan(bytes).payloads.map { try JournalEntry(payload: $0) }
    }

    private func node(_ network: MemoryNetwork, _ storage: NodeStorage?) -> DHTNode {
        DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: NodeConfiguration(), storage: storage)
    }

    @Test func aRestartKeepsTheIDValuesTombstonesAndPublicationsWithTheirRemainingLives() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let network = MemoryNetwork()
        let first = node(network, try NodeStorage.open(directory: directory, clock: network.clock))
        _ = try await first.put(key: "kept", value: Array("one".utf8))
        _ = try await first.put(key: "short", value: Array("two".utf8), ttl: .seconds(7200))
        _ = try await first.put(key: "gone", value: Array("three".utf8))
        _ = try await first.delete(key: "gone")
        first.stop()

        network.clock.advance(by: .seconds(3 * 3600))
        let storage = try NodeStorage.open(directory: directory, clock: network.clock)
        #expect(storage.recovery.hadIdentity && storage.recovery.damage == nil)
        #expect(storage.recovery.values == 2 && storage.recovery.publications == 1)
        let second = node(network, storage)
        defer { second.stop() }
        #expect(second.id == first.id)
        #expect(second.localValue(for: "kept")?.value == Array("one".utf8))
        #expect(second.localValue(for: "short") == nil, "its two-hour TTL ran out while the node was down")
        #expect(second.localValue(for: "gone") == nil)
        let now = network.clock.now()
        let (kept, tombstone, publication) = second.read { state in
            (state.store.entry(for: NodeID(key: "kept"), now: now), state.store.entry(for: NodeID(key: "gone"), now: now),
             state.publications.publication(for: NodeID(key: "kept")))
        }
        let left = try #require(kept).remainingSeconds(now: now)
        #expect(left > 21 * 3600 - 5 && left <= 21 * 3600, "a day's life less the three hours it was down: \(left) s")
        #expect(tombstone?.isTombstone == true)
        #expect(publication?.value == Array("one".utf8))
        let due = try #require(publication).republishAt - now
        #expect(due > .seconds(20 * 3600 - 5) && due <= .seconds(20 * 3600), "still due 23 h after the put: in \(due)")
    }

    @Test func aRestartKeepsBEP44ItemsWithTheirRemainingLives() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let network = MemoryNetwork()
        let first = node(network, try NodeStorage.open(directory: directory, clock: network.clock))
        let immutable = try await first.putItem(Array("12:Hello World!".utf8))
        let mutable = try await first.putMutableItem(Array("i42e".utf8), salt: Array("salt".utf8), seq: 7)
        #expect(immutable.storedAt == 1 && mutable.storedAt == 1)
        let publicKey = first.signingPublicKey
        first.stop()

        network.clock.advance(by: .seconds(1800))
        let storage = try NodeStorage.open(directory: directory, clock: network.clock)
        #expect(storage.recovery.items == 2, "\(storage.recovery)")
        let second = node(network, storage)
        #expect(try await second.item(immutable.target) == Array("12:Hello World!".utf8))
        let restored = try #require(try await second.mutableItem(publicKey: publicKey, salt: Array("salt".utf8)))
        #expect(restored.value == Array("i42e".utf8) && restored.seq == 7)
        let now = network.clock.now()
        let left = try #require(second.read { $0.items.item(at: immutable.target, now: now) }).expiresAt - now
        #expect(left > .seconds(5400 - 5) && left <= .seconds(5400), "two hours' life less the half hour down: \(left)")
        second.stop()

        // Past their two hours, a restart brings nothing back.
        network.clock.advance(by: .seconds(5401))
        #expect(try NodeStorage.open(directory: directory, clock: network.clock).recovery.items == 0)
    }

    @Test func aStoreIsInTheJournalBeforeItIsAcknowledged() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let network = MemoryNetwork()
        let holder = node(network, try NodeStorage.open(directory: directory, clock: network.clock))
        let writer = node(network, nil)
        defer { [holder, writer].forEach { $0.stop() } }
        _ = await network.run { try? await writer.bootstrap([holder.address]) }
        // The in-memory network delivers the reply inline: when the put returns, the holder
        // has sent its acknowledgement, so the record must already be in the file.
        let result = await network.run { try? await writer.put(key: "durable", value: [7]) }
        #expect(result?.storedAt == 2)
        let held = try journalEntries(directory).compactMap { entry -> JournalEntry.HeldRecord? in
            if case .held(let record) = entry { record } else { nil }
        }
        #expect(held.contains { $0.target == NodeID(key: "durable") && $0.value == [7] && $0.key == Array("durable".utf8) })
        #expect(try journalEntries(directory).contains(.contact(writer.contact)))
    }

    @Test func compactionKeepsTheJournalNearTheSizeOfWhatIsLive() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let network = MemoryNetwork()
        let storage = try NodeStorage.open(directory: directory, fsync: .never, clock: network.clock)
        let lone = node(network, storage)
        var largest = 0
        for round in 0..<1500 {
            _ = try await lone.put(key: "key \(round % 10)", value: Array("round \(round)".utf8))
            if round % 100 == 99 {
                lone.tick()
                largest = max(largest, try journalEntries(directory).count)
            }
        }
        // 3,000 records are written; a compaction is due once 1,024 pile up past what is
        // live, so between ticks 100 puts apart the file never holds more than about that.
        #expect(largest <= 1024 + 200 + 21, "\(largest) records at most")
        lone.stop()
        let again = node(network, try NodeStorage.open(directory: directory, clock: network.clock))
        defer { again.stop() }
        #expect(again.localValue(for: "key 9")?.value == Array("round 1499".utf8))
        #expect(again.localValue(for: "key 0")?.value == Array("round 1490".utf8))
    }

    @Test func aDamagedTailIsCutAndReportedAndWhatCameBeforeIsKept() async throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let network = MemoryNetwork()
        let first = node(network, try NodeStorage.open(directory: directory, clock: network.clock))
        _ = try await first.put(key: "before", value: [1])
        first.stop()
        let path = directory + "/" + JournalFile.fileName
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([40, 0, 0, 0, 1, 2, 3, 4, 5, 6]))
        try handle.close()

        let storage = try NodeStorage.open(directory: directory, clock: network.clock)
        #expect(storage.recovery.damage != nil && storage.recovery.cutBytes == 10)
        #expect(storage.recovery.description.contains("cut 10 bytes"))
        let second = node(network, storage)
        defer { second.stop() }
        #expect(second.id == first.id)
        #expect(second.localValue(for: "before")?.value == [1])
    }

    @Test func aSecondOwnerIsRefusedUntilTheFirstStops() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let network = MemoryNetwork()
        let owner = node(network, try NodeStorage.open(directory: directory, clock: network.clock))
        #expect(throws: JournalFileError.self) { try NodeStorage.open(directory: directory) }
        owner.stop()
        let next = try NodeStorage.open(directory: directory)
        #expect(next.recovery.hadIdentity)
    }

    @Test func theImageOfAStateRestoresTheSameState() async throws {
        let network = MemoryNetwork()
        let source = node(network, nil)
        defer { source.stop() }
        for index in 0..<50 { _ = try await source.put(key: "k\(index)", value: Array("v\(index)".utf8), ttl: .seconds(600 + index)) }
        _ = try await source.delete(key: "k3")
        let time = WallTime(network.clock)
        let image = source.read { $0.journalImage(at: time) }
        let snapshot = JournalSnapshot.replay(image.map(\.payload), now: time.milliseconds)
        var restored = NodeState(localID: source.id, configuration: NodeConfiguration(), random: NodeRandom(seed: 1), now: time.now)
        restored.restore(from: snapshot, at: time)
        let (original, publications) = source.read { ($0.store.all(now: time.now), $0.publications.count) }
        #expect(restored.store.count == original.count && restored.publications.count == publications)
        for (target, stored) in original {
            let back = try #require(restored.store.entry(for: target, now: time.now))
            #expect(back.value == stored.value && back.seq == stored.seq && back.isTombstone == stored.isTombstone)
            // Milliseconds on disk: the lifetime comes back within one of what it was.
            #expect(abs((back.expiresAt - stored.expiresAt).totalNanoseconds) < 1_000_000)
        }
    }
}
