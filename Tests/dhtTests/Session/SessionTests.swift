import Foundation
import Kademlia
import Synchronization
import Testing
@testable import dht

/// The session loop in-process: order, cancellation, signals, and the new commands' replies.
@Suite(.timeLimit(.minutes(1))) struct SessionTests {
    @Test func inspectionCommandsOnALoneNode() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { node.stop() }
        let lines = try await ReplTests.run(["keys", "peers", #"put "my key" v"#, "delete gone", "keys", "keys --all",
                                             #"where "my key""#], on: node).all
        #expect(lines.prefix(2) == ["No keys stored on this node", "No contacts known"])
        #expect(lines.contains("Key 'gone' was not found; its tombstone is at 1 node all the same, so no unseen copy comes back"))
        // A deleted key is counted, not listed, unless asked for.
        let plain = try #require(lines.firstIndex(of: "1 value"))
        #expect(lines[plain + 1] == "1 deleted key not shown (keys --all lists it)")
        #expect(lines.contains { $0.hasPrefix(#""my key"    0      1 B  23h 59m left"#) }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("gone        0  deleted  23h 59m left") }, "\(lines)")
        #expect(lines.contains("1 value, 1 tombstone"))
        #expect(lines.contains { $0.hasPrefix(#"The 1 node closest to "my key" (target "#) })
        #expect(lines.contains { $0.contains("127.0.0.1:\(node.address.port)  this node  seq 0") }, "\(lines)")
        #expect(lines.contains("Held by 1 of 1"))
    }

    @Test func keysAndStatusListTheBEP44ItemsHeld() async throws {
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { node.stop() }
        let lines = try await ReplTests.run(["status", "item-put 12:Hello World!", "mutable-put i7e", "keys", "status"],
                                            on: node).all
        #expect(!lines.prefix(12).contains { $0.hasPrefix("BEP 44 items") }, "no line while none is held: \(lines)")
        // The REPL stores its text as a bencoded string: 18 and 5 bytes.
        let immutable = BEP44Rules.immutableTarget(of: Array("15:12:Hello World!".utf8)).hex.prefix(16)
        #expect(lines.contains { $0.hasPrefix("\(immutable)  immutable") && $0.hasSuffix("18 B  1h 59m left") }, "\(lines)")
        #expect(lines.contains { $0.contains("mutable, seq 1") && $0.hasSuffix(" 5 B  1h 59m left") }, "\(lines)")
        #expect(lines.contains("2 BEP 44 items"), "\(lines)")
        #expect(lines.contains("BEP 44 items: 2"))
    }

    @Test func jsonRepliesParseAndErrorsAreObjectsToo() async throws {
        let lines = try await ReplTests.run(["put k v", "get k", "get nope", "put", "frobnicate", #"get "open"#, "status"],
                                            format: .json).all
        let objects = try lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
        #expect(lines[1] == #"{"op":"get","key":"k","found":true,"value":"v","seq":0}"#)
        #expect(objects[0]["stored_at"] as? Int == 1)
        #expect(objects[2]["found"] as? Bool == false)
        #expect(objects[3]["error"] as? String == "usage")
        #expect(objects[4]["op"] as? String == "frobnicate")
        #expect((objects[5]["error"] as? String)?.hasPrefix("Unclosed quote") == true)
        #expect(objects[6]["op"] as? String == "status")
        #expect(objects.last?["message"] as? String == "Goodbye!")
    }

    @Test func aPipelineRunsCommandsTogetherAndRepliesInInputOrder() async throws {
        // The join waits on a silent node while the puts behind it finish: their replies wait.
        try await withSlowSession(pipeline: 8, { post in
            for line in ["put a 1", "put b 2", "status", "get a"] { post.yield(.line(line)) }
            post.yield(.endOfInput)
        }, check: { ending, merged in
            // The bootstrap node is silent, so each put also warns that it is stored only here.
            let lines = merged.filter { !$0.hasPrefix("warning: stored only on this node") }
            #expect(merged.count - lines.count == 2, "\(merged)")
            #expect(ending == .endOfInput)
            #expect(lines.firstIndex(of: "Stored key 'a' at 1 nodes") == 1, "the join's reply comes first: \(lines)")
            #expect(lines.dropFirst().prefix(2) == ["Stored key 'a' at 1 nodes", "Stored key 'b' at 1 nodes"], "\(lines)")
            #expect(lines.dropFirst(3).first == "=== Node Status ===", "status waits for everything before it")
            #expect(lines.last == "Value: 1", "\(lines)")
        })
    }

    /// Runs a session over a node whose only bootstrap node is silent, so network commands wait.
    private func withSlowSession(pipeline: Int = 1, _ body: (AsyncStream<SessionEvent>.Continuation) async throws -> Void,
                                 check: (SessionEnding, [String]) -> Void) async throws {
        let silent = try SilentUDPSocket()
        var configuration = NodeConfiguration()
        configuration.rpcTimeout = .seconds(5)
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration)
        defer { node.stop() }
        let transcript = ReplTests.Transcript()
        let (events, post) = AsyncStream.makeStream(of: SessionEvent.self)
        let session = Session(repl: REPL(node: node), format: .text, screen: transcript, pipeline: pipeline)
        async let ending = session.run(events: events, post: { post.yield($0) })
        post.yield(.line("join 127.0.0.1:\(silent.port)"))
        try await body(post)
        check(await ending, transcript.merged)
        withExtendedLifetime(silent) {}
    }

    @Test func ctrlCCancelsTheRunningCommandAndTheNextLineRuns() async throws {
        let started = ContinuousClock.now
        try await withSlowSession({ post in
            try await Task.sleep(for: .milliseconds(100))
            post.yield(.interrupt)
            post.yield(.line("help"))
            post.yield(.endOfInput)
        }, check: { ending, lines in
            #expect(ending == .endOfInput)
            #expect(lines.first == "Cancelled")
            #expect(lines.dropFirst().first == "Commands:")
            #expect(!lines.contains { $0.hasPrefix("Could not join") })
        })
        #expect(ContinuousClock.now - started < .seconds(4), "did not wait for the 5 s timeout")
    }

    @Test func aSignalEndsTheSessionAtOnceAndQueuedLinesAreDropped() async throws {
        try await withSlowSession({ post in
            post.yield(.line("status"))
            try await Task.sleep(for: .milliseconds(100))
            post.yield(.signal(SIGTERM))
        }, check: { ending, lines in
            #expect(ending == .signal(SIGTERM))
            #expect(lines.isEmpty, "status waited behind the join and was dropped: \(lines)")
        })
    }

    @Test func pipedLinesWaitTheirTurnSoRepliesKeepInputOrder() async throws {
        let lines = try await ReplTests.run((0..<20).flatMap { ["put k\($0) v\($0)", "get k\($0)"] }).all
        let expected = (0..<20).flatMap { ["Stored key 'k\($0)' at 1 nodes", "Value: v\($0)"] } + ["Goodbye!"]
        #expect(lines == expected)
    }
}
