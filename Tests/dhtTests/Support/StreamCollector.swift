import Foundation
import Synchronization

/// Collects one of the child's output streams on a dedicated thread.
final class StreamCollector: Sendable {
    private struct State {
        var bytes: [UInt8] = []
        var consumed = 0
        var finished = false
    }
    private let state = Mutex(State())

    /// Reads `handle` until end of file on a thread of its own, since the reads block.
    func start(reading handle: FileHandle) {
        let thread = Thread { [self] in
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                state.withLock { $0.bytes += data }
            }
            state.withLock { $0.finished = true }
        }
        thread.start()
    }

    /// Whether the writer has closed the stream.
    var isFinished: Bool { state.withLock { $0.finished } }

    /// Everything received, including lines already taken.
    var all: String { state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }

    /// Takes the next complete line, without its newline.
    func takeLine() -> String? {
        state.withLock { s in
            guard let newline = s.bytes[s.consumed...].firstIndex(of: 10) else { return nil }
            let line = String(decoding: s.bytes[s.consumed..<newline], as: UTF8.self)
            s.consumed = newline + 1
            return line
        }
    }

    /// Takes whatever has not been taken yet.
    func takeRest() -> String {
        state.withLock { s in
            let rest = String(decoding: s.bytes[s.consumed...], as: UTF8.self)
            s.consumed = s.bytes.count
            return rest
        }
    }

    /// Waits for end of file.
    func waitUntilFinished(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !isFinished {
            if ContinuousClock.now >= deadline { throw ReplProcessError(description: "stream still open after \(timeout): \(all.debugDescription)") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
