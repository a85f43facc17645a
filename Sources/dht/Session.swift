import Synchronization

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
    /// A command still running has something to show now (a watch's new version).
    case progress(run: Int, Reply)
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

/// The REPL's event loop: runs commands in input order, each network command as a task
/// that Ctrl-C can cancel, while input and signals keep arriving.
///
/// Lines that arrive while a command runs (piped input, type-ahead) wait their turn, so
/// scripts see replies in order; end of input quits once they are all answered. With a
/// `pipeline` over one, that many network commands run at once and their replies are
/// held back until those before them are shown; any other command waits for them all.
/// A cancelled command's task may still finish its RPCs, but its reply is dropped.
struct Session {
    /// Runs the commands: the REPL on a node here, or a node's API (`dht --api`).
    let repl: any CommandRunner
    /// Text or JSON replies.
    let format: ReplyFormat
    /// Where replies, warnings and the prompt go.
    let screen: any SessionScreen
    /// Network commands under way at once, at most.
    var pipeline = 1
    /// Counts the commands that failed, for a piped run's exit status.
    let failures = FailureCount()

    /// A network command under way, and its reply once it has one.
    private struct Running {
        var run: Int
        var op: String
        var task: Task<Void, Never>
        var reply: Reply?
    }

    /// Consumes `events` until the session ends; `post` feeds the same stream, so a
    /// finished command comes back as an event.
    func run(events: AsyncStream<SessionEvent>, post: @escaping @Sendable (SessionEvent) -> Void) async -> SessionEnding {
        // Lines not yet started, from `head` on: a long piped script is not shifted line by line.
        var waiting: [String] = []
        var head = 0
        var running: [Running] = []
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
                for current in running {
                    current.task.cancel()
                    show(current.op == "watch" ? .watchStopped : .cancelled(current.op))
                }
                running = []
            case .signal(let number):
                for current in running { current.task.cancel() }
                return .signal(number)
            case .progress(let run, let reply):
                if running.contains(where: { $0.run == run }) { show(reply) }
            case .finished(let run, let reply):
                guard let index = running.firstIndex(where: { $0.run == run }) else { continue }
                running[index].reply = reply
                while let first = running.first, let shown = first.reply {
                    show(shown)
                    running.removeFirst()
                }
            }
            // Start what waits, in order: network commands while the pipeline has room, any
            // other command (and quit) only once everything before it has answered.
            while head < waiting.count {
                let line = waiting[head]
                guard let command = Command.parse(line: line) else {
                    head += 1
                    continue
                }
                let networked = REPL.needsNetwork(command)
                guard networked ? running.count < max(1, pipeline) : running.isEmpty else { break }
                head += 1
                if command == .quit { return .quit }
                guard networked else {
                    if let reply = await repl.reply(to: command, line: line) { show(reply) }
                    continue
                }
                runs += 1
                let run = runs
                let repl = repl
                screen.setReady(false)
                let task = Task {
                    let reply = if case .watch(let key) = command {
                        await repl.watch(key: key) { post(.progress(run: run, $0)) }
                    } else {
                        await repl.reply(to: command, line: line)
                    }
                    guard let reply, !Task.isCancelled else { return }
                    post(.finished(run: run, reply))
                }
                running.append(Running(run: run, op: Self.operation(of: command), task: task))
            }
            if head > 1024, head * 2 > waiting.count {
                waiting.removeFirst(head)
                head = 0
            }
            if running.isEmpty {
                if inputEnded { return .endOfInput }
                screen.setReady(true)
            }
        }
        return .endOfInput
    }

    /// Writes a reply in the session's format, and its warning to stderr. A failure's text
    /// goes to stderr too, so stdout holds only answers; a JSON failure stays on stdout,
    /// where a script reads one object per command (its `error` field says it failed).
    private func show(_ reply: Reply) {
        if reply.isError { failures.add() }
        if reply.isError && format == .text {
            screen.warn(format.render(reply))
        } else {
            screen.reply(format.render(reply))
        }
        if let warning = reply.warning { screen.warn(warning) }
    }

    /// The command word a cancelled reply names.
    private static func operation(of command: Command) -> String {
        switch command {
        case .put: "put"
        case .get: "get"
        case .delete: "delete"
        case .where: "where"
        case .watch: "watch"
        case .join: "join"
        default: "command"
        }
    }
}

/// How many commands of a session failed; shared by the session and the program that reads it at the end.
final class FailureCount: Sendable {
    private let count = Atomic<Int>(0)

    /// Counts one more failed command.
    func add() { count.add(1, ordering: .relaxed) }

    /// The failed commands so far.
    var value: Int { count.load(ordering: .relaxed) }
}
