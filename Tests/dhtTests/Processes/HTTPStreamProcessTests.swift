import Foundation
import Testing
@testable import dht

/// The real binary's event streams over loopback: what a reader sees, resuming, and the bounds.
@Suite(.timeLimit(.minutes(1))) struct HTTPStreamProcessTests {
    /// Opens `path` as a stream on a connection of its own; returns the connection once the head is read.
    private func openStream(_ port: UInt16, _ path: String, extra: String = "") async throws -> (RawHTTPConnection, RawHTTPReply) {
        let connection = try RawHTTPConnection(port: port)
        connection.send("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\(extra)\r\n")
        return (connection, try await connection.reply(head: true))
    }

    @Test func theEventStreamShowsAPutAndResumesAfterTheLastIDItSaw() async throws {
        let (node, port) = try await HTTPProcessTests.start()
        defer { node.kill() }
        let (events, head) = try await openStream(port, "/api/v1/events")
        #expect(head.status == 200 && head.headers["content-type"] == "text/event-stream" && head.headers["content-length"] == nil)
        #expect(head.headers["connection"] == "close" && head.headers["access-control-allow-origin"] == nil)
        _ = try await events.streamed(until: "event: stats\n")
        let host = "Host: 127.0.0.1:\(port)"
        #expect(try await HTTPProcessTests.exchange(port, "PUT /api/v1/keys/watched HTTP/1.1\r\n\(host)\r\nContent-Length: 2\r\n\r\nv1").status == 200)
        let seen = try await events.streamed(until: "event: value_stored\n")
        #expect(seen.contains(#""key":"watched","seq":0,"bytes":2"#), "\(seen)")
        #expect(seen.contains("event: lookup\n") && seen.contains(#""op":"write""#))
        let ids = seen.split(separator: "\n").compactMap { $0.hasPrefix("id: ") ? UInt64($0.dropFirst(4)) : nil }
        #expect(ids == Array(1...UInt64(ids.count)), "ids count up from 1: \(ids)")

        // A reader that reconnects with the last id it saw gets what came after, and only that.
        let (resumed, _) = try await openStream(port, "/api/v1/events", extra: "Last-Event-ID: 1\r\n")
        let replay = try await resumed.streamed(until: "id: \(ids.last ?? 1)\n")
        #expect(!replay.contains("id: 1\n") && replay.contains("id: 2\n"))
        let (lost, _) = try await openStream(port, "/api/v1/events", extra: "Last-Event-ID: 999999\r\n")
        #expect(try await lost.streamed(until: "\n\n").hasPrefix("event: lost\ndata: {\"after\":999999,"))

        let headOnly = try await HTTPProcessTests.exchange(port, "HEAD /api/v1/events HTTP/1.1\r\n\(host)\r\n\r\n", head: true)
        #expect(headOnly.status == 200 && headOnly.headers["content-type"] == "text/event-stream")
    }

    @Test func atMostSixteenStreamsAndAClosedOneFreesItsPlace() async throws {
        let (node, port) = try await HTTPProcessTests.start()
        defer { node.kill() }
        var open: [RawHTTPConnection] = []
        for _ in 0..<HTTPStreams.maxStreams {
            let (connection, head) = try await openStream(port, "/api/v1/events")
            #expect(head.status == 200)
            open.append(connection)
        }
        let (_, refused) = try await openStream(port, "/api/v1/events")
        #expect(refused.status == 503)
        let host = "Host: 127.0.0.1:\(port)"
        #expect(try await HTTPProcessTests.exchange(port, "GET /api/v1/status HTTP/1.1\r\n\(host)\r\n\r\n").status == 200,
                "plain requests are still answered")
        // A client killed mid-stream: its connection closes, and its place is given back.
        open.removeLast()
        var reopened = 0
        for _ in 0..<100 where reopened == 0 {
            let (connection, head) = try await openStream(port, "/api/v1/events")
            if head.status == 200 { reopened += 1; open.append(connection) } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(reopened == 1)
        _ = open
    }
}
