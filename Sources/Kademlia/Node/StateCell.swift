import Synchronization

/// The node's state and the lock that guards it, in an object of their own.
///
/// Not a `Mutex<NodeState>`: with Swift 6.3.1, a `Mutex` holding a value this large inline
/// in `DHTNode` corrupted the heap in plain `-O` builds (not in `-enable-testing` ones) at
/// some sizes of `NodeState`. Two fields more, and `dht-bench` aborted in malloc on its first
/// node; the same sizes behind a `Mutex<Void>` and a stored property never did (tried at five
/// sizes). `.ci/run` builds and runs `dht-bench` plain, so a return of it shows.
final class StateCell: @unchecked Sendable {
    private let lock = Mutex<Void>(())
    /// Touched only inside `withLock`.
    private var state: NodeState

    init(_ state: NodeState) {
        self.state = state
    }

    /// Runs `body` on the state with the lock held.
    @inline(__always)
    func withLock<Result>(_ body: (inout NodeState) -> Result) -> Result {
        lock.withLock { _ in body(&state) }
    }
}
