@testable import KademliaCore
import Testing

/// What a client reads back: a reply's head, and an event stream split anywhere.
@Suite struct HTTPResponseHeadTests {
    @Test func aHeadIsReadOnceItsBlankLineHasArrived() {
        let reply = Array("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 3\r\n\r\n{}\n".utf8)
        for cut in 0..<(reply.count - 3) {
            #expect(HTTPResponseHead.read(Array(reply[..<cut])) == .incomplete, "cut at \(cut)")
        }
        guard case .head(let head) = HTTPResponseHead.read(reply) else { Issue.record("no head"); return }
        #expect(head.status == 404 && head.headers["content-type"] == "application/json" && head.contentLength == 3)
        #expect(head.length == reply.count - 3)
    }

    @Test func whatIsNoReplyIsSaidSo() {
        for bad in ["SSH-2.0-OpenSSH\r\n\r\n", "HTTP/1.1 99 Low\r\n\r\n", "HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nno colon\r\n\r\n"] {
            guard case .malformed = HTTPResponseHead.read(Array(bad.utf8)) else { Issue.record("accepted \(bad.debugDescription)"); continue }
        }
        #expect(HTTPResponseHead.read([UInt8](repeating: 0x41, count: 20_000)) != .incomplete, "a head without end is bounded")
        let noLength = HTTPResponseHead.read(Array("HTTP/1.0 200 OK\r\nContent-Length: +5\r\n\r\n".utf8))
        if case .head(let head) = noLength { #expect(head.contentLength == nil) } else { Issue.record("\(noLength)") }
    }

    @Test func eventsComeOutWhole() {
        let stream = Array(": heartbeat\n\nid: 3\r\nevent: version\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: one\ndata: two\n\ndata\n\nid: 9\n\n".utf8)
        let expected = [ServerSentEvent(id: 3, type: "version", data: #"{"a":1}"#), ServerSentEvent(id: nil, type: "x", data: "one\ntwo"),
                        ServerSentEvent(id: nil, type: "message", data: "")]
        var whole = ServerSentEventParser()
        #expect(whole.feed(stream) == expected)
        for seed in 0..<200 {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var index = 0
            var step = seed % 7 + 1
            while index < stream.count {
                let end = min(stream.count, index + step)
                events += parser.feed(stream[index..<end])
                index = end
                step = (step * 5 + seed) % 9 + 1
            }
            #expect(events == expected, "split with seed \(seed)")
        }
    }

    @Test func anEndlessLineOrEventIsBounded() {
        var parser = ServerSentEventParser(limit: 100)
        let long = Array("data: ".utf8) + [UInt8](repeating: 0x61, count: 10_000) + Array("\n\n".utf8)
        let events = parser.feed(long)
        #expect(events.count == 1 && events[0].data.utf8.count <= 100)
    }
}
