import Synchronization

/// One query of a batch: what to ask, whom, and which id should answer.
struct OutboundQuery: Sendable {
    var query: Query
    var address: SocketAddress
    var expectedID: NodeID?
}

/// A batch of queries in flight together, awaited as one: a single continuation for
/// all of them instead of a child task per query.
private final class QueryFanOut: Sendable {
    private struct State {
        var results: [RPCResult?]
        var remaining: Int
        var continuation: CheckedContinuation<[RPCResult], Never>?
        /// Each query sent, with the batch index it carries (a resent query has two).
        var sent: [(key: PendingRequests.Key, index: Int)] = []
        var cancelled = false
    }

    private let state: Mutex<State>

    init(count: Int) {
        state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count))
    }

    /// Takes the waiter; false if the batch was cancelled before it began.
    func begin(_ continuation: CheckedContinuation<[RPCResult], Never>) -> Bool {
        state.withLock { state in
            guard !state.cancelled else { return false }
            state.continuation = continuation
            return true
        }
    }

    /// Remembers a sent query (query `index` of the batch) so cancellation can reach it;
    /// false if it must be cancelled now.
    func track(_ key: PendingRequests.Key, index: Int) -> Bool {
        state.withLock { state in
            guard !state.cancelled, state.results[index] == nil else { return false }
            state.sent.append((key, index))
            return true
        }
    }

    /// Records one outcome, if query `index` has none yet; the last one resumes the waiter.
    /// Returns the other copies of that query still out, for the caller to withdraw.
    func settle(_ index: Int, _ result: RPCResult) -> [PendingRequests.Key] {
        let (finished, copies) = state.withLock { state -> ((CheckedContinuation<[RPCResult], Never>, [RPCResult])?, [PendingRequests.Key]) in
            guard state.results[index] == nil else { return (nil, []) }
            state.results[index] = result
            state.remaining -= 1
            // Only a batch that resent something has copies to withdraw: the rest allocate nothing.
            let copies = state.sent.count > state.results.count ? state.sent.filter { $0.index == index }.map(\.key) : []
            guard state.remaining == 0, let continuation = state.continuation.take() else { return (nil, copies) }
            return ((continuation, state.results.map { $0 ?? .failure(.cancelled) }), copies)
        }
        if let (continuation, results) = finished { continuation.resume(returning: results) }
        return copies
    }

    /// Marks the batch cancelled and hands back the queries to abandon.
    func cancel() -> [PendingRequests.Key] {
        state.withLock { state in
            state.cancelled = true
            defer { state.sent = [] }
            return state.sent.map(\.key)
        }
    }
}

extension DHTNode {
    /// Sends every query at once and waits for all their outcomes, in the same order.
    /// With `resendingStalled`, a query still silent at the stall timeout goes out once
    /// more, and the first answer to either copy settles it: a lost datagram then costs a
    /// stall timeout, not the whole RPC timeout (a put's stores use this). Cancelling the
    /// waiting task abandons the queries still out.
    func requestAll(_ queries: [OutboundQuery], for cause: QueryCause = .user, resendingStalled: Bool = false) async -> [RPCResult] {
        guard !queries.isEmpty else { return [] }
        let fanOut = QueryFanOut(count: queries.count)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard fanOut.begin(continuation) else {
                    continuation.resume(returning: Array(repeating: .failure(.cancelled), count: queries.count))
                    return
                }
                for (index, outbound) in queries.enumerated() {
                    send(outbound, index: index, of: fanOut, for: cause, resend: resendingStalled)
                }
            }
        } onCancel: {
            for key in fanOut.cancel() { cancelQuery(key) }
        }
    }

    /// Sends query `index` of a batch; with `resend`, sends it again once if it stalls.
    /// When one copy settles the query, the other is withdrawn without counting against
    /// the contact (it answered, or its silence already counts).
    private func send(_ outbound: OutboundQuery, index: Int, of fanOut: QueryFanOut, for cause: QueryCause, resend: Bool) {
        var onStall: (@Sendable () -> Void)?
        if resend {
            onStall = { @Sendable [self] in send(outbound, index: index, of: fanOut, for: cause, resend: false) }
        }
        let key = dispatch(outbound.query, to: outbound.address, expecting: outbound.expectedID, for: cause, onStall: onStall) { [self] result in
            for copy in fanOut.settle(index, result) { cancelQuery(copy, countingStall: false) }
        }
        if !fanOut.track(key, index: index) { cancelQuery(key, countingStall: false) }
    }
}
