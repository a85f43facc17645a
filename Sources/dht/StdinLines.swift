import Foundation

/// Standard input as an async sequence of lines.
enum StdinLines {
    /// Starts a dedicated thread that reads stdin and yields each line (newline stripped)
    /// and finishes at end of input.
    ///
    /// The blocking `readLine` runs on its own thread so the REPL's `for await` never
    /// ties up a thread of the cooperative pool. The thread is left blocked in `readLine`
    /// when the REPL quits early; the process exits right after, which ends it.
    static func lines() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .unbounded)
        let reader = Thread {
            while let line = readLine(strippingNewline: true) {
                continuation.yield(line)
            }
            continuation.finish()
        }
        reader.name = "dht-stdin"
        reader.start()
        return stream
    }
}
