import Foundation
import Testing
@testable import dht

/// Three real nodes over loopback, reached only through HTTP: the seed's commands, a put
/// on one read on another, a watch on the third pushed each new version, and health that
/// follows the network.
@Suite(.timeLimit(.minutes(1))) struct WatchProcessTests {
    /// The UDP address a node's status reports.
    private func udpAddress(_ port: UInt16) async throws -> String {
        let status = try await HTTPProcessTests.exchange(port, "GET /api/v1/status HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")
        let object = try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
        return try #require(object?["address"] as? String)
    }

    private func request(_ port: UInt16, _ method: String, _ path: String, body: String = "") async throws -> RawHTTPReply {
        try await HTTPProcessTests.exchange(port, "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
                                            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }

    /// Three nodes with the API on, the second and third joined through the first; their processes and API ports.
    private func startThreeNodes() async throws -> (nodes: [ReplProcess], a: UInt16, b: UInt16, c: UInt16) {
        let (first, a) = try await HTTPProcessTests.start()
        let seed = try await udpAddress(a)
        let (second, b) = try await HTTPProcessTests.start([seed])
        let (third, c) = try await HTTPProcessTests.start([seed])
        return ([first, second, third], a, b, c)
    }

    /// A `find_value` count from a node's `/metrics`.
    private func findValuesSent(_ port: UInt16) async throws -> Int {
        let page = try await request(port, "GET", "/metrics").body
        let line = page.split(separator: "\n").first { $0.hasPrefix(#"dht_queries_out_total{method="find_value"}"#) }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test func aWatchOnOneNodeIsPushedEachVersionPutOnAnotherWithinASecond() async throws {
        let (nodes, a, b, c) = try await startThreeNodes()
        defer { for node in nodes { node.kill() } }
        for port in [a, b, c] {
            var healthy = false
            for _ in 0..<100 where !healthy {
                healthy = try await request(port, "GET", "/api/v1/health").status == 200
                if !healthy { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(healthy, "node on \(port) never became healthy")
        }

        // The seed's three curl commands, against different nodes.
        #expect(try await request(a, "POST", "/api/put", body: #"{"key":"hello","value":"world"}"#).status == 200)
        #expect(try await request(b, "GET", "/api/get?key=hello").body.contains(#""value":"world""#))
        #expect(try await request(c, "GET", "/api/status").status == 200)

        let watch = try RawHTTPConnection(port: c)
        watch.send("GET /api/v1/keys/hello/watch HTTP/1.1\r\nHost: 127.0.0.1:\(c)\r\n\r\n")
        #expect(try await watch.reply(head: true).status == 200)
        _ = try await watch.streamed(until: #""seq":0,"value":"world"}"#)
        let queriesBefore = try await findValuesSent(c)

        var delays: [Duration] = []
        for version in 1...20 {
            let started = ContinuousClock.now
            let put = try await request(version.isMultiple(of: 2) ? a : b, "PUT", "/api/v1/keys/hello", body: "v\(version)")
            #expect(put.status == 200)
            _ = try await watch.streamed(until: #""seq":\#(version),"value":"v\#(version)"}"#)
            delays.append(ContinuousClock.now - started)
        }
        #expect(try await request(a, "DELETE", "/api/v1/keys/hello").status == 200)
        _ = try await watch.streamed(until: #""deleted":true,"seq":21}"#)
        let sorted = delays.sorted()
        let median = sorted[sorted.count / 2]
        print("watch over loopback: put to event p50 \(median), max \(sorted.last ?? .zero), 20 versions")
        #expect(median < .seconds(1))
        // A poller asking the 8 closest once a second would send dozens; upkeep may send a few.
        #expect(try await findValuesSent(c) - queriesBefore < 5, "the watcher was told; it did not ask")

        // Health follows the network: with the other two gone, the third is cut off.
        nodes[0].kill()
        nodes[1].kill()
        var unhealthy = false
        for _ in 0..<300 where !unhealthy {
            unhealthy = try await request(c, "GET", "/api/v1/health").status == 503
            if !unhealthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(unhealthy, "health never turned 503 after the others stopped")
    }

    @Test(.enabled(if: TmuxSession.isAvailable, "tmux is not installed"))
    func theREPLsWatchPrintsEachVersionUntilCtrlC() async throws {
        let (holder, port) = try await HTTPProcessTests.start()
        defer { holder.kill() }
        let seed = try await udpAddress(port)
        let session = try TmuxSession([try ReplProcess.binaryURL().path, "0", seed, "--bind", "127.0.0.1", "--history-file", ""])
        defer { session.kill() }
        try await session.waitFor(text: Output.replHint)
        #expect(try await request(port, "PUT", "/api/v1/keys/news", body: "first").status == 200)
        try session.sendText("watch news\r")
        try await session.waitFor(text: "Value: first (seq 0)")
        #expect(try await request(port, "PUT", "/api/v1/keys/news", body: "second").status == 200)
        try await session.waitFor(text: "Value: second (seq 1)")
        #expect(try await request(port, "DELETE", "/api/v1/keys/news").status == 200)
        try await session.waitFor(text: "Key 'news' deleted (seq 2)")
        try session.sendKeys("C-c")
        try await session.waitFor(text: "Stopped watching")
        try session.sendText("get news\r")
        try await session.waitFor(text: "Key 'news' not found")
        try session.sendKeys("C-d")
        #expect(try await session.waitForExit() == 0)
    }

    @Test func aKeyReadAgainIsAnsweredFromItsWatchAndEachNewVersionShowsWithinASecond() async throws {
        let (nodes, a, b, c) = try await startThreeNodes()
        defer { for node in nodes { node.kill() } }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await request(a, "PUT", "/api/v1/keys/hot", body: "v0").status == 200)
        #expect(try await request(c, "GET", "/api/v1/keys/hot").body.contains(#""value":"v0""#))
        try await Task.sleep(for: .milliseconds(300))  // the watch's first round
        let before = try await findValuesSent(c)
        /// Reads the key on c until it shows `text`, for at most a second; returns the stale reads.
        func readUntil(_ text: String) async throws -> Int {
            var stale = 0
            let deadline = ContinuousClock.now + .seconds(1)
            while ContinuousClock.now < deadline {
                if try await request(c, "GET", "/api/v1/keys/hot").body.contains(text) { return stale }
                stale += 1
            }
            Issue.record("c never read \(text)")
            return stale
        }
        var staleReads = 0
        for version in 1...10 {
            // Written through another node, the new version reaches c's watch as the holders' notify,
            // within milliseconds; a read in between may still see the previous one.
            #expect(try await request(version.isMultiple(of: 2) ? a : b, "PUT", "/api/v1/keys/hot", body: "v\(version)").status == 200)
            staleReads += try await readUntil(#""value":"v\#(version)""#)
            for _ in 0..<2 { #expect(try await request(c, "GET", "/api/v1/keys/hot").body.contains(#""value":"v\#(version)""#)) }
        }
        // Written through c itself, the next read is never stale: the write made the cached version unsure.
        #expect(try await request(c, "PUT", "/api/v1/keys/hot", body: "mine").status == 200)
        #expect(try await request(c, "GET", "/api/v1/keys/hot").body.contains(#""value":"mine""#))
        #expect(try await request(b, "DELETE", "/api/v1/keys/hot").status == 200)
        var deleted = false
        for _ in 0..<100 where !deleted {
            deleted = try await request(c, "GET", "/api/v1/keys/hot").status == 404
        }
        #expect(deleted, "the delete, pushed, reached c")
        print("hot key: \(staleReads) stale reads over 10 versions written through other nodes")
        #expect(try await findValuesSent(c) - before < 5, "about 40 reads, and the watch answered them")
    }
}
