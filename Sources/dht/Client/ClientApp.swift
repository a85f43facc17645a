import Kademlia

/// `dht --api URL ...`: the REPL's commands and output lines against a running node's HTTP
/// API, so a script no longer starts a throwaway node per run (a new id, hand-offs to it,
/// a stale contact left behind).
enum ClientApp {
    /// Runs one command and exits with the REPL's status, or reads commands until the end.
    static func run(_ options: ClientOptions) async -> ExitStatus {
        let client: APIClient
        do {
            client = try APIClient(url: options.url, token: options.token)
        } catch {
            Console.printError(Output.error(error.description))
            return .usage
        }
        let format: ReplyFormat = options.json ? .json : .text
        let runner = RemoteREPL(client: client, format: format)
        guard let line = options.line else { return await session(runner, options) }
        let command = Command.parse(line: line) ?? .usage(command: options.words.first ?? "")
        if command == .quit { return .success }
        let reply: Reply? = if case .watch(let key) = command {
            await runner.watch(key: key) { print($0, format) }
        } else {
            await runner.reply(to: command, line: line)
        }
        guard let reply else { return .success }
        print(reply, format)
        return reply.isError ? .failure : .success
    }

    /// Writes `reply` as the REPL does: answers to stdout, a failure's text and warnings to stderr.
    private static func print(_ reply: Reply, _ format: ReplyFormat) {
        if reply.isError && format == .text {
            Console.printError(format.render(reply))
        } else {
            Console.printLine(format.render(reply))
        }
        if let warning = reply.warning { Console.printError(warning) }
    }

    /// Reads commands from the terminal or a pipe, as the REPL does, until quit or the end.
    private static func session(_ runner: RemoteREPL, _ options: ClientOptions) async -> ExitStatus {
        let interactive = Console.stdinIsTerminal
        let screen = Screen(plainPrompt: interactive && !options.json)
        let (events, post) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .unbounded)
        let signals = SignalWatcher { post.yield(.signal($0)) }
        if interactive && !options.json,
           let editor = LineEditorSession.open(historyFile: options.historyFile, post: { post.yield($0) }) {
            screen.attach(editor)
        } else {
            StdinLines.start(post: { post.yield($0) })
        }
        let session = Session(repl: runner, format: runner.format, screen: screen)
        let ending = await session.run(events: events, post: { post.yield($0) })
        screen.detach()
        _ = signals
        if case .signal(let number) = ending { return .signalled(number) }
        if !interactive, session.failures.value > 0 {
            Console.printError("dht: \(OutputViews.count(session.failures.value, "command")) failed")
            return .failure
        }
        return .success
    }
}
