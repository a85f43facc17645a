import Foundation
import Kademlia
import Synchronization

/// The node's live events for `GET /api/v1/events`: lookups as they finish, and once a
/// second the contacts and values that changed (a diff of snapshots, so the node's hot
/// paths carry no hook) and a stats tick. Every event goes into a bounded ring so a reader
/// that reconnects with `Last-Event-ID` resumes where it left off.
///
/// Snapshots are diffed only while someone reads, and for a minute after the last reader
/// leaves (so a reconnect misses nothing); a node nobody watches pays nothing.
final class EventFeed: Sendable {
    /// How long diffing goes on after the last reader left, for a reconnect to resume.
    static let resumeWindow: Duration = .seconds(60)

    private struct State {
        var ring = EventRing(capacity: 1024)
        var readers: [Int: HTTPBodyStream] = [:]
        var nextReader = 0
        /// The last snapshot diffed against; nil while nobody reads.
        var previous: ActivitySnapshot?
        var lastReaderLeft: Timestamp?
        /// When the last `crawl` event went out.
        var lastCrawlEvent: Timestamp?
    }

    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)
    private let clock = SystemClock()

    /// A lookup finished: an event, whether or not anyone reads now (the ring keeps it).
    func lookupFinished(_ report: LookupReport) {
        let outcome = [.read, .write].contains(report.purpose) ? (report.foundValue ? "found" : "not_found") : "done"
        publish(type: "lookup", .object([
            ("op", .string(report.purpose.rawValue)), ("target", .string(report.target.hex)), ("queries", .int(report.queries)),
            ("hops", .int(report.hops)), ("duration_ms", .number(Double(report.duration.totalNanoseconds) / 1e6)),
            ("outcome", .string(outcome)),
        ]))
    }

    /// A crawl's progress: a `crawl` event at most once a second, and always its last.
    func crawled(_ result: CrawlResult) {
        let now = clock.now()
        let due = state.withLock { state -> Bool in
            let quiet = state.lastCrawlEvent.map { now - $0 >= .seconds(1) } ?? true
            guard quiet || !result.progress.isRunning else { return false }
            state.lastCrawlEvent = now
            return true
        }
        if due { publish(type: "crawl", CrawlReplies.event(result)) }
    }

    /// A new reader: sent what it missed after `lastEventID` (if given), then every event.
    func subscribe(_ stream: HTTPBodyStream, lastEventID: UInt64?) {
        let (id, missed) = state.withLock { state -> (Int, [ServerSentEvent]) in
            state.nextReader += 1
            state.readers[state.nextReader] = stream
            state.lastReaderLeft = nil
            return (state.nextReader, lastEventID.map { state.ring.replay(after: $0) } ?? [])
        }
        for event in missed { stream.write(event.encoded) }
        stream.onClose { [self] in
            let now = clock.now()
            state.withLock { state in
                state.readers[id] = nil
                if state.readers.isEmpty { state.lastReaderLeft = now }
            }
        }
    }

    /// Diffs and ticks once a second on a thread of its own until `stop`.
    func start(node: DHTNode) {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: 1)
                tick(node: node)
            }
        }
        thread.name = "dht-events"
        thread.start()
    }

    /// Stops the ticking thread at its next wake-up.
    func stop() { stopped.store(true, ordering: .relaxed) }

    /// One second's events: what changed since the last snapshot, then the stats.
    func tick(node: DHTNode) {
        let now = clock.now()
        let watched = state.withLock { state -> Bool in
            if let left = state.lastReaderLeft, now - left > Self.resumeWindow {
                state.previous = nil
                state.lastReaderLeft = nil
            }
            return !state.readers.isEmpty || state.lastReaderLeft != nil
        }
        guard watched else { return }
        let snapshot = Self.snapshot(of: node)
        let changes = state.withLock { state -> [ActivityChange] in
            defer { state.previous = snapshot }
            return state.previous.map { ActivityChange.between($0, snapshot) } ?? []
        }
        for change in changes { publish(type: change.type, change.json) }
        let traffic = node.traffic
        publish(type: "stats", .object([
            ("nodes", .int(snapshot.contacts.count)), ("keys", .int(snapshot.held.values.count { !$0.isTombstone })),
            ("messages_in", .int(traffic.datagramsReceived)), ("messages_out", .int(traffic.datagramsSent)),
        ]))
    }

    /// Adds an event to the ring and sends it to every reader.
    private func publish(type: String, _ data: JSONValue) {
        let (event, readers) = state.withLock { state in
            (state.ring.append(type: type, data: data.encoded), Array(state.readers.values))
        }
        let bytes = event.encoded
        for reader in readers { reader.write(bytes) }
    }

    /// The contacts and values `node` has now.
    private static func snapshot(of node: DHTNode) -> ActivitySnapshot {
        var contacts: [NodeID: SocketAddress] = [:]
        for contact in node.knownContacts { contacts[contact.id] = contact.address }
        var held: [NodeID: ActivitySnapshot.Held] = [:]
        for value in node.heldValues() {
            held[value.target] = ActivitySnapshot.Held(key: value.key, seq: value.seq, size: value.size, isTombstone: value.isTombstone)
        }
        return ActivitySnapshot(contacts: contacts, held: held)
    }
}
