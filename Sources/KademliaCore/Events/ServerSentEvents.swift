/// One Server-Sent Event as the `text/event-stream` format frames it (WHATWG HTML § 9.2):
/// an optional `id:` line, an `event:` line, one `data:` line per line of data, a blank line.
public struct ServerSentEvent: Sendable, Equatable {
    /// The id a reader sends back as `Last-Event-ID` to resume after this event; nil for
    /// an event a reader should not resume from (a `lost` notice).
    public var id: UInt64?
    /// The event's type, such as `contact_added` or `version`.
    public var type: String
    /// The event's data, usually one line of JSON.
    public var data: String

    /// An event of `type` carrying `data`, with `id` when it can be resumed from.
    public init(id: UInt64?, type: String, data: String) {
        self.id = id
        self.type = type
        self.data = data
    }

    /// The bytes on the wire. Line breaks inside `data` become separate `data:` lines,
    /// and any in `type` are dropped, so no event can forge another.
    public var encoded: [UInt8] {
        var text = id.map { "id: \($0)\n" } ?? ""
        text += "event: \(type.filter { $0 != "\n" && $0 != "\r" })\n"
        for line in data.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) {
            text += "data: \(line)\n"
        }
        text += "\n"
        return Array(text.utf8)
    }

    /// A comment line, which readers ignore: it keeps proxies and idle timers from closing a quiet stream.
    public static let heartbeat: [UInt8] = Array(": heartbeat\n\n".utf8)

    /// The event id a `Last-Event-ID` header names; nil when absent or not a plain number.
    public static func lastEventID(_ header: String?) -> UInt64? {
        guard let header, !header.isEmpty, header.utf8.count <= 20, header.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(header)
    }
}

/// The last `capacity` events, with ids counting up from 1, so a reader that reconnects
/// with `Last-Event-ID` is sent what it missed while the ring still holds it, and is told
/// plainly (a `lost` event) when it does not.
public struct EventRing: Sendable {
    /// How many events the ring keeps.
    public let capacity: Int
    /// The id of the newest event; 0 before any.
    public private(set) var lastID: UInt64 = 0
    private var events: [ServerSentEvent] = []
    /// Where the oldest event sits in `events` once the ring is full.
    private var start = 0

    /// An empty ring keeping at most `capacity` events.
    public init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
    }

    /// Adds an event of `type` with `data` under the next id and returns it.
    @discardableResult
    public mutating func append(type: String, data: String) -> ServerSentEvent {
        lastID += 1
        let event = ServerSentEvent(id: lastID, type: type, data: data)
        if events.count < capacity {
            events.append(event)
        } else {
            events[start] = event
            start = (start + 1) % capacity
        }
        return event
    }

    /// The id of the oldest event still held; nil while empty.
    public var oldestID: UInt64? { events.isEmpty ? nil : lastID - UInt64(events.count) + 1 }

    /// What a reader that last saw `id` is sent before new events: those after it, or, when
    /// the ring no longer reaches back that far (or `id` is from before a restart), a `lost`
    /// event naming the gap followed by everything held.
    public func replay(after id: UInt64) -> [ServerSentEvent] {
        guard let oldest = oldestID else {
            return id > lastID ? [Self.lost(after: id, oldest: lastID + 1)] : []
        }
        if id >= oldest - 1 && id <= lastID {
            return Array(held.dropFirst(Int(id - (oldest - 1))))
        }
        return [Self.lost(after: id, oldest: oldest)] + held
    }

    /// Every event held, oldest first.
    private var held: [ServerSentEvent] { Array(events[start...] + events[..<start]) }

    /// The notice that events after `id` up to `oldest` are gone.
    private static func lost(after id: UInt64, oldest: UInt64) -> ServerSentEvent {
        ServerSentEvent(id: nil, type: "lost", data: #"{"after":\#(id),"oldest":\#(oldest)}"#)
    }
}
