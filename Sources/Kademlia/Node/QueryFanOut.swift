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
        var keys: [PendingRequests.Key] = []
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

    /// Remembers a sent query so cancellation can reach it; false if it must be cancelled now.
    func track(_ key: PendingRequests.Key) -> Bool {
        state.withLock { state in
            guard !state.cancelled else { return false }
            state.keys.append(key)
            return true
        }
    }

    /// Records one outcome; the last one resumes the waiter.
    func settle(_ index: Int, _ result: RPCResult) {
        let finished = state.withLock { state -> (CheckedContinuation<[RPCResult], Never>, [RPCResult])? in
            guard state.results[index] == nil else { return nil }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0, let continuation = state.continuation.take() else { return nil }
            return (continuation, state.results.map { $0 ?? .failure(.cancelled) })
        }
        if let (continuation, results) = finished { continuation.resume(returning: results) }
    }

    /// Marks the batch cancelled and hands back the queries to abandon.
    func cancel() -> [PendingRequests.Key] {
        state.withLock { state in
            state.cancelled = true
            defer { state.keys = [] }
            return state.keys
        }
    }
}

extension DHTNode {
    /// Sends every query at once and waits for all their outcomes, in the same order.
    /// Cancelling the waiting task abandons the queries still out.
    func requestAll(_ queries: [OutboundQuery], for cause: QueryCause = .user) async -> [RPCResult] {
        guard !queries.isEmpty else { return [] }
        let fanOut = QueryFanOut(count: queries.count)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard fanOut.begin(continuation) else {
                    continuation.resume(returning: Array(repeating: .failure(.cancelled), count: queries.count))
                    return
                }
                for (index, outbound) in queries.enumerated() {
                    let key = dispatch(outbound.query, to: outbound.address, expecting: outbound.expectedID, for: cause) {
                        fanOut.settle(index, $0)
                    }
                    if !fanOut.track(key) { cancelQuery(key) }
                }
            }
        } onCancel: {
            for key in fanOut.cancel() { cancelQuery(key) }
        }
    }
}
