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

    /// Reads lines until `quit`, `exit` or end of input, then leaves the network gracefully and says goodbye.
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
        await node.leave()
        write(Output.goodbye)
    }

    /// Runs one command and writes its reply.
    func execute(_ command: Command) async {
        switch command {
        case .put(let key, let value, let ttl):
            write(await put(key: key, value: Array(value.utf8), ttl: ttl))
        case .get(let key):
            write(Output.getResult(key: key, value: await node.get(key: key)?.value))
        case .delete(let key):
            write(await delete(key: key))
        case .join(let endpoint):
            write(await join(endpoint: endpoint))
        case .status:
            write(Output.status(node.status()))
        case .help, .unknown, .usage, .unknownOption, .invalidDuration, .invalidEndpoint, .quit:
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

    /// Writes a tombstone for `key` and reports how many nodes took it.
    private func delete(key: String) async -> String {
        do {
            return Output.deleted(key: key, nodes: try await node.delete(key: key).storedAt)
        } catch {
            return Output.deleteFailed(key: key, error: error)
        }
    }

    /// Resolves `endpoint` (shape already checked by `Command`) and bootstraps through it.
    private func join(endpoint: String) async -> String {
        let address: SocketAddress
        do {
            address = try HostResolver.resolve(endpoint: endpoint)
        } catch {
            return Output.joinResolveFailed(error)
        }
        guard await node.bootstrap([address]) > 0 else { return Output.joinUnanswered(endpoint: endpoint) }
        return Output.joined(endpoint: endpoint, nodes: node.status().totalNodes)
    }

    private func showPrompt() {
        if interactive { prompt("> ") }
    }
}
