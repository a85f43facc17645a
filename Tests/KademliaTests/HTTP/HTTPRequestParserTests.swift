@testable import KademliaCore
import Testing

/// The HTTP/1.1 parser: bytes in, a request or the status it must be refused with out.
@Suite struct HTTPRequestParserTests {
    /// Parses `text` whole and returns the first outcome (nil: it wants more bytes).
    private func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Result<HTTPRequest, HTTPParseError>? {
        var parser = HTTPRequestParser(limits: limits)
        parser.append(Array(text.utf8))
        return parser.next()
    }

    /// The status a request is refused with; nil when it parses or is incomplete.
    private func refusal(_ text: String, limits: HTTPLimits = HTTPLimits()) -> Int? {
        guard case .failure(let error) = parse(text, limits: limits) else { return nil }
        return error.status
    }

    @Test func aPlainGetWithKeepAlive() throws {
        let request = try parse("GET /api/v1/keys/a%2Fb?ttl=30s HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\n\r\n")?.get()
        #expect(request?.method == "GET" && request?.target == "/api/v1/keys/a%2Fb?ttl=30s" && request?.version == .http11)
        #expect(request?.rawPath == "/api/v1/keys/a%2Fb" && request?.rawQuery == "ttl=30s")
        #expect(request?.headers["HOST"] == "127.0.0.1:8080" && request?.body == [] && request?.keepsAlive == true)
    }

    @Test func connectionOptionsDecideKeepAlive() throws {
        #expect(try parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Close\r\n\r\n")?.get().keepsAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\n\r\n")?.get().keepsAlive == false)
        #expect(try parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")?.get().keepsAlive == true)
    }

    @Test func aBodyComesWhole() throws {
        let request = try parse("PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")?.get()
        #expect(request?.body == Array("hello".utf8))
        #expect(parse("PUT /k HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nhello") == nil, "one byte short: wait")
    }

    @Test func pipelinedRequestsComeOutInOrderWhateverTheReadsSplit() throws {
        let bytes = Array("GET /a HTTP/1.1\r\nHost: h\r\n\r\nPUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyzHEAD /c HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        for split in 0...bytes.count {
            var parser = HTTPRequestParser()
            var seen: [String] = []
            for chunk in [bytes[..<split], bytes[split...]] {
                parser.append(chunk)
                while let outcome = parser.next() { seen.append(try outcome.get().method + " " + (try outcome.get().target)) }
            }
            #expect(seen == ["GET /a", "PUT /b", "HEAD /c"], "split at \(split)")
            #expect(parser.bufferedCount == 0)
        }
    }

    /// Every hostile or malformed head the issue lists, with the status it must get.
    @Test(arguments: [
        ("both Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("two Content-Lengths", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
        ("a signed Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\nabc", 400),
        ("a list Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc", 400),
        ("an empty Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400),
        ("a huge Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
        ("a chunked body", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", 411),
        ("another transfer coding", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("a body over 16 KiB", "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 16385\r\n\r\n", 413),
        ("no Host in HTTP/1.1", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400),
        ("two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("a bare CR in a header", "GET / HTTP/1.1\r\nHost: h\rX: y\r\n\r\n", 400),
        ("a bare LF", "GET / HTTP/1.1\nHost: h\n\n", 400),
        ("a NUL in a header", "GET / HTTP/1.1\r\nHost: h\0\r\n\r\n", 400),
        ("a control character in a value", "GET / HTTP/1.1\r\nHost: h\u{1}\r\n\r\n", 400),
        ("a folded header", "GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\n", 400),
        ("a blank before the colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),
        ("a header with no colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", 400),
        ("two spaces in the request line", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("an absolute target", "GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("a raw non-ASCII target", "GET /ключ HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("a lowercase version", "GET / http/1.1\r\nHost: h\r\n\r\n", 400),
        ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("a method that is no token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
    ])
    func hostileHeadsAreRefused(_ name: String, _ text: String, _ status: Int) {
        #expect(refusal(text) == status, "\(name)")
    }

    @Test func limitsBoundTheLineTheHeadersAndTheirCount() {
        let longTarget = "/" + String(repeating: "a", count: 8 * 1024)
        #expect(refusal("GET \(longTarget) HTTP/1.1\r\nHost: h\r\n\r\n") == 414)
        #expect(refusal("GET \(longTarget)", limits: HTTPLimits()) == 414, "refused before the line ends: nothing unbounded is kept")
        #expect(refusal("GET \(String(longTarget.dropLast(20))) HTTP/1.1\r\nHost: h\r\n\r\n") == nil)
        let bigHeader = "X-Big: " + String(repeating: "b", count: 16 * 1024)
        #expect(refusal("GET / HTTP/1.1\r\nHost: h\r\n\(bigHeader)\r\n\r\n") == 431)
        #expect(refusal("GET / HTTP/1.1\r\nHost: h\r\n\(bigHeader)") == 431, "refused while the header is still arriving")
        let many = (0..<100).map { "X-\($0): v\r\n" }.joined()
        #expect(refusal("GET / HTTP/1.1\r\nHost: h\r\n\(many)\r\n") == 431, "101 fields")
        let enough = (0..<99).map { "X-\($0): v\r\n" }.joined()
        #expect(refusal("GET / HTTP/1.1\r\nHost: h\r\n\(enough)\r\n") == nil, "100 fields")
        #expect(refusal(String(repeating: "\r\n", count: 5000)) == 400, "empty lines are counted too")
    }

    @Test func afterAnErrorTheParserStaysFailed() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n".utf8))
        #expect(parser.next() == .failure(.badRequest("a Content-Length that is not a plain number")))
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        #expect(parser.next()?.isFailure == true)
    }

    @Test func randomBytesNeverTrapAndNeverBufferPastTheLimits() {
        var random = SeededGenerator(seed: 20)
        let alphabet = Array("GET /PUT:HTTP/1.1\r\n \tHost: aContent-Length: 5Transfer-Encoding\u{0}\u{7f}é".utf8)
        for _ in 0..<2000 {
            var parser = HTTPRequestParser()
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                parser.append((0..<Int.random(in: 0...700, using: &random)).map { _ in
                    Bool.random(using: &random) ? alphabet.randomElement(using: &random) ?? 0 : UInt8.random(in: 0...255, using: &random)
                })
                while let outcome = parser.next() { if outcome.isFailure { break } }
                if parser.failure != nil { break }
                #expect(parser.bufferedCount <= 8 * 1024 + 16 * 1024 + 16 * 1024 + 700 * 8)
            }
        }
    }
}

extension Result {
    /// Whether this is a failure.
    var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}
