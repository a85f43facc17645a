/// Why a query got no usable answer.
public enum RPCError: Error, Equatable, Sendable {
    case timedOut
    case cancelled
    /// The node answered with a KRPC error.
    case remote(code: Int64, message: String)
    /// The node answered, but with another id than the one we asked for.
    case unexpectedResponder(NodeID)
}

/// What a waiting query is resumed with.
typealias RPCResult = Result<Response, RPCError>

/// The table of queries awaiting an answer, keyed by (transaction id, destination):
/// a reply resolves an entry only if both match. Plain value: the node holds it
/// under its lock and resumes the continuations it hands back outside the lock.
struct PendingRequests {
    struct Key: Hashable {
        var transactionID: UInt16
        var address: SocketAddress
    }

    struct Entry {
        var continuation: CheckedContinuation<RPCResult, Never>?
        var deadline: Timestamp
    }

    fileprivate var entries: [Key: Entry] = [:]
    /// No attached entry expires before this, so a sweep with nothing due skips the scan.
    private var earliestDeadline = Timestamp(nanoseconds: .max)

    var count: Int { entries.count }

    /// Claims a transaction id not in use toward `address`; the entry waits for `attach`.
    mutating func reserve(to address: SocketAddress, using generator: inout some RandomNumberGenerator) -> Key {
        while true {
            let key = Key(transactionID: UInt16.random(in: .min ... .max, using: &generator), address: address)
            if entries[key] == nil {
                entries[key] = Entry(continuation: nil, deadline: Timestamp(nanoseconds: .max))
                return key
            }
        }
    }

    /// Attaches the waiter and starts the clock; false if the entry is already gone (cancelled).
    mutating func attach(_ continuation: CheckedContinuation<RPCResult, Never>, to key: Key, deadline: Timestamp) -> Bool {
        guard entries[key] != nil else { return false }
        entries[key] = Entry(continuation: continuation, deadline: deadline)
        earliestDeadline = min(earliestDeadline, deadline)
        return true
    }

    /// Removes the entry, returning its waiter if one is attached.
    mutating func remove(_ key: Key) -> CheckedContinuation<RPCResult, Never>? {
        entries.removeValue(forKey: key)?.continuation
    }

    /// Removes every attached entry whose deadline has passed and returns the waiters.
    mutating func removeExpired(now: Timestamp) -> [CheckedContinuation<RPCResult, Never>] {
        guard now >= earliestDeadline else { return [] }
        var expired = [CheckedContinuation<RPCResult, Never>]()
        var nextDeadline = Timestamp(nanoseconds: .max)
        for (key, entry) in entries {
            guard let continuation = entry.continuation else { continue }
            if entry.deadline <= now {
                expired.append(continuation)
                entries[key] = nil
            } else {
                nextDeadline = min(nextDeadline, entry.deadline)
            }
        }
        earliestDeadline = nextDeadline
        return expired
    }
}

extension PendingRequests {
    /// The keys in use, for tests and diagnostics.
    var keys: [Key] { Array(entries.keys) }

    /// Empties the table, returning every attached waiter.
    mutating func removeAll() -> [CheckedContinuation<RPCResult, Never>] {
        defer { entries = [:] }
        return entries.values.compactMap(\.continuation)
    }
}
