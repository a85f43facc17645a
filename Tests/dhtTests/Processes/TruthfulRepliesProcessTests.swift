import Foundation
import Kademlia
import Testing
@testable import dht

/// The real binary through pipes: replies that say what happened, and only that.
@Suite(.timeLimit(.minutes(1))) struct TruthfulRepliesProcessTests {
    /// One JSON reply as a dictionary.
    private func object(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
    }

    @Test func aPutWhoseBootstrapNodeIsSilentIsStoredOnlyHereAndSaysSo() async throws {
        let silent = try SilentUDPSocket()
        let node = try ReplProcess(["0", "--bind", "127.0.0.1", "--json", "127.0.0.1:\(silent.port)"])
        defer { node.kill() }
        let reply = try object(try await node.command("put k v", timeout: .seconds(20)))
        #expect(reply["stored_at"] as? Int == 1 && reply["only_here"] as? Bool == true, "\(reply)")
        try await node.waitForError(containing: "warning: stored only on this node: no other node answered")
        withExtendedLifetime(silent) {}
    }

    @Test func aTTLLongerThanACopyLivesIsExplained() async throws {
        let node = try ReplProcess(["0", "--bind", "127.0.0.1", "--value-lifetime", "1h"])
        defer { node.kill() }
        #expect(try await node.command("put --ttl 3h k v") == "Stored key 'k' at 1 nodes")
        #expect(try await node.readErrorLine() == "note: a copy lives at most 1h on a node; this node republishes it until its 3h "
                + "are up, so it lives that long only while this node runs")
        #expect(try await node.command("put --ttl 30m short v") == "Stored key 'short' at 1 nodes")
        #expect(try await node.command("quit") == "Goodbye!")
        #expect(try await node.waitForExit() == 0)
        #expect(!node.errorOutput.contains("30m are up"), "a TTL within the lifetime needs no note")
    }

    @Test func aMutableItemReadsBackByThePrintedTargetAndQuotedSalt() async throws {
        let node = try ReplProcess(["0", "--bind", "127.0.0.1"])
        defer { node.kill() }
        try node.send(#"mutable-put --salt "pro file" hello there"#)
        let stored = try await node.readLine()
        #expect(stored.hasPrefix("Stored mutable item "), "\(stored)")
        let hint = try await node.readLine()
        let readBack = try #require(hint.split(separator: ": ", maxSplits: 1).last.map(String.init), "\(hint)")
        #expect(readBack.hasSuffix(#" "pro file""#), "\(hint)")
        // What the hint says to type works as typed, and so does the key with the salt in single quotes.
        #expect(try await node.command(readBack) == "Item: hello there (seq 1)")
        let key = try #require(stored.split(separator: " ").last?.dropLast().description)
        #expect(try await node.command("mutable-get \(key) 'pro file'") == "Item: hello there (seq 1)")
        #expect(try await node.command("mutable-get \(key)")
                == "Mutable item of \(key) not found (was it put with --salt? give the salt after the key)")
        #expect(try await node.failingCommand("mutable-get 9f3c") == "Invalid hash '9f3c' for mutable-get: expected the 40-digit "
                + "target or the 64-digit public key that mutable-put printed (hexadecimal)")
    }

    @Test func unknownEnvironmentVariablesAreWarnedAndJSONLogLinesCarryFields() async throws {
        let node = try ReplProcess(["0", "--bind", "127.0.0.1", "--log-level", "info", "--log-format", "json"],
                                   environment: ["DHT_LOGLEVEL": "debug"])
        defer { node.kill() }
        try await node.waitForError(containing: "dht: warning: ignoring unknown environment variable DHT_LOGLEVEL (did you mean DHT_LOG_LEVEL?)")
        #expect(try await node.command("put fielded v") == "Stored key 'fielded' at 1 nodes")
        let line = try await node.waitForError(containing: #""event":"data""#)
        let record = try object(line)
        #expect(record["key"] as? String == "fielded" && record["nodes"] as? Int == 1 && record["seq"] as? Int == 0, "\(line)")
        #expect(record["queries"] as? Int != nil && record["level"] as? String == "info", "\(line)")
    }

    @Test func aPipedScriptKeepsAnswersOnStdoutAndExitsOneWhenALineFailed() async throws {
        let node = try ReplProcess(["0", "--bind", "127.0.0.1"])
        defer { node.kill() }
        for line in ["put a 1", "bogus", "put \"\" v", "get a", "get missing", "delete never-there"] { try node.send(line) }
        try node.closeInput()
        #expect(try await node.waitForExit() == 1)
        #expect(try await node.remainingOutput() == """
            Stored key 'a' at 1 nodes
            Value: 1
            Key 'missing' not found
            Key 'never-there' was not found; its tombstone is at 1 node all the same, so no unseen copy comes back
            Goodbye!

            """)
        let errors = try await node.errorLines().filter { line in !ReplProcess.bannerPrefixes.contains { line.hasPrefix($0) } }
        #expect(errors == ["Unknown command: bogus", "Type 'help' for the list of commands.",
                           "Empty keys are refused (put): a key needs at least one character", "dht: 2 commands failed"])
    }
}
