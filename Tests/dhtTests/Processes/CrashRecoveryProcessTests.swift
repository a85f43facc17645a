import Foundation
import Glibc
import Kademlia
import Testing

/// The real binary with a data directory, killed with SIGKILL in the middle of a stream of
/// puts and started again: every put it acknowledged is there.
@Suite("kill -9 and restart")
struct CrashRecoveryProcessTests {
    @Test("200 puts, then 20 rounds of restart, check, more puts and SIGKILL at a random point")
    func acknowledgedPutsSurviveSIGKILL() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dht-crash-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var random = SeededGenerator(seed: 0x6B_696C_6C39)
        var acknowledged: [(key: String, value: String)] = []
        var identity: String?

        for round in 0...20 {
            // Its own address: nodes of other tests pinging saved contacts cannot reach it.
            let node = try ReplProcess(["0", "--bind", "127.78.0.1", "--data-dir", directory, "--history-file", ""])
            defer { node.kill() }
            // Every put acknowledged before any earlier kill reads back.
            for (key, _) in acknowledged { try node.send("get \(key)") }
            let values = try await (0..<acknowledged.count).asyncMap { _ in try await node.readLine() }
            let lost = zip(acknowledged, values).filter { "Value: \($0.0.value)" != $0.1 }
            #expect(lost.count == 0, "round \(round): \(lost.count) of \(acknowledged.count) acknowledged puts lost, first \(lost.first.map { "\($0)" } ?? "")")
            let id = try await node.status().first { $0.hasPrefix("Node ID: ") }
            #expect(identity == nil || id == identity, "the id survives the kill")
            identity = id

            // A stream of puts, written all at once; the kill lands after a random number of
            // acknowledgements, while the rest are being read, stored and journaled.
            let count = round == 0 ? 200 : 40
            let killAfter = round == 0 ? count : Int.random(in: 0..<count, using: &random)
            let puts = (0..<count).map { (key: "r\(round)-\($0)", value: "value \(round).\($0) \(String(repeating: "x", count: $0))") }
            for put in puts { try node.send("put \(put.key) \(put.value)") }
            for put in puts.prefix(killAfter) {
                let reply = try await node.readLine()
                #expect(reply == "Stored key '\(put.key)' at 1 nodes")
                acknowledged.append(put)
            }
            node.signal(SIGKILL)
            #expect(try await node.waitForExit() == SIGKILL, "killed, not exited")
        }
        #expect(acknowledged.count >= 200)
    }
}

/// What the binary says about a data directory it cannot use, and how it says it.
@Suite("data directory errors")
struct DataDirectoryProcessTests {
    @Test("a second node on the same directory, a foreign journal and a file for a directory: a clear message and exit 1")
    func unusableDirectoriesAreRefused() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dht-owner-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let owner = try ReplProcess(["0", "--bind", "127.79.0.1", "--data-dir", directory])
        defer { owner.kill() }
        #expect(try await owner.status().contains { $0.hasPrefix("Data: \(directory) (journal ") && $0.hasSuffix(", fsync always)") })

        let second = try ReplProcess(["0", "--bind", "127.0.0.1", "--data-dir", directory], stdinClosed: true)
        #expect(try await second.waitForExit() == 1)
        #expect(second.errorOutput == "dht: \(directory) is in use by another dht process (its journal is locked)\n")
        #expect(try await owner.command("quit") == "Goodbye!")

        try Data("not a journal at all".utf8).write(to: URL(fileURLWithPath: directory + "/journal.dht"))
        let foreign = try ReplProcess(["0", "--data-dir", directory], stdinClosed: true)
        #expect(try await foreign.waitForExit() == 1)
        #expect(foreign.errorOutput == "dht: \(directory)/journal.dht is not a dht journal; move it away to start afresh\n")

        let file = try ReplProcess(["0", "--data-dir", directory + "/journal.dht"], stdinClosed: true)
        #expect(try await file.waitForExit() == 1)
        #expect(file.errorOutput == "dht: \(directory)/journal.dht is not a directory\n")
    }

    @Test("an empty or torn journal starts; a damaged tail is cut with a warning and what came before is kept")
    func damagedJournalsStart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dht-torn-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: directory + "/journal.dht"))
        let first = try ReplProcess(["0", "--bind", "127.79.0.1", "--data-dir", directory])
        defer { first.kill() }
        #expect(try await first.command("put kept value") == "Stored key 'kept' at 1 nodes")
        #expect(try await first.command("quit") == "Goodbye!")

        let handle = try #require(FileHandle(forWritingAtPath: directory + "/journal.dht"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([9, 0, 0, 0, 0xDE, 0xAD]))
        try handle.close()
        let second = try ReplProcess(["0", "--bind", "127.79.0.1", "--data-dir", directory])
        defer { second.kill() }
        #expect(try await second.command("get kept") == "Value: value")
        #expect(try await second.command("quit") == "Goodbye!")
        let warnings = try await second.errorLines().filter { $0.contains(" warning ") }
        #expect(warnings.count == 1 && warnings[0].contains("record at byte") && warnings[0].contains("cut 6 bytes"), "\(warnings)")
    }
}

extension Range where Bound == Int {
    /// Runs `body` for each number in order, awaiting each, and collects the results.
    func asyncMap<Result>(_ body: (Int) async throws -> Result) async rethrows -> [Result] {
        var results: [Result] = []
        for index in self { results.append(try await body(index)) }
        return results
    }
}
