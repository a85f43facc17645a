/// Something that happened to a REPL session: input, a signal, or a command finishing.
enum SessionEvent: Sendable {
    /// One line typed or piped in.
    case line(String)
    /// Ctrl-C at the line editor: cancel the running command, if any.
    case interrupt
    /// Ctrl-D on an empty line, or the end of piped input.
    case endOfInput
    /// SIGTERM, SIGINT or SIGHUP.
    case signal(Int32)
    /// A command run in the background finished with this reply; carries its run number.
    case finished(run: Int, Reply)
}

/// How a session ended, which decides what the program prints and returns.
enum SessionEnding: Equatable, Sendable {
    /// `quit` or `exit`.
    case quit
    /// Input ended with every command done.
    case endOfInput
    /// A shutdown signal arrived.
    case signal(Int32)
}

/// The REPL's event loop: runs commands one at a time in input order, each network
/// command as a task that Ctrl-C can cancel, while input and signals keep arriving.
///
/// Lines that arrive while a command runs (piped input, type-ahead) wait their turn, so
/// scripts see replies in order; end of input quits once they are all answered. A
/// cancelled command's task may still finish its RPCs, but its reply is dropped.
struct Session {
    /// Runs the commands.
    let repl: REPL
    /// Text or JSON replies.
    let format: ReplyFormat
    /// Where replies, warnings and the prompt go.
    let screen: any SessionScreen

    /// Consumes `events` until the session ends; `post` feeds the same stream, so a
    /// finished command comes back as an event.
    func run(events: AsyncStream<SessionEvent>, post: @escaping @Sendable (SessionEvent) -> Void) async -> SessionEnding {
        var waiting: [String] = []
        var running: (run: Int, op: String, task: Task<Void, Never>)?
        var runs = 0
        var inputEnded = false
        screen.setReady(true)

        for await event in events {
            switch event {
            case .line(let line):
                waiting.append(line)
            case .endOfInput:
                inputEnded = true
            case .interrupt:
                guard let current = running else { continue }
                current.task.cancel()
                running = nil
                show(.cancelled(current.op))
            case .signal(let number):
                running?.task.cancel()
                return .signal(number)
            case .finished(let run, let reply):
                guard run == running?.run else { continue }
                running = nil
                show(reply)
            }
            // Start what waits, in order, until a network command is under way.
            while running == nil, !waiting.isEmpty {
                guard let command = Command.parse(line: waiting.removeFirst()) else { continue }
                if command == .quit { return .quit }
                guard REPL.needsNetwork(command) else {
                    if let reply = await repl.reply(to: command) { show(reply) }
                    continue
                }
                runs += 1
                let run = runs
                let repl = repl
                screen.setReady(false)
                let task = Task {
                    guard let reply = await repl.reply(to: command), !Task.isCancelled else { return }
                    post(.finished(run: run, reply))
                }
                running = (run, Self.operation(of: command), task)
            }
            if running == nil {
                if inputEnded { return .endOfInput }
                screen.setReady(true)
            }
        }
        return .endOfInput
    }

    /// Writes a reply in the session's format, and its warning to stderr.
    private func show(_ reply: Reply) {
        screen.reply(format.render(reply))
        if let warning = reply.warning { screen.warn(warning) }
    }

    /// The command word a cancelled reply names.
    private static func operation(of command: Command) -> String {
        switch command {
        case .put: "put"
        case .get: "get"
        case .delete: "delete"
        case .where: "where"
        case .join: "join"
        default: "command"
        }
    }
}
