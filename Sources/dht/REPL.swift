import Kademlia

/// Runs REPL commands against a node, one at a time, in input order.
struct REPL {
    /// The node the commands act on.
    let node: DHTNode
    /// Whether to show the `> ` prompt, i.e. whether a person is typing.
    let interactive: Bool
    /// Where replies go; stdout in the program, a collector in tests.
    var write: @Sendable (String) -> Void = Console.printLine
    /// Where the prompt goes (no newline).
    var prompt: @Sendable (String) -> Void = Console.printRaw

    /// Reads lines until `quit`, `exit` or end of input, then stops the node and says goodbye.
    func run(lines: AsyncStream<String>) async {
        showPrompt()
        var quitRequested = false
        for await line in lines {
            guard let command = Command.parse(line: line) else {
                showPrompt()
                continue
            }
            if command == .quit {
                quitRequested = true
                break
            }
            await execute(command)
            showPrompt()
        }
        if interactive && !quitRequested {
            // End of input at the prompt (Ctrl-D) leaves the cursor after "> ".
            prompt("\n")
        }
        node.stop()
        write(Output.goodbye)
    }

    /// Runs one command and writes its reply.
    func execute(_ command: Command) async {
        switch command {
        case .put(let key, let value, let ttl):
            write(await put(key: key, value: Array(value.utf8), ttl: ttl))
        case .get(let key):
            write(Output.getResult(key: key, value: await node.get(key: key)?.value))
        case .status:
            write(Output.status(node.status()))
        case .help, .unknown, .usage, .unknownOption, .invalidDuration, .quit:
            if let reply = Output.reply(to: command) { write(reply) }
        }
    }

    /// Checks the size first so an oversized value never reaches the network.
    private func put(key: String, value: [UInt8], ttl: Duration?) async -> String {
        guard value.count <= DHTNode.maxValueSize else {
            return Output.valueTooLarge(size: value.count, limit: DHTNode.maxValueSize)
        }
        do {
            return Output.stored(key: key, nodes: try await node.put(key: key, value: value, ttl: ttl).storedAt)
        } catch {
            return Output.putFailed(key: key, error: error)
        }
    }

    private func showPrompt() {
        if interactive { prompt("> ") }
    }
}
