import Foundation
import Testing
@testable import dht

/// The crawl, the page and the lookup's path through real nodes over loopback and HTTP.
@Suite(.timeLimit(.minutes(1))) struct CrawlProcessTests {
    private func request(_ port: UInt16, _ method: String, _ path: String, body: String = "") async throws -> RawHTTPReply {
        try await HTTPProcessTests.exchange(port, "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
                                            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
    }

    private func object(_ reply: RawHTTPReply) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
    }

    @Test func aCrawlOverHTTPFindsEveryNodeWithItsCountAndTellsTheEventStream() async throws {
        let (first, a) = try await HTTPProcessTests.start()
        var nodes = [first]
        defer { for node in nodes { node.kill() } }
        let seed = try #require(try object(try await request(a, "GET", "/api/v1/status"))["address"] as? String)
        var ports = [a]
        for _ in 0..<5 {
            let (node, port) = try await HTTPProcessTests.start([seed])
            nodes.append(node)
            ports.append(port)
        }
        for index in 0..<30 {
            #expect(try await request(ports[index % 6], "PUT", "/api/v1/keys/crawl-\(index)", body: "v").status == 200)
        }
        let events = try RawHTTPConnection(port: a)
        events.send("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:\(a)\r\n\r\n")
        #expect(try await events.reply(head: true).status == 200)

        #expect(try await request(a, "POST", "/api/v1/crawl", body: #"{"max_nodes":"many"}"#).status == 400)
        #expect(try await request(a, "POST", "/api/v1/crawl").status == 202)
        var crawl: [String: Any] = [:]
        for _ in 0..<100 {
            crawl = try object(try await request(a, "GET", "/api/v1/crawl"))
            if crawl["state"] as? String == "done" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(crawl["state"] as? String == "done" && crawl["found"] as? Int == 6 && crawl["answered"] as? Int == 6)
        let mapped = try #require(crawl["nodes"] as? [[String: Any]])
        for port in ports {
            let status = try object(try await request(port, "GET", "/api/v1/status"))
            let entry = mapped.first { $0["id"] as? String == status["id"] as? String }
            #expect(entry?["load"] as? Int == status["held_targets"] as? Int, "each load is the node's own count")
            #expect((status["uptime_s"] as? Int).map { $0 >= 0 } == true)
        }
        _ = try await events.streamed(until: #""state":"done","found":6"#)

        // The REPL's summary, through the command endpoint.
        let command = try await HTTPProcessTests.exchange(a, "POST /api/v1/command HTTP/1.1\r\nHost: 127.0.0.1:\(a)\r\n"
                                                          + "Accept: text/plain\r\nContent-Length: 5\r\n\r\ncrawl")
        #expect(command.status == 200 && command.body.hasPrefix("Crawled 6 nodes in "), "\(command.body)")

        // Where a key lives, with the path of the lookup that found out.
        let whereReply = try object(try await request(ports[2], "GET", "/api/v1/where/crawl-3"))
        let path = try #require(whereReply["path"] as? [[String: Any]])
        #expect(!path.isEmpty && path.allSatisfy { $0["round"] is Int && $0["answered"] is Bool && $0["id"] is String })
    }

    @Test func thePageIsServedWithItsPolicyAndNeedsNoToken() async throws {
        let (node, port) = try await HTTPProcessTests.start(["--http-token", "secret"])
        defer { node.kill() }
        let page = try await request(port, "GET", "/")
        #expect(page.status == 200 && page.headers["content-type"] == "text/html; charset=utf-8")
        #expect(page.headers["content-security-policy"]?.hasPrefix("default-src 'none'; script-src 'self'") == true)
        #expect(!page.body.contains("<script>") && !page.body.contains("style="), "nothing inline for the policy to refuse")
        let scripts = page.body.split(separator: "\"").filter { $0.hasPrefix("/page/") }
        #expect(scripts.count >= 3)
        for path in scripts { #expect(try await request(port, "GET", String(path)).status == 200, "\(path)") }
        #expect(try await request(port, "GET", "/page/nothing.js").status == 404)
        #expect(try await request(port, "GET", "/api/v1/crawl").status == 401, "the API still needs the token")
    }
}
