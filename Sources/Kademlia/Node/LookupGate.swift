import Synchronization

/// Lets at most `limit` lookups run at once; the rest wait their turn in arrival order,
/// so however many gets, puts and maintenance rounds are asked for, the queries in
/// flight and the memory they hold stay bounded.
final class LookupGate: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let limit: Int
    private let state = Mutex(State())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `body` once a slot is free.
    func run<Result: Sendable>(_ body: () async -> Result) async -> Result {
        await enter()
        defer { leave() }
        return await body()
    }

    private func enter() async {
        let admitted = state.withLock { state -> Bool in
            guard state.running >= limit else {
                state.running += 1
                return true
            }
            return false
        }
        if admitted { return }
        await withCheckedContinuation { continuation in
            let runNow = state.withLock { state -> Bool in
                // A slot may have freed between the two locks.
                guard state.running >= limit else {
                    state.running += 1
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if runNow { continuation.resume() }
        }
    }

    private func leave() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            // The slot passes straight to the next waiter.
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
