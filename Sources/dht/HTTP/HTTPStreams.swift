import Kademlia
import Synchronization

/// The API's streams, `GET /api/v1/events` and `GET /api/v1/keys/{key}/watch`: at most
/// `maxStreams` open at once (the next is answered 503), each released when its
/// connection closes, however it closes.
final class HTTPStreams: Sendable {
    /// Streams open at once, at most, of both kinds together.
    static let maxStreams = 16

    /// The node's live events.
    let feed: EventFeed
    /// The node a watch runs on.
    let node: DHTNode
    private let openCount = Atomic<Int>(0)

    /// Streams for `node`, with its events from `feed`.
    init(node: DHTNode, feed: EventFeed) {
        self.node = node
        self.feed = feed
    }

    /// How many streams are open now, for `/metrics`.
    var count: Int { openCount.load(ordering: .relaxed) }

    /// The stream `route` asks for; nil when it is not a stream's route.
    func open(_ route: HTTPRoute, request: HTTPRequest) async -> HTTPAnswer? {
        switch route {
        case .events: break
        case .watch(let key):
            if key.isEmpty { return HTTPAnswer(HTTPAPI.error(400, op: "watch", "an empty key")) }
            if key.utf8.count > DHTNode.maxKeySize {
                return HTTPAnswer(HTTPAPI.error(413, op: "watch", "the key is \(key.utf8.count) bytes; \(DHTNode.maxKeySize) at most"))
            }
        default: return nil
        }
        guard openCount.add(1, ordering: .relaxed).newValue <= Self.maxStreams else {
            openCount.subtract(1, ordering: .relaxed)
            return HTTPAnswer(HTTPAPI.error(503, op: "stream", "too many event streams (\(Self.maxStreams) at most)"))
        }
        let stream = HTTPBodyStream()
        stream.onClose { [self] in openCount.subtract(1, ordering: .relaxed) }
        switch route {
        case .watch(let key):
            watch(key, into: stream)
        default:
            feed.subscribe(stream, lastEventID: ServerSentEvent.lastEventID(request.headers["last-event-id"]))
        }
        return HTTPAnswer(head: Self.head, stream: stream)
    }

    /// A stream's head.
    private static let head = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))

    /// Sends every version of `key` the node's watch reports, until the reader goes away.
    private func watch(_ key: String, into stream: HTTPBodyStream) {
        let versions = node.watch(key: key)
        let task = Task {
            for await event in versions {
                guard stream.write(Self.event(event).encoded) else { break }
            }
            stream.finish()
        }
        stream.onClose { task.cancel() }
    }

    /// A watch's event: `version`, with the REPL's `--json` object of it as data and the
    /// version's seq as its id (none before the first version).
    static func event(_ event: WatchEvent) -> ServerSentEvent {
        ServerSentEvent(id: event.version.map { UInt64(clamping: $0.seq) }, type: "version", data: Replies.watched(event).json.encoded)
    }
}
