import Foundation
import Testing
@testable import dht

/// What a review of the API turned up, each pinned down against the real binary: the
/// token is checked before anything else, empty keys and bad bodies are the caller's
/// errors, and a body is never read as an option.
@Suite(.timeLimit(.minutes(1))) struct HTTPHardeningProcessTests {
    private func request(_ port: UInt16, _ head: String, body: [UInt8] = []) async throws -> RawHTTPReply {
        let connection = try RawHTTPConnection(port: port)
        connection.send("\(head)\r\nHost: 127.0.0.1:\(port)\r\nContent-Length: \(body.count)\r\n\r\n")
        if !body.isEmpty { connection.send(String(decoding: body, as: UTF8.self)) }
        return try await connection.reply()
    }

    @Test func withoutTheTokenAMalformedPathIsStill401() async throws {
        let (node, port) = try await HTTPProcessTests.start(["--http-token", "s3cret"])
        defer { node.kill() }
        #expect(try await request(port, "GET /api/v1/keys/%zz HTTP/1.1").status == 401)
        #expect(try await request(port, "GET /api/v1/keys/%zz?x=%zz HTTP/1.1").status == 401)
    }

    @Test func emptyKeysBadBodiesAndBadPortsAre400AndABodyIsNeverAnOption() async throws {
        let (node, port) = try await HTTPProcessTests.start()
        defer { node.kill() }
        for head in ["GET /api/v1/keys/ HTTP/1.1", "DELETE /api/v1/keys/ HTTP/1.1", "GET /api/v1/where/ HTTP/1.1",
                     "GET /api/v1/keys//watch HTTP/1.1"] {
            let reply = try await request(port, head)
            #expect(reply.status == 400 && reply.body.contains("Empty keys are refused"), "\(head): \(reply)")
        }
        #expect(try await request(port, "PUT /api/v1/keys/ HTTP/1.1", body: [UInt8]("v".utf8)).body.contains("(put)"))
        let notText = try await request(port, "POST /api/v1/items HTTP/1.1", body: [0xFF, 0xFE])
        #expect(notText.status == 400 && notText.body.contains("UTF-8"), "\(notText)")
        let hash = String(repeating: "ab", count: 20)
        for bad in ["1%202", "%2B5", "0", "65536", ""] {
            let reply = try await request(port, "POST /api/v1/torrents/\(hash)/announce?port=\(bad) HTTP/1.1")
            #expect(reply.status == 400, "port=\(bad): \(reply)")
        }
        #expect(try await request(port, "GET /api/v1/items/\(String(repeating: "a", count: 38)) HTTP/1.1").status == 400,
                "a hash of the wrong length")
        // The whole body is the item's text, even one that looks like the REPL's option.
        let put = try await request(port, "POST /api/v1/mutable HTTP/1.1", body: [UInt8]("--salt x  hello".utf8))
        #expect(put.status == 200, "\(put)")
        let object = try JSONSerialization.jsonObject(with: Data(put.body.utf8)) as? [String: Any]
        let target = try #require(object?["target"] as? String)
        let got = try await request(port, "GET /api/v1/mutable/\(target) HTTP/1.1")
        #expect(got.body.contains(#""item":"--salt x  hello""#), "\(got)")
    }

    @Test func theAPIAnswersToTheAddressItIsBoundTo() {
        var loopback = HTTPOptions()
        #expect(loopback.set("--http", to: "127.0.0.2:8080") == nil)
        #expect(loopback.policy(port: 8080).allowedHosts.contains("127.0.0.2:8080"))
        var everywhere = HTTPOptions()
        #expect(everywhere.set("--http", to: "0.0.0.0:8080") == nil)
        #expect(everywhere.set("--http-token", to: "t") == nil)
        let hosts = everywhere.policy(port: 8080, interfaces: ["192.0.2.2"]).allowedHosts
        #expect(hosts.contains("192.0.2.2:8080") && !hosts.contains("0.0.0.0:8080"))
    }
}
