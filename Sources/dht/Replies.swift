import Foundation
import Kademlia

/// Builds each command's `Reply`: the text from `Output` (the scripts' contract) beside
/// the JSON object with the same facts.
enum Replies {
    /// A put over a size limit, refused before anything is sent; nil when both sizes fit.
    static func sizeRefusal(op: String, key: String, valueSize: Int) -> Reply? {
        let keySize = key.utf8.count
        if keySize > DHTNode.maxKeySize {
            return .failure(op, Output.keyTooLarge(size: keySize, limit: DHTNode.maxKeySize),
                            error: "key too large", extra: [("size", .int(keySize)), ("limit", .int(DHTNode.maxKeySize))],
                            kind: .tooLarge)
        }
        if valueSize > DHTNode.maxValueSize {
            return .failure(op, Output.valueTooLarge(size: valueSize, limit: DHTNode.maxValueSize),
                            error: "value too large", extra: [("size", .int(valueSize)), ("limit", .int(DHTNode.maxValueSize))],
                            kind: .tooLarge)
        }
        return nil
    }

    /// A put that at least one node took; `ttl` beyond `lifetime` earns a note saying what it means.
    static func stored(key: String, _ result: PutResult, ttl: Duration? = nil, lifetime: Duration = .seconds(86_400)) -> Reply {
        let longTTL = ttl.map { $0 > lifetime } ?? false
        let note = longTTL ? ttl.map { Output.ttlBeyondLifetime(ttl: $0, lifetime: lifetime) } : nil
        let warnings = [warning(result), note].compactMap { $0 }
        return Reply(text: Output.stored(key: key, nodes: result.storedAt),
                     json: .object([("op", "put"), ("key", .string(key)), ("stored_at", .int(result.storedAt)),
                                    ("seq", .integer(result.seq)), ("only_here", .bool(result.isStoredOnlyHere))]
                                   + notKeptHere(result) + (longTTL ? [("copy_lifetime_s", .int(Int(lifetime.components.seconds)))] : [])),
                     warning: warnings.isEmpty ? nil : warnings.joined(separator: "\n"))
    }

    /// The JSON field saying why this node did not keep a write it should have.
    private static func notKeptHere(_ result: PutResult) -> [(String, JSONValue)] {
        result.notKeptHere.map { [("not_kept_here", .string($0))] } ?? []
    }

    /// The warning line a write's result calls for, if any.
    private static func warning(_ result: PutResult) -> String? {
        if let reason = result.notKeptHere { return Output.notKeptHere(reason) }
        return result.isStoredOnlyHere ? Output.storedOnlyHere(contactsKnown: result.contactsKnown) : nil
    }

    static func putFailed(key: String, _ error: PutError) -> Reply {
        .failure("put", Output.putFailed(key: key, error: error), error: error.description, extra: [("key", .string(key))],
                 kind: .of(error))
    }

    static func deleted(key: String, _ result: PutResult) -> Reply {
        Reply(text: result.hadValue ? Output.deleted(key: key, nodes: result.storedAt) : Output.deletedNothing(key: key, nodes: result.storedAt),
              json: .object([("op", "delete"), ("key", .string(key)), ("deleted_at", .int(result.storedAt)),
                             ("seq", .integer(result.seq)), ("existed", .bool(result.hadValue)),
                             ("only_here", .bool(result.isStoredOnlyHere))] + notKeptHere(result)),
              warning: warning(result))
    }

    static func deleteFailed(key: String, _ error: PutError) -> Reply {
        .failure("delete", Output.deleteFailed(key: key, error: error), error: error.description, extra: [("key", .string(key))],
                 kind: .of(error))
    }

    static func found(key: String, _ found: FoundValue?) -> Reply {
        guard let found else {
            return Reply(text: Output.getResult(key: key, value: nil),
                         json: .object([("op", "get"), ("key", .string(key)), ("found", false)]))
        }
        return Reply(text: Output.getResult(key: key, value: found.value),
                     json: .object([("op", "get"), ("key", .string(key)), ("found", true), valueField(found.value),
                                    ("seq", .integer(found.seq))]))
    }

    /// One version a watch reports: the value as `get` prints it, a delete, or nothing yet.
    static func watched(_ event: WatchEvent) -> Reply {
        let head: [(String, JSONValue)] = [("op", "watch"), ("key", .string(event.key))]
        guard let version = event.version else {
            return Reply(text: Output.getResult(key: event.key, value: nil), json: .object(head + [("found", false)]))
        }
        if version.isDeleted {
            return Reply(text: "Key '\(event.key)' deleted (seq \(version.seq))",
                         json: .object(head + [("deleted", true), ("seq", .integer(version.seq))]))
        }
        return Reply(text: Output.getResult(key: event.key, value: version.value) + " (seq \(version.seq))",
                     json: .object(head + [("found", true), ("seq", .integer(version.seq)), valueField(version.value)]))
    }

    /// A value in JSON: `"value"` as text when its bytes are UTF-8, else `"value_base64"`,
    /// so a binary value reaches a script byte for byte instead of with replacement characters.
    static func valueField(_ value: [UInt8]) -> (String, JSONValue) {
        if let text = String(validating: value, as: UTF8.self) { return ("value", .string(text)) }
        return ("value_base64", .string(Data(value).base64EncodedString()))
    }

    /// A get or where that could not tell whether the key exists.
    static func getFailed(op: String, key: String, _ error: GetError) -> Reply {
        .failure(op, Output.lookupFailed(op: op, key: key, error: error), error: error.description, extra: [("key", .string(key))],
                 kind: .of(error))
    }

    static func joined(endpoint: String, _ result: JoinResult) -> Reply {
        Reply(text: Output.joined(endpoint: endpoint, nodes: result.contacts),
              json: .object([("op", "join"), ("endpoint", .string(endpoint)), ("contacts", .int(result.contacts))]))
    }

    static func joinFailed(endpoint: String, _ error: JoinError) -> Reply {
        .failure("join", Output.joinFailed(endpoint: endpoint, error: error), error: error.description,
                 extra: [("endpoint", .string(endpoint))], kind: .of(error))
    }

    static func status(_ status: NodeStatus) -> Reply {
        let buckets = status.buckets.map {
            JSONValue.object([("index", .int($0.index)), ("count", .int($0.count)), ("replacements", .int($0.replacements))])
        }
        return Reply(text: Output.status(status), json: .object([
            ("op", "status"), ("id", .string(status.id.hex)), ("address", .string(status.address.description)),
            ("buckets", .array(buckets)), ("total_nodes", .int(status.totalNodes)), ("stored_keys", .int(status.storedKeys)),
            ("expiring_within_hour", .int(status.expiringWithinHour)), ("tombstones", .int(status.tombstones)),
            ("items", .int(status.items)), ("held_targets", .int(status.heldTargets)),
            ("uptime_s", .int(Int(status.uptime.components.seconds))), ("upkeep", upkeep(status.upkeep)),
        ] + (status.storage.map { storage in
            [("data_dir", .string(storage.directory)), ("journal_bytes", .int(storage.journalBytes)),
             ("fsync", .string(storage.fsync.rawValue))] + (storage.failure.map { [("journal_failure", JSONValue.string($0))] } ?? [])
        } ?? [])))
    }

    /// The upkeep half of the status reply.
    private static func upkeep(_ upkeep: UpkeepStatus) -> JSONValue {
        let destinations = upkeep.backlog.destinations.map { destination in
            JSONValue.object([("address", .string(destination.address.description)), ("waiting", .int(destination.waiting)),
                              ("in_flight", .int(destination.inFlight)), ("window", .int(destination.window))])
        }
        return .object([
            ("waiting", .int(upkeep.backlog.waiting)), ("in_flight", .int(upkeep.backlog.inFlight)),
            ("destinations", .array(destinations)), ("values_handed_off", .int(upkeep.valuesHandedOff)),
            ("busy_received", .int(upkeep.busyAnswersReceived)), ("busy_sent", .int(upkeep.busyAnswersSent)),
            ("queries_refused", .int(upkeep.queriesRefused)), ("upkeep_abandoned", .int(upkeep.upkeepAbandoned)),
            ("stores_refused", .int(upkeep.storesRefused)),
        ])
    }

    /// What this node holds; deleted keys (tombstones) only when `showingDeleted`, else counted.
    static func keys(_ held: [HeldValue], items: [HeldItem] = [], showingDeleted: Bool = false) -> Reply {
        let shown = showingDeleted ? held : held.filter { !$0.isTombstone }
        let hidden = held.count - shown.count
        let values = shown.map { value in
            JSONValue.object([
                ("key", value.key.map(JSONValue.string) ?? .null), ("target", .string(value.target.hex)),
                ("seq", .integer(value.seq)), ("size", .int(value.size)), ("deleted", .bool(value.isTombstone)),
                ("expires_in_s", .int(max(0, value.timeLeft.components.seconds))),
            ])
        }
        let heldItems = items.map { item in
            JSONValue.object([
                ("target", .string(item.target.hex)), ("mutable", .bool(item.seq != nil)),
                ("seq", item.seq.map(JSONValue.integer) ?? .null), ("size", .int(item.size)),
                ("expires_in_s", .int(max(0, item.timeLeft.components.seconds))),
            ])
        }
        return Reply(text: OutputViews.keys(shown, items: items, hiddenTombstones: hidden),
                     json: .object([("op", "keys"), ("keys", .array(values)), ("items", .array(heldItems)),
                                    ("deleted_hidden", .int(hidden))]))
    }

    static func peers(_ peers: [Peer]) -> Reply {
        let items = peers.map { peer in
            JSONValue.object([
                ("id", .string(peer.contact.id.hex)), ("address", .string(peer.contact.address.description)),
                ("bucket", .int(peer.bucket)), ("last_seen_s_ago", .int(max(0, peer.quietFor.components.seconds))),
                ("rtt_ms", peer.roundTrip.map { .number($0.seconds * 1000) } ?? .null), ("failures", .int(peer.failures)),
            ])
        }
        return Reply(text: OutputViews.peers(peers), json: .object([("op", "peers"), ("peers", .array(items))]))
    }

    /// Where a key lives: its K closest nodes and, when given, the lookup's path.
    static func placement(key: String, _ nodes: [Placement], path: [LookupStep] = []) -> Reply {
        let items = nodes.map { node in
            JSONValue.object([
                ("id", .string(node.contact.id.hex)), ("address", .string(node.contact.address.description)),
                ("self", .bool(node.isThisNode)), ("holds", .bool(node.holds.map { !$0.isDeleted } ?? false)),
                ("seq", node.holds.map { .integer($0.seq) } ?? .null), ("deleted", .bool(node.holds?.isDeleted ?? false)),
            ])
        }
        return Reply(text: OutputViews.placement(key: key, nodes),
                     json: .object([("op", "where"), ("key", .string(key)), ("target", .string(NodeID(key: key).hex)),
                                    ("nodes", .array(items)), ("path", .array(path.map(step)))]))
    }

    /// One node a lookup asked, for `where`'s path.
    private static func step(_ step: LookupStep) -> JSONValue {
        .object([("id", .string(step.contact.id.hex)), ("address", .string(step.contact.address.description)),
                 ("round", .int(step.round)), ("answered", .bool(step.answered))])
    }

    /// Replies that need no node: help and every parse error.
    static func local(to command: Command) -> Reply {
        let text = Output.reply(to: command) ?? ""
        switch command {
        case .help: return Reply(text: text, json: .object([("op", "help"), ("commands", .array(Command.words.map(JSONValue.string)))]))
        case .unknown(let word): return .failure(word, text, error: "unknown command", kind: .refused)
        case .usage(let name): return .failure(name, text, error: "usage", extra: [("usage", .string(text))], kind: .refused)
        case .unknownOption(let name, _), .badQuoting(let name, _): return .failure(name, text, error: text, kind: .refused)
        case .invalidDuration: return .failure("put", text, error: text, kind: .refused)
        case .invalidEndpoint: return .failure("join", text, error: text, kind: .refused)
        case .invalidHash(let name, _), .emptyKey(let name): return .failure(name, text, error: text, kind: .refused)
        default: return .failure("error", text, error: text, kind: .refused)
        }
    }

    /// The last line of a session.
    static let goodbye = Reply(text: Output.goodbye, json: .object([("op", "quit"), ("message", .string(Output.goodbye))]))
}
