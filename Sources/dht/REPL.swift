import Kademlia

/// What runs a session's commands: the REPL on a node here, or a node's HTTP API (`dht --api`).
protocol CommandRunner: Sendable {
    /// The reply to `command`, typed as `line`; nil for `quit`, which the session handles.
    func reply(to command: Command, line: String) async -> Reply?
    /// Hands `each` a reply for every version of `key`, until the task is cancelled (then
    /// nil) or the watch cannot go on (then why).
    func watch(key: String, each: (Reply) -> Void) async -> Reply?
}

/// Runs one REPL command against a node and says what happened, as text and as JSON.
struct REPL: CommandRunner {
    /// The node the commands act on.
    let node: DHTNode
    /// Its crawl, which the REPL and the HTTP API share.
    var crawls = CrawlKeeper()

    /// The reply to `command`; nil for `quit`, which the session handles.
    func reply(to command: Command) async -> Reply? {
        switch command {
        case .put(let key, let value, let ttl): return await put(key: key, value: Array(value.utf8), ttl: ttl)
        case .get(let key): return await get(key: key)
        case .delete(let key): return await delete(key: key)
        case .where(let key): return await placement(of: key)
        case .watch(let key): return await watch(key: key, each: { _ in })
        case .join(let endpoint): return await join(endpoint: endpoint)
        case .status: return Replies.status(node.status())
        case .crawl(let maxNodes):
            guard let result = await crawls.run(on: node, limits: CrawlLimits(maxNodes: maxNodes ?? CrawlLimits.nodeCeiling)) else {
                return CrawlReplies.busy
            }
            return CrawlReplies.finished(result)
        case .keys(let all): return Replies.keys(node.heldValues(), items: node.heldItems(), showingDeleted: all)
        case .peers: return Replies.peers(node.peers())
        case .mainline(let command): return await reply(to: command)
        case .quit: return nil
        case .help, .unknown, .usage, .unknownOption, .invalidDuration, .invalidEndpoint, .badQuoting, .invalidHash, .emptyKey:
            return Replies.local(to: command)
        }
    }

    /// The reply to `command`; the line it was typed as changes nothing here.
    func reply(to command: Command, line: String) async -> Reply? {
        await reply(to: command)
    }

    /// Whether `command` talks to the network, so it runs as a task Ctrl-C can cancel.
    static func needsNetwork(_ command: Command) -> Bool {
        switch command {
        case .put, .get, .delete, .where, .watch, .join, .mainline, .crawl: true
        default: false
        }
    }

    /// Checks the sizes first so an oversized key or value never reaches the network.
    func put(key: String, value: [UInt8], ttl: Duration?) async -> Reply {
        if let refusal = Replies.sizeRefusal(op: "put", key: key, valueSize: value.count) { return refusal }
        do {
            let result = try await node.put(key: key, value: value, ttl: ttl)
            return Replies.stored(key: key, result, ttl: ttl, lifetime: node.configuration.valueLifetime)
        } catch {
            return Replies.putFailed(key: key, error)
        }
    }

    private func get(key: String) async -> Reply {
        if let refusal = Replies.sizeRefusal(op: "get", key: key, valueSize: 0) { return refusal }
        do {
            return Replies.found(key: key, try await node.get(key: key))
        } catch {
            return Replies.getFailed(op: "get", key: key, error)
        }
    }

    /// Writes a tombstone for `key` and reports how many nodes took it.
    private func delete(key: String) async -> Reply {
        if let refusal = Replies.sizeRefusal(op: "delete", key: key, valueSize: 0) { return refusal }
        do {
            return Replies.deleted(key: key, try await node.delete(key: key))
        } catch {
            return Replies.deleteFailed(key: key, error)
        }
    }

    private func placement(of key: String) async -> Reply {
        if let refusal = Replies.sizeRefusal(op: "where", key: key, valueSize: 0) { return refusal }
        do {
            let location = try await node.locate(key: key)
            return Replies.placement(key: key, location.nodes, path: location.path)
        } catch {
            return Replies.getFailed(op: "where", key: key, error)
        }
    }

    /// Hands `each` a reply for every version of `key` the node's watch reports, until the
    /// task is cancelled (Ctrl-C); then returns nil, as a cancelled command shows no reply.
    func watch(key: String, each: (Reply) -> Void) async -> Reply? {
        if let refusal = Replies.sizeRefusal(op: "watch", key: key, valueSize: 0) { return refusal }
        for await event in node.watch(key: key) {
            each(Replies.watched(event))
        }
        return nil
    }

    /// Resolves `endpoint` (shape already checked by `Command`) and bootstraps through it.
    private func join(endpoint: String) async -> Reply {
        do {
            return Replies.joined(endpoint: endpoint, try await node.bootstrap([endpoint]))
        } catch {
            return Replies.joinFailed(endpoint: endpoint, error)
        }
    }
}
