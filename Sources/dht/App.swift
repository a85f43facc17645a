import Kademlia

/// The process exit statuses, following sysexits(3) for usage errors.
enum ExitStatus: Int32 {
    case success = 0
    /// Start-up failed: unresolvable bootstrap host, port in use, cannot bind.
    case failure = 1
    /// EX_USAGE: the command line is wrong.
    case usage = 64
}

/// The whole program: command line in, exit status out.
enum App {
    /// Parses `arguments` (without the program name), runs what they ask, and returns the exit status.
    static func run(arguments: [String]) async -> ExitStatus {
        Console.ignoreBrokenPipes()
        switch CommandLineOptions.parse(arguments) {
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
            return await runNode(options)
        }
    }

    /// Resolves the seeds, binds, joins, then hands stdin to the REPL.
    ///
    /// Seeds are resolved before binding so a typo in a host name fails fast
    /// without ever opening the port.
    private static func runNode(_ options: CommandLineOptions) async -> ExitStatus {
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

        let log = Console.logSink(minimum: options.logLevel)
        var configuration = NodeConfiguration()
        configuration.log = log
        configuration.logLevel = options.logLevel
        options.tuning.apply(to: &configuration)
        let node: DHTNode
        do {
            node = try DHTNode.udp(port: options.port, host: options.bindAddress, configuration: configuration)
        } catch {
            Console.printError(bindFailure(error, options))
            return .failure
        }
        log(.info, "dht \(Output.version): node \(node.id.hex) listening on \(node.address)")

        if !seeds.isEmpty {
            let answered = await node.bootstrap(seeds)
            if answered == 0 {
                Console.printError(Output.noSeedAnswered(address: node.address.description))
            } else {
                log(.info, "joined through \(answered) of \(seeds.count) bootstrap nodes")
            }
        }

        await REPL(node: node, interactive: Console.stdinIsTerminal).run(lines: StdinLines.lines())
        return .success
    }

    /// The one-line reason binding failed, naming a port already in use plainly.
    private static func bindFailure(_ error: any Error, _ options: CommandLineOptions) -> String {
        let socketError = error as? SocketError
        return Output.bindFailed(
            host: options.bindAddress, port: options.port,
            addressInUse: socketError?.isAddressInUse ?? false,
            reason: socketError?.description ?? "\(error)")
    }
}
