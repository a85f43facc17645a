import Kademlia
import Synchronization

/// A reply body that keeps coming (Server-Sent Events): producers `write`, the server's
/// loop `take`s what is ready whenever it is woken, and closing either end tells the other.
///
/// Bounded: a reader more than `maxBacklog` bytes behind is cut off, so a client that never
/// reads costs a fixed amount of memory, not an unbounded queue.
final class HTTPBodyStream: Sendable {
    /// Bytes waiting for a slow reader, at most, before it is cut off.
    static let maxBacklog = 64 * 1024

    private struct State {
        var pending: [UInt8] = []
        var ended = false
        /// Whether the reader fell too far behind: its connection closes without the rest.
        var cut = false
        /// Wakes the server's loop; set when the server takes the stream on.
        var wake: (@Sendable () -> Void)?
        /// What to run once the connection is gone (the producer unsubscribing).
        var onClose: [@Sendable () -> Void] = []
        var closed = false
    }

    private let state = Mutex(State())

    /// Queues `bytes` for the reader; past the backlog bound the reader is cut off instead.
    /// Returns false once the stream has ended, so the producer can stop.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        let (accepted, wake) = state.withLock { state -> (Bool, (@Sendable () -> Void)?) in
            guard !state.ended else { return (false, nil) }
            if state.pending.count + bytes.count > Self.maxBacklog {
                state.pending = []
                state.ended = true
                state.cut = true
                return (false, state.wake)
            }
            let wasEmpty = state.pending.isEmpty
            state.pending += bytes
            return (true, wasEmpty ? state.wake : nil)
        }
        wake?()
        return accepted
    }

    /// Ends the stream once what is queued has been sent.
    func finish() {
        let wake = state.withLock { state -> (@Sendable () -> Void)? in
            state.ended = true
            return state.wake
        }
        wake?()
    }

    /// The server takes the stream on: `wake` is how writes reach its loop.
    func attach(wake: @escaping @Sendable () -> Void) {
        state.withLock { $0.wake = wake }
        wake()
    }

    /// What is ready to send; whether the stream has ended (after those bytes); whether
    /// the reader was cut off (close now, unsent bytes and all).
    func take() -> (bytes: [UInt8], ended: Bool, cut: Bool) {
        state.withLock { state in
            defer { state.pending = [] }
            return (state.pending, state.ended, state.cut)
        }
    }

    /// Runs `action` once the connection is gone (at once if it already is).
    func onClose(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.closed { return true }
            state.onClose.append(action)
            return false
        }
        if now { action() }
    }

    /// The server closed the connection: the stream ends and its producers are told.
    func closed() {
        let actions = state.withLock { state -> [@Sendable () -> Void] in
            guard !state.closed else { return [] }
            state.closed = true
            state.ended = true
            state.pending = []
            state.wake = nil
            defer { state.onClose = [] }
            return state.onClose
        }
        for action in actions { action() }
    }
}

/// What a handler answers: a reply, and for a stream the body that follows its head.
struct HTTPAnswer: Sendable {
    /// The reply, or a stream's head.
    var response: HTTPResponse
    /// The stream's body; nil for a plain reply.
    var stream: HTTPBodyStream?

    /// A plain reply.
    init(_ response: HTTPResponse) {
        self.response = response
        stream = nil
    }

    /// A stream: `head` then whatever `stream` carries, until either end closes.
    init(head: HTTPResponse, stream: HTTPBodyStream) {
        response = head
        self.stream = stream
    }
}
