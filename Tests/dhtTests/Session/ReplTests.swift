import Kademlia
import Synchronization
import Testing
@testable import dht

/// The REPL loop in-process, against a lone node on loopback (no peers, so nothing waits on the network).
@Suite struct ReplTests {
    /// Collects what the session writes: replies, warnings and prompts.
    final class Transcript: SessionScreen {
        private let lines = Mutex<[String]>([])
        private let warnings = Mutex<[String]>([])
        /// Both streams' lines in the order written, as a terminal shows them.
        private let both = Mutex<[String]>([])
        private let prompts = Mutex(0)
        let countsPrompts: Bool
        init(countsPrompts: Bool = false) { self.countsPrompts = countsPrompts }
        func reply(_ text: String) {
            let split = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.withLock { $0 += split }
            both.withLock { $0 += split }
        }
        func warn(_ text: String) {
            warnings.withLock { $0.append(text) }
            both.withLock { $0 += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        }
        func setReady(_ ready: Bool) { if ready && countsPrompts { prompts.withLock { $0 += 1 } } }
        /// Stdout's lines.
        var all: [String] { lines.withLock { $0 } }
        /// Stderr's writes, one per warning or error.
        var stderr: [String] { warnings.withLock { $0 } }
        /// Stdout's and stderr's lines interleaved as written.
        var merged: [String] { both.withLock { $0 } }
        var promptCount: Int { prompts.withLock { $0 } }
    }

    /// Runs `input` through a session on `node` (a lone one by default), then says goodbye as the program does.
    static func run(_ input: [String], on node: DHTNode? = nil, format: ReplyFormat = .text,
                    interactive: Bool = false) async throws -> Transcript {
        let node = try node ?? DHTNode.udp(port: 0, host: "127.0.0.1")
        let transcript = Transcript(countsPrompts: interactive)
        let (stream, continuation) = AsyncStream.makeStream(of: SessionEvent.self)
        for line in input { continuation.yield(.line(line)) }
        continuation.yield(.endOfInput)
        let session = Session(repl: REPL(node: node), format: format, screen: transcript)
        _ = await session.run(events: stream, post: { continuation.yield($0) })
        transcript.reply(format.render(Replies.goodbye))
        return transcript
    }

    /// Both streams' lines, as a terminal shows them, and the prompts drawn.
    private func run(_ input: [String], interactive: Bool = false) async throws -> (lines: [String], prompts: Int) {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { node.stop() }
        let transcript = try await Self.run(input, on: node, interactive: interactive)
        return (transcript.merged, transcript.promptCount)
    }

    @Test func errorsGoToStderrAndAnswersToStdout() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { node.stop() }
        let transcript = try await Self.run(["put k v", "frobnicate", "get k", "put", "get nothing", "put \"\" v"], on: node)
        #expect(transcript.all == ["Stored key 'k' at 1 nodes", "Value: v", "Key 'nothing' not found", "Goodbye!"])
        #expect(transcript.stderr == ["Unknown command: frobnicate\nType 'help' for the list of commands.", "Usage: put <key> <value>",
                                      "Empty keys are refused (put): a key needs at least one character"])
    }

    @Test func localCommandsThenQuitIgnoresTheRest() async throws {
        let (lines, prompts) = try await run(["", "frobnicate", "put", "get", "help", "quit", "status"])
        #expect(prompts == 0)
        #expect(lines.first == "Unknown command: frobnicate")
        #expect(lines.contains("Usage: put <key> <value>"))
        #expect(lines.contains("Usage: get <key>"))
        #expect(lines.contains("Commands:"))
        #expect(lines.last == "Goodbye!")
        #expect(!lines.contains("=== Node Status ==="))
    }

    @Test func statusShowsTheBoundAddress() async throws {
        let (lines, _) = try await run(["status"])
        #expect(lines.first == "=== Node Status ===")
        #expect(lines.contains { $0.hasPrefix("Address: 127.0.0.1:") && !$0.hasSuffix(":0") })
        #expect(lines.contains("Total known nodes: 0"))
        #expect(lines.last == "Goodbye!")
    }

    @Test func oversizedValueIsRefusedBeforePut() async throws {
        let value = String(repeating: "x", count: DHTNode.maxValueSize + 1)
        let (lines, _) = try await run(["put big \(value)", "status"])
        #expect(lines.first == "Value too large: \(DHTNode.maxValueSize + 1) bytes (limit \(DHTNode.maxValueSize))")
        #expect(lines.contains("Stored keys: 0"))
    }

    @Test func putWithATTLStoresLikeAPlainPut() async throws {
        let (lines, _) = try await run(["put --ttl 30s k v", "put --ttl=10s k2  v ", "get k", "get k2"])
        #expect(lines.prefix(4) == ["Stored key 'k' at 1 nodes", "Stored key 'k2' at 1 nodes", "Value: v", "Value:  v "])
    }

    @Test func badPutOptionsStoreNothing() async throws {
        let (lines, _) = try await run(["put --ttl 5 k v", "put --ttl 0s k v", "put --foo k v", "put --ttl", "status"])
        #expect(lines.prefix(4) == [
            "Invalid duration '5' for --ttl: no unit; expected a whole number and a unit (ms, s, m, h or d), such as 30s or 2h",
            "Invalid duration '0s' for --ttl: must be more than zero",
            "Unknown option '--foo' for put; put takes only --ttl DURATION",
            "Option --ttl needs a duration: a whole number and a unit (ms, s, m, h or d), such as 30s or 2h",
        ])
        #expect(lines.contains("Stored keys: 0"))
    }

    @Test
    func deleteOnALoneNodeRemovesTheValue() async throws {
        let (lines, _) = try await run(["put k v", "delete k", "get k", "status"])
        #expect(lines.prefix(3) == ["Stored key 'k' at 1 nodes", "Deleted key 'k' at 1 nodes", "Key 'k' not found"])
        #expect(lines.contains("Stored keys: 0"))
        #expect(lines.contains("Tombstones: 1"))
    }

    @Test func deleteNeedsOneKey() async throws {
        let (lines, _) = try await run(["delete", "delete a b"])
        #expect(lines.prefix(2) == ["Usage: delete <key>", "Usage: delete <key>"])
    }

    @Test func joinThroughAnotherNodeAddsItToTheTable() async throws {
        let peer = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { peer.stop() }
        let endpoint = "127.0.0.1:\(peer.address.port)"
        let (lines, _) = try await run(["join \(endpoint)", "status"])
        #expect(lines.first == "Joined through \(endpoint): 1 node known")
        #expect(lines.contains("Total known nodes: 1"))
    }

    @Test func joinFailuresAreOneLineAndKeepTheREPLGoing() async throws {
        let silent = try SilentUDPSocket()
        let (lines, _) = try await run(["join localhost", "join", "join 127.0.0.1:\(silent.port)", "join 8001", "status"])
        #expect(lines.prefix(4) == [
            "Could not join: node 'localhost' has no port (expected host:port)",
            "Usage: join <host:port>",
            "Could not join through 127.0.0.1:\(silent.port): no answer",
            "Could not join: node '8001' is a port alone: give host:port, such as localhost:8001",
        ])
        #expect(lines.contains("Total known nodes: 0"))
        withExtendedLifetime(silent) {}
    }

    @Test func interactivePromptsOncePerLineAndEndsOnItsOwnLine() async throws {
        let (lines, prompts) = try await run(["", "help"], interactive: true)
        // One before the first line and one after each line.
        #expect(prompts == 3)
        #expect(lines.last == "Goodbye!")
    }
}
