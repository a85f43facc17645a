import Foundation
import Synchronization
import Testing
@testable import Kademlia
@testable import KademliaCore

/// The journal file: created with its header, appended, reopened, locked to one owner,
/// its torn tail cut, foreign files refused, and compaction atomic.
@Suite struct JournalFileTests {
    private func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("dht-journal-\(UUID().uuidString)").path
    }

    private func entries(_ count: Int) -> [JournalEntry] {
        (0..<count).map { .withdrawn(target: NodeID(key: "k\($0)")) }
    }

    @Test(arguments: FsyncPolicy.allCases)
    func appendsSurviveAReopen(policy: FsyncPolicy) throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (file, first) = try JournalFile.open(directory: directory, policy: policy)
        #expect(first.payloads.isEmpty && first.damage == nil)
        try file.append(entries(3))
        try file.append(entries(2))
        try file.flushIfDue()
        file.close()
        let (again, scan) = try JournalFile.open(directory: directory, policy: policy)
        defer { again.close() }
        #expect(scan.payloads == (entries(3) + entries(2)).map(\.payload))
        #expect(scan.damage == nil)
    }

    /// A write the test cuts short after a chosen number of bytes, as a full disk would.
    private final class CutWrites: Sendable {
        let cutAfter = Mutex<Int?>(nil)

        func append(_ bytes: [UInt8], _ fd: Int32) -> Bool {
            guard let limit = cutAfter.withLock({ limit in defer { limit = nil }; return limit }) else {
                return FileIO.writeAll(bytes, to: fd)
            }
            _ = FileIO.writeAll(Array(bytes.prefix(limit)), to: fd)
            return false
        }
    }

    @Test func aWriteCutShortAtEveryByteOfARecordLeavesEveryWholeRecordReplayable() throws {
        let record = { (name: String) in
            JournalEntry.held(.init(target: NodeID(key: name), key: Array(name.utf8), value: ramp(200), seq: 1,
                                    isTombstone: false, isReplica: true, expiresAt: 1_000))
        }
        let (first, cut, third) = (record("first"), record("cut"), record("third"))
        let frameLength = JournalFormat.frame(cut.payload).count
        for bytesWritten in 0..<frameLength {
            let directory = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let writes = CutWrites()
            let (file, _) = try JournalFile.open(directory: directory, policy: .never, appendingWith: writes.append)
            try file.append([first])
            writes.cutAfter.withLock { $0 = bytesWritten }
            #expect(throws: JournalFileError.self) { try file.append([cut]) }
            try file.append([third])
            file.close()
            // Read as a restart reads it, without taking the lock: a child process another
            // test spawns may hold a copy of the descriptor for a moment.
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + JournalFile.fileName)))
            let scan = JournalFormat.scan(bytes)
            #expect(scan.damage == nil, "cut after \(bytesWritten) bytes")
            #expect(scan.payloads == [first.payload, third.payload], "cut after \(bytesWritten) bytes")
        }
    }

    @Test func aSecondOwnerIsRefused() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (owner, _) = try JournalFile.open(directory: directory, policy: .always)
        #expect(throws: JournalFileError(description: "\(directory) is in use by another dht process (its journal is locked)")) {
            _ = try JournalFile.open(directory: directory, policy: .always)
        }
        owner.close()
        let (next, _) = try JournalFile.open(directory: directory, policy: .always)
        next.close()
    }

    @Test func aTornTailIsCutAndReported() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (file, _) = try JournalFile.open(directory: directory, policy: .always)
        try file.append(entries(4))
        let intact = file.size
        file.close()
        let path = directory + "/" + JournalFile.fileName
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: JournalFormat.frame(entries(1)[0].payload).dropLast(3))
        try handle.close()

        let (reopened, scan) = try JournalFile.open(directory: directory, policy: .always)
        #expect(scan.payloads == entries(4).map(\.payload))
        #expect(scan.damage == .tornRecord(offset: intact))
        #expect(reopened.size == intact, "the torn record was cut off")
        try reopened.append(entries(1))
        reopened.close()
        let (_, clean) = try JournalFile.open(directory: directory, policy: .always)
        #expect(clean.payloads == (entries(4) + entries(1)).map(\.payload) && clean.damage == nil)
    }

    @Test func foreignFilesAndPathsAreClearErrors() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + JournalFile.fileName
        try Data("hello, not a journal".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: JournalFileError(description: "\(path) is not a dht journal; move it away to start afresh")) {
            _ = try JournalFile.open(directory: directory, policy: .always)
        }
        #expect(throws: JournalFileError(description: "\(path) is not a directory")) {
            _ = try JournalFile.open(directory: path, policy: .always)
        }
        // An empty file, as a crash right after creating it leaves, is an empty journal.
        try Data().write(to: URL(fileURLWithPath: path))
        let (file, scan) = try JournalFile.open(directory: directory, policy: .always)
        #expect(scan.payloads.isEmpty && file.size == JournalFormat.header.count)
        file.close()
    }

    @Test func compactionReplacesTheJournalWhole() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (file, _) = try JournalFile.open(directory: directory, policy: .always)
        try file.append(entries(200))
        let before = file.size
        try file.compact(to: entries(2))
        #expect(file.size < before)
        #expect(throws: JournalFileError.self, "the compacted journal is still locked") {
            _ = try JournalFile.open(directory: directory, policy: .always)
        }
        try file.append(entries(1))
        file.close()
        #expect(!FileManager.default.fileExists(atPath: directory + "/" + JournalFile.fileName + ".tmp"))
        let (_, scan) = try JournalFile.open(directory: directory, policy: .always)
        #expect(scan.payloads == (entries(2) + entries(1)).map(\.payload))
    }
}
