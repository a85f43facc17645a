import Synchronization

/// Waiting on the node's own clock. A node's waits (a leave's time limit, a watch's rounds,
/// a crawl's pacing) go through its clock, not the system's: in a simulation the clock is
/// virtual, so a wait costs no real time and is replayed exactly, where `Task.sleep` made
/// the outcome depend on how fast the machine ran.
extension DHTNode {
    /// Waits until `deadline` on the node's clock; returns early when the node stops or the
    /// task is cancelled.
    func sleep(until deadline: Timestamp) async {
        let sleeper = Sleeper()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                sleeper.hold(continuation)
                let asleep = mutate { state -> Bool in
                    guard !state.stopped else { return false }
                    state.sleepers.push(deadline, sleeper.wake)
                    return true
                }
                if asleep { transport.wake(at: deadline) } else { sleeper.wake() }
            }
        } onCancel: {
            sleeper.wake()
        }
    }

    /// Waits `duration` on the node's clock (see `sleep(until:)`).
    func sleep(for duration: Duration) async {
        await sleep(until: clock.now() + duration)
    }

    /// Wakes the sleepers whose deadline has come; from the tick.
    func wakeSleepers() {
        let now = clock.now()
        let (due, next) = mutate { ($0.sleepers.popAllDue(now: now), $0.sleepers.earliest) }
        if let next { transport.wake(at: next) }
        for wake in due { wake() }
    }
}

/// One wait's continuation, resumed once by whichever comes first: its deadline, the node
/// stopping, or the task's cancellation (which may come before the continuation exists).
private final class Sleeper: Sendable {
    private let state = Mutex<(continuation: CheckedContinuation<Void, Never>?, woken: Bool)>((nil, false))

    /// Keeps the continuation to resume, or resumes it at once if the wait already ended.
    func hold(_ continuation: CheckedContinuation<Void, Never>) {
        let ended = state.withLock { state in
            if !state.woken { state.continuation = continuation }
            return state.woken
        }
        if ended { continuation.resume() }
    }

    /// Ends the wait; later calls do nothing.
    @Sendable func wake() {
        let continuation = state.withLock { state in
            state.woken = true
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume()
    }
}
