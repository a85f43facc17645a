import Foundation

/// Standard input read line by line on its own thread, for piped input and terminals
/// without a line editor.
enum StdinLines {
    /// Starts a dedicated thread that posts each line (newline stripped) and then the end of input.
    ///
    /// The blocking `readLine` runs on its own thread so the session's `for await` never
    /// ties up a thread of the cooperative pool. The thread is left blocked in `readLine`
    /// when the session ends early; the process exits right after, which ends it.
    static func start(post: @escaping @Sendable (SessionEvent) -> Void) {
        let reader = Thread {
            while let line = readLine(strippingNewline: true) {
                post(.line(line))
            }
            post(.endOfInput)
        }
        reader.name = "dht-stdin"
        reader.start()
    }
}
