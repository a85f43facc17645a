import Kademlia
import Synchronization

/// The node's one crawl at a time, shared by the REPL's `crawl`, `POST /api/v1/crawl` and
/// the page: the crawl running, or the last one's result, and who hears its progress.
final class CrawlKeeper: Sendable {
    /// Where the keeper stands.
    enum Phase: String, Sendable {
        case idle, running, done
    }

    private struct State {
        var task: Task<CrawlResult, Never>?
        /// The result so far while running, the last result once done.
        var latest: CrawlResult?
        var observers: [@Sendable (CrawlResult) -> Void] = []
    }

    private let state = Mutex(State())

    /// Adds `observer`, which hears each crawl's result so far (about twice a second) and its end.
    func observe(_ observer: @escaping @Sendable (CrawlResult) -> Void) {
        state.withLock { $0.observers.append(observer) }
    }

    /// Starts a crawl of `node`'s network unless one is running; returns whether it started.
    @discardableResult
    func start(on node: DHTNode, limits: CrawlLimits) -> Bool {
        state.withLock { current in
            guard current.task == nil else { return false }
            current.latest = nil
            current.task = Task { [self] in
                let result = await node.crawl(limits: limits) { [self] result in progressed(result) }
                state.withLock { state in
                    state.task = nil
                    state.latest = result
                }
                return result
            }
            return true
        }
    }

    /// Runs a crawl to its end and returns it; nil when one was already running. Cancelling
    /// the caller ends the crawl with what it found.
    func run(on node: DHTNode, limits: CrawlLimits) async -> CrawlResult? {
        guard start(on: node, limits: limits), let task = state.withLock({ $0.task }) else { return nil }
        return await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }

    /// The phase, and the result so far or the last one.
    var snapshot: (phase: Phase, result: CrawlResult?) {
        state.withLock { state in
            (state.task != nil ? .running : state.latest == nil ? .idle : .done, state.latest)
        }
    }

    private func progressed(_ result: CrawlResult) {
        let observers = state.withLock { state in
            if result.progress.isRunning { state.latest = result }
            return state.observers
        }
        for observer in observers { observer(result) }
    }
}
