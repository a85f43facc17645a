import Synchronization

/// The stores of one write, each sent as soon as its holder is known, and awaited together.
///
/// A put's lookup must hear from all of the K closest, and the slowest of them sets its
/// length. A holder that answered early need not wait for it: the lookup hands it its store
/// at once (`send`), so by the time the lookup ends most stores are done and the put waits
/// about one round trip to the last holder, not a whole second round. A holder is sent the
/// write again only for a higher seq (a later answer showed a newer version than the one
/// its store was numbered after); a store still silent at the stall timeout goes out once
/// more, and the first answer to either copy settles it.
final class StoreRound: Sendable {
    private struct Sent {
        var seq: Int64
        var result: RPCResult?
        var keys: [PendingRequests.Key] = []
    }

    private struct Waiter {
        var holders: [NodeID]
        var seq: Int64
        var continuation: CheckedContinuation<[RPCResult], Never>
    }

    private struct State {
        var sent: [NodeID: Sent] = [:]
        var waiter: Waiter?
        var cancelled = false

        /// The waiter and its results, once every holder it waits for has settled.
        mutating func takeWaiterIfDone() -> (CheckedContinuation<[RPCResult], Never>, [RPCResult])? {
            guard let waiter else { return nil }
            var results: [RPCResult] = []
            for holder in waiter.holders {
                guard let sent = sent[holder], sent.seq == waiter.seq else {
                    results.append(.failure(.cancelled))
                    continue
                }
                guard let result = sent.result else { return nil }
                results.append(result)
            }
            self.waiter = nil
            return (waiter.continuation, results)
        }
    }

    private let node: DHTNode
    /// What every store carries but its seq and token.
    private let write: Write
    private let cause: QueryCause
    /// The version this node held when the write began, which the seq must pass too.
    private let held: FoundValue?
    private let state = Mutex(State())

    /// A round for `write`, whose own seq is ignored: each `send` names the seq to write.
    /// `held` is this node's own version of the key, if any.
    init(node: DHTNode, write: Write, cause: QueryCause, held: FoundValue? = nil) {
        self.node = node
        self.write = write
        self.cause = cause
        self.held = held
    }

    /// The seq to write after `newest`, the newest version others have reported, and this
    /// node's own, as a put numbers its write. If this node's version changes meanwhile, the
    /// put's final seq differs and the holders are sent that one.
    func seq(after newest: FoundValue?) -> Int64 {
        DHTNode.seq(after: newest, held)
    }

    /// Stores the write, numbered `seq`, at `holder` under `token`, unless that holder was
    /// already sent this seq.
    func send(_ seq: Int64, to holder: Contact, token: [UInt8]) {
        let isNew = state.withLock { state in
            guard !state.cancelled, state.sent[holder.id]?.seq != seq else { return false }
            state.sent[holder.id] = Sent(seq: seq)
            return true
        }
        guard isNew else { return }
        var request = write.request(token: token)
        request.seq = seq
        transmit(.store(request), to: holder, seq: seq, resend: true)
    }

    /// The outcome of the store numbered `seq` at each of `holders`, in their order, once
    /// all have settled; a holder never sent that seq counts as cancelled. Cancelling the
    /// waiting task abandons the stores still out.
    func results(for holders: [NodeID], seq: Int64) async -> [RPCResult] {
        guard !holders.isEmpty else { return [] }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = state.withLock { state in
                    state.waiter = Waiter(holders: holders, seq: seq, continuation: continuation)
                    return state.takeWaiterIfDone()
                }
                if let (continuation, results) = ready { continuation.resume(returning: results) }
            }
        } onCancel: {
            let outstanding = state.withLock { state in
                state.cancelled = true
                return state.sent.values.flatMap { $0.result == nil ? $0.keys : [] }
            }
            for key in outstanding { node.cancelQuery(key, countingStall: false) }
        }
    }

    private func transmit(_ query: Query, to holder: Contact, seq: Int64, resend: Bool) {
        var onStall: (@Sendable () -> Void)?
        if resend {
            onStall = { @Sendable [self] in transmit(query, to: holder, seq: seq, resend: false) }
        }
        let key = node.dispatch(query, to: holder.address, expecting: holder.id, for: cause, onStall: onStall) { [self] result in
            settle(holder.id, seq: seq, result)
        }
        // A copy sent after its store settled (or was superseded, or the round cancelled)
        // is withdrawn at once; one that settled inline is already gone, which is harmless.
        let keep = state.withLock { state in
            guard !state.cancelled, let sent = state.sent[holder.id], sent.seq == seq, sent.result == nil else { return false }
            state.sent[holder.id]?.keys.append(key)
            return true
        }
        if !keep { node.cancelQuery(key, countingStall: false) }
    }

    private func settle(_ holder: NodeID, seq: Int64, _ result: RPCResult) {
        let (copies, finished) = state.withLock { state -> ([PendingRequests.Key], (CheckedContinuation<[RPCResult], Never>, [RPCResult])?) in
            guard var sent = state.sent[holder], sent.seq == seq, sent.result == nil else { return ([], nil) }
            sent.result = result
            let copies = sent.keys
            sent.keys = []
            state.sent[holder] = sent
            return (copies, state.takeWaiterIfDone())
        }
        for copy in copies { node.cancelQuery(copy, countingStall: false) }
        if let (continuation, results) = finished { continuation.resume(returning: results) }
    }
}
