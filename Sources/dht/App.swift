import Foundation
import Kademlia

/// The process exit statuses, following sysexits(3) for usage errors.
enum ExitStatus: Equatable {
    case success
    /// Start-up failed: unresolvable bootstrap host, port in use, cannot bind.
    case failure
    /// EX_USAGE: the command line or the environment is wrong.
    case usage
    /// A second signal cut the graceful leave short: 128 + its number.
    case signalled(Int32)

    /// The status the process exits with.
    var rawValue: Int32 {
        switch self {
        case .success: 0
        case .failure: 1
        case .usage: 64
        case .signalled(let number): SignalWatcher.exitStatus(for: number)
        }
    }
}

/// The whole program: command line in, exit status out.
enum App {
    /// Parses `arguments` (without the program name) over the `DHT_*` environment, runs
    /// what they ask, and returns the exit status.
    static func run(arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) async -> ExitStatus {
        Console.ignoreBrokenPipes()
        let settings: [String: String]
        switch withConfigFile(arguments: arguments, environment: environment) {
        case .failure(let error):
            Console.printError(Output.error(error.message))
            return .usage
        case .success(let merged):
            settings = merged
        }
        switch ClientOptions.parse(arguments, environment: settings) {
        case .failure(let error)?:
            Console.printError(Output.error(error.message))
            Console.printError(Output.tryHelp)
            return .usage
        case .success(let client)?:
            return await ClientApp.run(client)
        case nil:
            break
        }
        switch CommandLineOptions.parse(arguments, environment: settings) {
        case .failure(let error):
            Console.printError(Output.error(error.message))
            Console.printError(Output.tryHelp)
            return .usage
        case .success(.help):
            Console.printLine(Output.usage)
            return .success
        case .success(.version):
            Console.printLine(Output.versionLine)
            return .success
        case .success(.run(let options)):
            for warning in CommandLineOptions.unknownEnvironmentWarnings(environment) { Console.printError("dht: " + warning) }
            return await runNode(options)
        }
    }

    /// The environment with the `--config` file's settings (or `DHT_CONFIG`'s) beneath it:
    /// a variable beats the file. Without a file, the environment as it is.
    static func withConfigFile(arguments: [String], environment: [String: String]) -> Result<[String: String], UsageError> {
        var path = environment["DHT_CONFIG"]
        for (index, argument) in arguments.enumerated() {
            if argument == "--" { break }
            if argument == "--config" { path = arguments.indices.contains(index + 1) ? arguments[index + 1] : "" }
            if argument.hasPrefix("--config=") { path = String(argument.dropFirst("--config=".count)) }
        }
        guard let path else { return .success(environment) }
        guard !path.isEmpty else { return .failure(UsageError(message: "option '--config' needs a file")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(UsageError(message: "cannot read the config file \(path)"))
        }
        return ConfigFile.variables(fromJSON: data, path: path).map { file in
            file.merging(environment) { _, variable in variable }
        }
    }

    /// Resolves the seeds, binds, says who it is, joins, then runs the session until it ends.
    ///
    /// Seeds are resolved before binding so a typo in a host name fails fast
    /// without ever opening the port. Signals are watched from before the join, so a
    /// node told to stop while joining still leaves gracefully.
    private static func runNode(_ given: CommandLineOptions) async -> ExitStatus {
        var options = given
        if !options.serviceMode && Console.startedInTheBackground {
            // `dht 8011 localhost:8001 &`: the terminal is the shell's. Reading it would stop the
            // process (SIGTTIN) or fail; so run as a service, and keep quiet writes from stopping it.
            Console.printError(Output.startedInTheBackground)
            Console.keepRunningWhenWritingInTheBackground()
            options.serviceMode = true
        }
        var seeds: [SocketAddress] = []
        for endpoint in options.bootstrap {
            do {
                seeds.append(try HostResolver.resolve(endpoint: endpoint))
            } catch {
                Console.printError(Output.resolveFailed(error))
                if case .malformed = error { return .usage }
                return .failure
            }
        }

        let interactive = !options.serviceMode && Console.stdinIsTerminal
        let screen = Screen(plainPrompt: interactive && !options.jsonReplies)
        var configuration = NodeConfiguration()
        configuration.log = Console.logSink(format: options.logFormat, screen: screen)
        configuration.logLevel = options.logLevel
        options.tuning.apply(to: &configuration)
        options.limits.apply(to: &configuration)
        let eventFeed = EventFeed()
        let lookupStats = LookupStats()
        if options.http.address != nil {
            configuration.onLookup = { report in
                eventFeed.lookupFinished(report)
                lookupStats.record(report)
            }
        }
        if options.mainline {
            configuration.secureNodeID = true
            configuration.routers = Self.resolveRouters(options.routers)
            seeds += configuration.routers
        }
        var storage: NodeStorage?
        if let directory = options.dataDirectory {
            do {
                storage = try NodeStorage.open(directory: directory, fsync: options.fsync)
            } catch {
                Console.printError(Output.error(error.description))
                return .failure
            }
        }
        let node: DHTNode
        do {
            node = try DHTNode.udp(port: options.port, host: options.bindAddress, configuration: configuration, storage: storage)
        } catch {
            Console.printError(bindFailure(error, options))
            return .failure
        }

        let repl = REPL(node: node)
        var httpServer: HTTPServer?
        if let host = options.http.address {
            do {
                let server = try HTTPServer.bind(host: host, port: options.http.port)
                let api = HTTPAPI(repl: repl, policy: options.http.policy(port: server.address.port, interfaces: Banner.interfaceAddresses()),
                                  streams: HTTPStreams(node: node, feed: eventFeed), lookups: lookupStats, hotKeys: HotKeys(node: node))
                server.serve { request in await api.respond(to: request) }
                eventFeed.start(node: node)
                repl.crawls.observe { eventFeed.crawled($0) }
                httpServer = server
            } catch {
                Console.printError(Output.error("cannot listen for HTTP on \(host):\(options.http.port): \(error)"))
                node.stop()
                return .failure
            }
        }

        let (events, post) = AsyncStream.makeStream(of: SessionEvent.self, bufferingPolicy: .unbounded)
        let signals = SignalWatcher { post.yield(.signal($0)) }
        let banner = BannerPrinter(screen: screen, format: options.logFormat, node: node, enabled: options.logLevel < .error)
        let interfaces = Banner.interfaceAddresses()
        banner.say(Banner.started(id: node.id, bindAddress: options.bindAddress, port: node.address.port, interfaces: interfaces))
        let reachable = "\(Banner.reachable(options.bindAddress, interfaces)):\(node.address.port)"
        if let storage { banner.say([Banner.restored(storage)]) }
        if let httpServer { banner.say(["HTTP: http://\(httpServer.address)/api/v1/status", "Page: http://\(httpServer.address)/"]) }
        if seeds.isEmpty && storage?.savedContacts.isEmpty != false {
            banner.say([Banner.newNetwork(reachableAt: reachable)])
        } else {
            do {
                banner.say([Banner.joined(try await node.bootstrap(seeds))])
            } catch {
                screen.warn(Banner.runningAlone(reachableAt: reachable))
            }
        }

        if interactive { banner.say([Output.replHint]) }
        if !options.serviceMode {
            if interactive && !options.jsonReplies,
               let editor = LineEditorSession.open(historyFile: options.historyFile, post: { post.yield($0) }) {
                screen.attach(editor)
            } else {
                StdinLines.start(post: { post.yield($0) })
            }
        }
        let session = Session(repl: repl, format: options.jsonReplies ? .json : .text, screen: screen,
                              pipeline: options.pipeline)
        let ending = await session.run(events: events, post: { post.yield($0) })
        httpServer?.stop()
        eventFeed.stop()
        let status = await shutDown(node, after: ending, screen: screen, signals: signals, format: session.format)
        // A script fed through a pipe learns that a command failed from the exit status, as with `sh -e`
        // but without stopping: every line still runs. A person at the terminal saw each error already.
        if status == .success, !interactive, !options.serviceMode, session.failures.value > 0 {
            Console.printError("dht: \(OutputViews.count(session.failures.value, "command")) failed")
            return .failure
        }
        return status
    }

    /// The routers' addresses; one that does not resolve is skipped with a warning, since the
    /// others (or the saved contacts) may still do.
    private static func resolveRouters(_ routers: [String]) -> [SocketAddress] {
        routers.compactMap { router in
            do {
                return try HostResolver.resolve(endpoint: router)
            } catch {
                Console.printError("dht: warning: router \(router) skipped: \(error)")
                return nil
            }
        }
    }

    /// Leaves the network gracefully and says goodbye; a second signal meanwhile exits at once.
    private static func shutDown(_ node: DHTNode, after ending: SessionEnding, screen: Screen, signals: SignalWatcher,
                                 format: ReplyFormat) async -> ExitStatus {
        signals.onSignal { number in
            Console.printError("dht: \(SignalWatcher.name(of: number)) again: exiting without finishing the leave")
            exit(SignalWatcher.exitStatus(for: number))
        }
        if ending == .endOfInput && screen.showsPlainPrompt {
            // End of input at the prompt (Ctrl-D) leaves the cursor after "> ".
            Console.printRaw("\n")
        }
        screen.detach()
        await node.leave()
        screen.reply(format.render(Replies.goodbye))
        return .success
    }

    /// The one-line reason binding failed, naming a port already in use plainly.
    private static func bindFailure(_ error: any Error, _ options: CommandLineOptions) -> String {
        let socketError = error as? SocketError
        return Output.bindFailed(
            host: options.bindAddress, port: options.port,
            addressInUse: socketError?.isAddressInUse ?? false,
            reason: socketError?.description ?? "could not bind")
    }
}

/// Writes the start-up lines to stderr, as plain lines or as JSON log records.
struct BannerPrinter {
    let screen: Screen
    let format: LogFormat
    let node: DHTNode
    /// Off at `--log-level error`, which asks for errors only.
    let enabled: Bool

    /// Prints each of `lines`.
    func say(_ lines: [String]) {
        guard enabled else { return }
        for line in lines {
            if format == .json {
                let record = LogRecord(level: .info, event: .membership, node: String(node.id.hex.prefix(8)), message: line)
                screen.warn(LogLine.format(record, as: .json))
            } else {
                screen.warn(line)
            }
        }
    }
}

extension LineTerminal: LineDisplay {}

/// The line editor on the terminal, feeding the session.
enum LineEditorSession {
    /// Opens the line editor and posts what it hears as session events; nil when stdin or
    /// stdout is no terminal or raw mode fails. `historyFile` is the `--history-file`
    /// setting: nil for `~/.dht_history`, empty for history in memory only.
    static func open(historyFile: String?, post: @escaping @Sendable (SessionEvent) -> Void) -> (any LineDisplay)? {
        let file: HistoryFile? = switch historyFile {
        case nil: HistoryFile.fromEnvironment(["HOME": ProcessInfo.processInfo.environment["HOME"] ?? ""])
        case let path? where path.isEmpty: nil
        case let path?: HistoryFile(path: path)
        }
        guard let terminal = LineTerminal.open(prompt: "> ", completions: Command.words, historyFile: file) else { return nil }
        let events = terminal.events()
        Task {
            for await event in events {
                switch event {
                case .line(let line): post(.line(line))
                case .interrupt: post(.interrupt)
                case .endOfInput: post(.endOfInput)
                }
            }
        }
        return terminal
    }
}
