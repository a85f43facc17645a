@testable import KademliaCore
import Testing

/// One connection's life on a virtual clock: order, refusals and the deadlines.
@Suite struct HTTPConnectionStateTests {
    private let start = Timestamp(nanoseconds: 1_000_000_000)

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    /// The requests among `actions`, as "METHOD target".
    private func handled(_ actions: [HTTPConnectionAction]) -> [String] {
        actions.compactMap { if case .handle(let request) = $0 { "\(request.method) \(request.target)" } else { nil } }
    }

    @Test func pipelinedRequestsAreHandledOneAtATimeInOrder() {
        var connection = HTTPConnectionState(now: start)
        let first = connection.received(bytes("GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\n"), now: start)
        #expect(handled(first) == ["GET /a"], "the second waits for the first's reply")
        #expect(connection.deadline == nil, "nothing is due while a request is handled")
        let reply = HTTPResponse.json(200, "{}")
        let second = connection.replied(reply, keepAlive: true, now: start + .seconds(30))
        #expect(second.first == .send(reply.encoded()))
        #expect(handled(second) == ["HEAD /b"], "a slow first reply does not time the second out")
        let third = connection.replied(reply, keepAlive: true, now: start + .seconds(31))
        #expect(third == [.send(reply.encoded(forHEAD: true))], "HEAD: headers only")
        #expect(connection.deadline == start + .seconds(31) + HTTPConnectionState.idleTimeout)
    }

    @Test func connectionCloseIsHonouredAfterTheReply() {
        var connection = HTTPConnectionState(now: start)
        _ = connection.received(bytes("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), now: start)
        let reply = HTTPResponse.json(200, "{}")
        #expect(connection.replied(reply, keepAlive: false, now: start) == [.send(reply.encoded(closing: true)), .close])
        #expect(connection.received(bytes("GET / HTTP/1.1\r\n"), now: start).isEmpty, "nothing after closing")
    }

    @Test func aBadRequestIsAnsweredWithItsStatusAndCloses() {
        var connection = HTTPConnectionState(now: start)
        let actions = connection.received(bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), now: start)
        guard case .send(let refusal) = actions.first else { Issue.record("no refusal: \(actions)"); return }
        let text = String(decoding: refusal, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 400 Bad Request\r\n") && text.contains("Connection: close"))
        #expect(text.hasSuffix(#"{"error":"bad request: both Content-Length and Transfer-Encoding"}"# + "\n"))
        #expect(actions.last == .close)
    }

    @Test func aSlowHeadIsCutOffTenSecondsAfterItsFirstByte() {
        var connection = HTTPConnectionState(now: start)
        var now = start
        // One byte a second, as a slowloris client sends.
        for byte in bytes("GET / HTTP/1.1\r\nHost: h").prefix(10) {
            #expect(connection.tick(now: now).isEmpty, "still within ten seconds")
            _ = connection.received([byte], now: now)
            now = now + .seconds(1)
        }
        let closing = connection.tick(now: start + .seconds(10))
        #expect(closing.count == 2 && closing.last == .close)
        if case .send(let reply) = closing.first { #expect(String(decoding: reply, as: UTF8.self).hasPrefix("HTTP/1.1 408")) }
    }

    @Test func anIdleOrSilentConnectionCloses() {
        var silent = HTTPConnectionState(now: start)
        #expect(silent.tick(now: start + .seconds(9)).isEmpty)
        #expect(silent.tick(now: start + .seconds(10)) == [.close], "nothing ever sent: closed without a reply")
        var idle = HTTPConnectionState(now: start)
        _ = idle.received(bytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"), now: start)
        _ = idle.replied(HTTPResponse(status: 204), keepAlive: true, now: start + .seconds(1))
        #expect(idle.tick(now: start + .seconds(30)).isEmpty)
        #expect(idle.tick(now: start + .seconds(31)) == [.close])
    }
}
