@testable import KademliaCore
import Testing

/// The event-stream framing, the resume ring, the snapshot diff and a stream's connection
/// on a virtual clock.
@Suite struct ServerSentEventTests {
    private let start = Timestamp(nanoseconds: 1_000_000_000)

    @Test func anEventIsFramedAndCannotForgeAnother() {
        let event = ServerSentEvent(id: 7, type: "value\nstored", data: "line one\nid: 99\r\nevent: fake")
        #expect(String(decoding: event.encoded, as: UTF8.self)
                == "id: 7\nevent: valuestored\ndata: line one\ndata: id: 99\ndata: event: fake\n\n")
        #expect(String(decoding: ServerSentEvent(id: nil, type: "lost", data: "{}").encoded, as: UTF8.self) == "event: lost\ndata: {}\n\n")
    }

    @Test func lastEventIDIsAPlainNumberOrNothing() {
        #expect(ServerSentEvent.lastEventID("42") == 42)
        for bad in [nil, "", "-1", "4 2", "0x10", "99999999999999999999999", "１２"] {
            #expect(ServerSentEvent.lastEventID(bad) == nil, "\(bad ?? "nil")")
        }
    }

    @Test func theRingReplaysWhatAReaderMissedAndSaysWhenItCannot() {
        var ring = EventRing(capacity: 4)
        #expect(ring.replay(after: 0).isEmpty)
        #expect(ring.replay(after: 5).map(\.type) == ["lost"], "an id from before a restart")
        for index in 1...6 { ring.append(type: "e\(index)", data: "{}") }
        #expect(ring.oldestID == 3 && ring.lastID == 6)
        #expect(ring.replay(after: 6).isEmpty)
        #expect(ring.replay(after: 4).map(\.id) == [5, 6])
        #expect(ring.replay(after: 2).map(\.id) == [3, 4, 5, 6], "the oldest held follows the id asked for")
        let gap = ring.replay(after: 1)
        #expect(gap.map(\.type) == ["lost", "e3", "e4", "e5", "e6"])
        #expect(gap.first?.data == #"{"after":1,"oldest":3}"# && gap.first?.id == nil)
        #expect(ring.replay(after: 100).map(\.type) == ["lost", "e3", "e4", "e5", "e6"])
    }

    @Test func theRingMatchesABruteForceListOverManyAppends() {
        var ring = EventRing(capacity: 37)
        var all: [UInt64] = []
        for index in 1...500 {
            ring.append(type: "t", data: "\(index)")
            all.append(UInt64(index))
            let asked = UInt64((index * 7919) % (index + 3))
            let kept = all.suffix(37)
            let expected = asked + 1 >= kept.first! && asked <= all.last! ? kept.filter { $0 > asked } : Array(kept)
            #expect(ring.replay(after: asked).compactMap(\.id) == expected, "after \(asked) of \(index)")
        }
    }

    @Test func theDiffNamesEachChangeOnce() {
        let a = NodeID(key: "a"), b = NodeID(key: "b"), c = NodeID(key: "c")
        let here = SocketAddress(ip: 0x7F00_0001, port: 1), there = SocketAddress(ip: 0x7F00_0001, port: 2)
        let value = ActivitySnapshot.Held(key: "k", seq: 1, size: 5, isTombstone: false)
        let old = ActivitySnapshot(contacts: [a: here, b: here], held: [a: value, b: value, c: value])
        let new = ActivitySnapshot(contacts: [a: here, b: there, c: here],
                                   held: [a: value, b: .init(key: "k", seq: 2, size: 0, isTombstone: true),
                                          c: .init(key: "k", seq: 2, size: 6, isTombstone: false)])
        let changes = ActivityChange.between(old, new)
        #expect(Set(changes.map(\.type)) == ["contact_added", "contact_dropped", "value_deleted", "value_stored"])
        #expect(changes.filter { $0.type == "contact_added" }.count == 2, "b moved, c is new")
        #expect(changes.contains(.valueDeleted(b, .init(key: "k", seq: 2, size: 0, isTombstone: true))))
        #expect(!changes.contains { if case .valueStored(a, _) = $0 { true } else { false } }, "the same version is no change")
        #expect(ActivityChange.between(new, ActivitySnapshot(contacts: [:], held: [:])).map(\.type)
                == ["contact_dropped", "contact_dropped", "contact_dropped", "value_expired", "value_expired", "value_expired"])
        #expect(ActivityChange.valueStored(c, value).json.encoded == #"{"target":"\#(c.hex)","key":"k","seq":1,"bytes":5}"#)
    }

    @Test func aStreamSendsItsHeadThenHeartbeatsWhenQuietAndReadsNoMore() {
        var connection = HTTPConnectionState(now: start)
        _ = connection.received(Array("GET /api/v1/events HTTP/1.1\r\nHost: h\r\n\r\n".utf8), now: start)
        let head = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))
        let sent = connection.repliedWithStream(head, now: start)
        guard case .send(let bytes) = sent.first else { Issue.record("no head: \(sent)"); return }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n") && !text.contains("Content-Length"))
        #expect(text.hasSuffix("Connection: close\r\n\r\n") && connection.isStreaming)
        #expect(connection.received(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8), now: start).isEmpty, "no requests after a stream")
        #expect(connection.tick(now: start + .seconds(14)).isEmpty)
        connection.streamed(now: start + .seconds(10))
        #expect(connection.tick(now: start + .seconds(24)).isEmpty, "an event puts the heartbeat off")
        #expect(connection.tick(now: start + .seconds(25)) == [.send(ServerSentEvent.heartbeat)])
        #expect(connection.deadline == start + .seconds(40))
        #expect(connection.tick(now: start + .seconds(3600)) == [.send(ServerSentEvent.heartbeat)], "a stream never idles out")
    }
}
