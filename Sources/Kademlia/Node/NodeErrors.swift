/// Why a put or a delete stored nothing.
public enum PutError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The value is over `DHTNode.maxValueSize` bytes; nothing was sent.
    case valueTooLarge(size: Int, limit: Int)
    /// The key is over `DHTNode.maxKeySize` bytes of UTF-8; nothing was sent.
    case keyTooLarge(size: Int, limit: Int)
    /// No node, not even this one, accepted the value.
    case notStored
    /// The node was stopped; nothing was sent.
    case stopped
    /// A BEP 44 item that is not one bencoded value, or a salt over 64 bytes; nothing was sent.
    case invalidItem(String)

    /// One line fit for a user.
    public var description: String {
        switch self {
        case .valueTooLarge(let size, let limit): "value too large: \(size) bytes (limit \(limit))"
        case .keyTooLarge(let size, let limit): "key too large: \(size) bytes (limit \(limit))"
        case .notStored: "no node accepted it"
        case .stopped: "the node is stopped"
        case .invalidItem(let reason): "invalid item: \(reason)"
        }
    }
}

/// Why a get found no answer, as opposed to finding that the key is absent (which is nil).
public enum GetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Other nodes are known (or bootstrap nodes were given) but none answered, and this
    /// node holds nothing for the key: the key may well exist.
    case noNodeAnswered
    /// The key is over `DHTNode.maxKeySize` bytes of UTF-8; no node can hold it.
    case keyTooLarge(size: Int, limit: Int)
    /// The node was stopped; nothing was sent.
    case stopped

    /// One line fit for a user.
    public var description: String {
        switch self {
        case .noNodeAnswered: "no node answered"
        case .keyTooLarge(let size, let limit): "key too large: \(size) bytes (limit \(limit))"
        case .stopped: "the node is stopped"
        }
    }
}

/// Why joining a network failed.
public enum JoinError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A bootstrap endpoint is not `host:port` or its host has no IPv4 address.
    case unresolvable(ResolveError)
    /// No bootstrap node answered a ping. The node keeps retrying them in the background.
    case noAnswer(tried: Int)
    /// No bootstrap node was given (or only this node's own address).
    case noBootstrapNodes
    /// The node was stopped; nothing was sent.
    case stopped

    /// One line fit for a user.
    public var description: String {
        switch self {
        case .unresolvable(let error): error.description
        case .noAnswer(let tried): tried == 1 ? "the bootstrap node did not answer" : "none of \(tried) bootstrap nodes answered"
        case .noBootstrapNodes: "no bootstrap node given"
        case .stopped: "the node is stopped"
        }
    }
}

/// What a successful join found.
public struct JoinResult: Sendable, Equatable, CustomStringConvertible {
    /// Bootstrap nodes that answered the first ping.
    public var answered: Int
    /// Bootstrap nodes asked.
    public var tried: Int
    /// Contacts in the routing table after the join lookups.
    public var contacts: Int

    /// One line fit for a user.
    public var description: String {
        "joined through \(answered) of \(tried) bootstrap node\(tried == 1 ? "" : "s"); \(contacts) contact\(contacts == 1 ? "" : "s") known"
    }
}
