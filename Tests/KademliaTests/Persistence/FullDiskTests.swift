import Foundation
import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

/// A data directory on a disk that fills (a 256 KiB tmpfs): nothing is acknowledged that
/// the journal does not hold, no torn record strands later ones, and when room returns the
/// node writes what it kept in memory meanwhile, without a restart.
@Suite(.serialized, .timeLimit(.minutes(2)), .enabled(if: SmallFilesystem.isAvailable, "mounting a tmpfs needs root and a system that allows it"))
struct FullDiskTests {
    private static let value = [UInt8](repeating: 0x61, count: 900)

    /// What a journal's bytes give back, read as a restart would read them.
    private func replayed(_ directory: String) throws -> (held: Set<NodeID>, damage: JournalFormat.Damage?) {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + JournalFile.fileName)))
        let scan = JournalFormat.scan(bytes)
        let snapshot = JournalSnapshot.replay(scan.payloads, now: 0)
        return (Set(snapshot.held.keys), scan.damage)
    }

    @Test func aFullDiskAcknowledgesOnlyWhatTheJournalHoldsAndCatchesUpWhenRoomReturns() async throws {
        let disk = try #require(SmallFilesystem.mount(kibibytes: 256), "mount a 256 KiB tmpfs")
        defer { disk.unmount() }
        let network = MemoryNetwork()
        let activity = ActivityCounter()
        var configuration = NodeConfiguration()
        configuration.activity = activity
        configuration.seed = 1
        let peer = DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: configuration)
        configuration.seed = 2
        let storage = try NodeStorage.open(directory: disk.path + "/node", fsync: .always, clock: network.clock)
        let node = DHTNode(transport: network.makeTransport(), clock: network.clock, configuration: configuration, storage: storage)
        _ = await network.run { try? await node.bootstrap([peer.address]) }

        // 400 puts of 900 bytes, half from the node with the small disk, half from its peer
        // (which the node answers with `store`): about 400 KB of records for 256 KiB.
        var acknowledged: [String] = []
        var notKept = 0
        for index in 0..<400 {
            let key = "full-\(index)"
            let writer = index.isMultiple(of: 2) ? node : peer
            let result = try #require(await network.run { try? await writer.put(key: key, value: Self.value) })
            if writer === node {
                if result.storedHere { acknowledged.append(key) }
                if result.notKeptHere != nil { notKept += 1; #expect(!result.storedHere && result.storedAt == 1) }
            } else if result.storedAt == 2 {
                acknowledged.append(key)
            }
        }
        #expect(storage.failure != nil, "the disk filled")
        #expect(notKept > 50, "the node said which of its own puts it could not keep: \(notKept)")
        #expect(acknowledged.count > 100 && acknowledged.count < 350, "\(acknowledged.count) acknowledged")

        // Ten seconds pass, still full: the node tries to compact its whole state into a new
        // journal (after 1, 2, 4 s), which the full disk refuses; the old journal must be intact.
        await network.pass(.seconds(10), settling: activity)
        #expect(node.read { $0.journalRewrite.nextAttempt } != nil, "a compaction was tried while the disk was full")
        #expect(storage.failure != nil)
        // A restart now (the journal's bytes, read back) has every write acknowledged, and
        // neither the failed appends nor the failed compactions left a torn record behind.
        let whileFull = try replayed(storage.directory)
        #expect(whileFull.damage == nil, "no torn record")
        let missing = acknowledged.filter { !whileFull.held.contains(NodeID(key: $0)) }
        #expect(missing.isEmpty, "acknowledged but not in the journal: \(missing.prefix(5))")

        // Room returns: within a minute (the retries back off) the node rewrites its journal whole, with every
        // value it kept in memory meanwhile, and says so.
        #expect(disk.resize(kibibytes: 4096))
        await network.pass(.seconds(65), settling: activity)
        #expect(storage.failure == nil, "writes resumed: \(storage.failure ?? "")")
        let after = try #require(await network.run { try? await node.put(key: "after", value: Self.value) })
        #expect(after.storedHere && after.notKeptHere == nil)
        let heldInMemory = (0..<400).map { "full-\($0)" }.filter { node.localValue(for: $0) != nil } + ["after"]
        #expect(heldInMemory.count == 401)
        let caughtUp = try replayed(storage.directory)
        let stillMissing = heldInMemory.filter { !caughtUp.held.contains(NodeID(key: $0)) }
        #expect(stillMissing.isEmpty, "kept in memory but never written: \(stillMissing.count)")
        node.stop()
        peer.stop()
    }

    @Test func aFailedAppendIsCutBackSoLaterRecordsReplay() throws {
        let disk = try #require(SmallFilesystem.mount(kibibytes: 64), "mount a 64 KiB tmpfs")
        defer { disk.unmount() }
        let (file, _) = try JournalFile.open(directory: disk.path, policy: .always)
        var written: [NodeID] = []
        var failures = 0
        for index in 0..<200 {
            let target = NodeID(key: "record-\(index)")
            let record = JournalEntry.HeldRecord(target: target, key: nil, value: Self.value, seq: 0, isTombstone: false,
                                                 isReplica: true, expiresAt: .max)
            do {
                try file.append([.held(record)])
                written.append(target)
            } catch {
                failures += 1
                if failures == 5 { _ = disk.resize(kibibytes: 1024) }
            }
        }
        file.close()
        #expect(failures >= 5, "the disk filled")
        let replay = try replayed(disk.path)
        #expect(replay.damage == nil)
        #expect(replay.held == Set(written), "every record appended after the failures replays")
    }
}
