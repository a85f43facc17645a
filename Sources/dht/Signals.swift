import Dispatch
import Glibc
import Synchronization

/// Turns SIGTERM, SIGINT and SIGHUP into calls of a handler, off the signal context.
///
/// The signals' default action (kill the process silently) is switched off, and
/// Dispatch delivers each one on its own queue, so the handler may do anything. The
/// handler can be swapped: the first signal starts a graceful shutdown, a second one
/// during it exits at once.
final class SignalWatcher: Sendable {
    /// The signals that stop the node.
    static let shutdownSignals = [SIGTERM, SIGINT, SIGHUP]

    /// The current handler, in a class so the signal sources' closures can share it.
    private final class Handler: Sendable {
        let current: Mutex<@Sendable (Int32) -> Void>
        init(_ handler: @escaping @Sendable (Int32) -> Void) { current = Mutex(handler) }
    }

    private let handler: Handler
    /// Kept alive for as long as the watcher; a Mutex makes the non-Sendable sources shareable.
    private let sources: Mutex<[any DispatchSourceSignal]>

    /// Starts watching; `handler` runs once per signal received.
    init(handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "dht-signals")
        let shared = Handler(handler)
        self.handler = shared
        sources = Mutex(Self.shutdownSignals.map { number in
            _ = signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { shared.current.withLock { $0 }(number) }
            source.resume()
            return source
        })
    }

    /// Replaces what happens on the next signals.
    func onSignal(_ handler: @escaping @Sendable (Int32) -> Void) {
        self.handler.current.withLock { $0 = handler }
    }

    /// The conventional exit status of a process ended by signal `number`.
    static func exitStatus(for number: Int32) -> Int32 { 128 + number }

    /// The signal's name, for messages.
    static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        default: "signal \(number)"
        }
    }

    deinit {
        sources.withLock { for source in $0 { source.cancel() } }
    }
}
