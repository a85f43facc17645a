@testable import KademliaCore
import Testing

/// Paths decoded the safe way, the browser-facing access rules, and replies on the wire.
@Suite struct HTTPTargetAndAccessTests {
    @Test func segmentsAreSplitFirstThenDecodedOnce() throws {
        #expect(try HTTPTarget.segments(of: "/api/v1/keys/a%2Fb") == ["api", "v1", "keys", "a/b"])
        #expect(try HTTPTarget.segments(of: "/api/v1/keys/a+b%20c") == ["api", "v1", "keys", "a+b c"])
        #expect(try HTTPTarget.segments(of: "/api/v1/keys/%25252F") == ["api", "v1", "keys", "%252F"], "decoded once only")
        #expect(try HTTPTarget.segments(of: "/api/v1/keys/%E4%B8%AD") == ["api", "v1", "keys", "中"])
        #expect(try HTTPTarget.segments(of: "/") == [])
        #expect(try HTTPTarget.segments(of: "/api/v1/keys/") == ["api", "v1", "keys", ""], "an empty last segment stays")
    }

    @Test(arguments: ["/k/%", "/k/%4", "/k/%zz", "/k/%C3", "/k/%FF%FE", "/k/%C0%AF"])
    func badEscapesAndInvalidUTF8AreRefused(_ path: String) {
        #expect(throws: HTTPTargetError.self) { try HTTPTarget.segments(of: path[...]) }
    }

    @Test func queryItemsDecodeBothSides() throws {
        let items = try HTTPTarget.queryItems(of: "key=hello%20world&ttl=30s&flag&salt=a%26b")
        #expect(items.map(\.name) == ["key", "ttl", "flag", "salt"])
        #expect(items.map(\.value) == ["hello world", "30s", "", "a&b"])
        #expect(throws: HTTPTargetError.self) { try HTTPTarget.queryItems(of: "key=%G1") }
    }

    private func request(_ headers: [(String, String)], method: String = "GET") -> HTTPRequest {
        HTTPRequest(method: method, target: "/api/v1/status", headers: HTTPHeaders(headers))
    }

    @Test func onlyTheExactHostsThisServerAnswersToPass() {
        let policy = HTTPAccessPolicy(port: 8080, extraHosts: ["dht.lan"])
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST:8080", "[::1]:8080", "dht.lan:8080"] {
            #expect(policy.check(request([("Host", host)])) == .allowed, "\(host)")
        }
        for host in ["evil.test", "evil.test:8080", "127.0.0.1.evil.test:8080", "127.0.0.1", "127.0.0.1:8081", "localhost.:8080", ""] {
            #expect(policy.check(request([("Host", host)])) == .refused(status: 403, reason: "this server does not answer to that Host"),
                    "\(host)")
        }
    }

    @Test func anotherOriginOrACrossSiteFetchIsRefused() {
        let policy = HTTPAccessPolicy(port: 8080)
        let host = ("Host", "127.0.0.1:8080")
        #expect(policy.check(request([host, ("Origin", "http://127.0.0.1:8080")], method: "POST")) == .allowed)
        #expect(policy.check(request([host, ("Origin", "http://localhost:8080")], method: "POST")) == .allowed)
        for origin in ["http://127.0.0.1:9999", "https://127.0.0.1:8080", "http://evil.test", "null", "http://127.0.0.1:8080.evil.test"] {
            #expect(policy.check(request([host, ("Origin", origin)], method: "POST"))
                    == .refused(status: 403, reason: "requests from another origin are refused"), "\(origin)")
        }
        #expect(policy.check(request([host, ("Sec-Fetch-Site", "cross-site")])) == .refused(status: 403, reason: "cross-site requests are refused"))
        #expect(policy.check(request([host, ("Sec-Fetch-Site", "same-origin")])) == .allowed)
    }

    @Test func aTokenIsRequiredOfEveryRequestButTheOpenOnes() {
        let policy = HTTPAccessPolicy(port: 8080, extraHosts: ["10.0.0.5"], token: "s3cret")
        let host = ("Host", "10.0.0.5:8080")
        let refused = HTTPAccess.refused(status: 401, reason: "a bearer token is required")
        #expect(policy.check(request([host])) == refused)
        #expect(policy.check(request([host, ("Authorization", "Bearer s3cre")])) == refused)
        #expect(policy.check(request([host, ("Authorization", "Bearer s3cret!")])) == refused)
        #expect(policy.check(request([host, ("Authorization", "Basic s3cret")])) == refused)
        #expect(policy.check(request([host, ("Authorization", "Bearer s3cret")])) == .allowed)
        #expect(policy.check(request([host, ("Authorization", "bearer  s3cret ")])) == .allowed)
        #expect(policy.check(request([host]), isOpen: true) == .allowed)
        #expect(policy.check(request([("Host", "evil.test:8080")]), isOpen: true) != .allowed, "the Host rule holds even there")
    }

    @Test func constantTimeComparisonIsStillAComparison() {
        #expect(HTTPAccessPolicy.constantTimeEqual("abc", "abc"))
        #expect(!HTTPAccessPolicy.constantTimeEqual("abc", "abd"))
        #expect(!HTTPAccessPolicy.constantTimeEqual("abc", "abcd"))
        #expect(!HTTPAccessPolicy.constantTimeEqual("", "a"))
        #expect(!HTTPAccessPolicy.constantTimeEqual(String(repeating: "a", count: 256), ""), "lengths 256 apart still differ")
        #expect(HTTPAccessPolicy.constantTimeEqual("", ""))
    }

    @Test func repliesSayTheirLengthAndNeverCORS() {
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("content-length", "999"), ("Allow", "GET, HEAD")])
        headers.add("access-control-allow-origin", "*")
        let reply = HTTPResponse(status: 405, headers: headers, body: Array("{}".utf8))
        let text = String(decoding: reply.encoded(closing: true), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nAllow: GET, HEAD\r\n"))
        #expect(text.contains("Content-Length: 2\r\n") && !text.contains("999"), "the real length, once")
        #expect(text.contains("Connection: close\r\n") && text.hasSuffix("\r\n\r\n{}"))
        #expect(!text.lowercased().contains("access-control"), "no CORS header, even one a caller set")
        let head = String(decoding: HTTPResponse.json(200, "{\"op\":\"status\"}").encoded(forHEAD: true), as: UTF8.self)
        #expect(head.contains("Content-Length: 16\r\n") && head.hasSuffix("\r\n\r\n"), "HEAD: the GET's length, no body")
    }
}
