/// Why a query got no usable answer.
public enum RPCError: Error, Equatable, Sendable {
    case timedOut
    case cancelled
    /// The node answered with a KRPC error.
    case remote(code: Int64, message: String)
    /// The node answered, but with another id than the one we asked for.
    case unexpectedResponder(NodeID)
}

extension RPCError {
    /// Whether this is a busy answer (error 202 "busy"): the node is there, over its limits.
    package var isBusy: Bool {
        if case .remote(ErrorCode.server.rawValue, Message.busyText) = self { true } else { false }
    }
}

/// What a query settles with.
package typealias RPCResult = Result<Response, RPCError>

/// The table of queries awaiting an answer, keyed by (transaction id, destination):
/// a reply resolves an entry only if both match. Plain value: the node holds it
/// under its lock and calls the completions it hands back outside the lock.
package struct PendingRequests {
    /// Called exactly once with a query's outcome, on whichever thread settles it.
    package typealias Completion = @Sendable (RPCResult) -> Void

    package struct Key: Hashable, Comparable {
        package var transactionID: UInt16
        package var address: SocketAddress

        /// Ordered by transaction id, then address.
        package static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.transactionID, lhs.address.ip, lhs.address.port) < (rhs.transactionID, rhs.address.ip, rhs.address.port)
        }

        /// The entry for `transactionID` sent to `address`.
        package init(transactionID: UInt16, address: SocketAddress) {
            self.transactionID = transactionID
            self.address = address
        }
    }

    package struct Entry {
        package var completion: Completion
        /// When the query went out, to measure the round trip. Set at reservation, because
        /// the reply may arrive on another thread before `arm` runs.
        package var sentAt: Timestamp
        /// Not armed until the datagram has gone out, so a sweep on another thread cannot
        /// time out a query whose reply an in-memory send is still delivering inline.
        package var deadline = Timestamp(nanoseconds: .max)
        /// When the waiter is told the query is slow (it keeps waiting for the hard deadline).
        package var stallDeadline: Timestamp?
        package var onStall: (@Sendable () -> Void)?
        /// Whether the stall was reported: the query was silent past its stall deadline.
        package var hasStalled = false

        /// The next moment a sweep has something to do for this entry.
        package var nextDue: Timestamp {
            guard onStall != nil, !hasStalled, let stallDeadline else { return deadline }
            return min(deadline, stallDeadline)
        }
    }

    /// What a sweep found due: queries to time out, and slow queries to report.
    package struct Due {
        package var expired: [Completion] = []
        package var stalled: [@Sendable () -> Void] = []
    }

    fileprivate var entries: [Key: Entry] = [:]
    /// No armed entry expires before this, so a sweep with nothing due skips the scan.
    private var earliestDeadline = Timestamp(nanoseconds: .max)

    /// No query awaiting an answer.
    package init() {}

    package var count: Int { entries.count }

    /// When the next sweep has something to do, if ever.
    package var nextDue: Timestamp? { earliestDeadline.nanoseconds == .max ? nil : earliestDeadline }

    /// Registers a query about to be sent toward `address` at `sentAt` under a transaction
    /// id not in use toward that address; it waits unarmed until `arm`.
    package mutating func reserve(
        to address: SocketAddress, sentAt: Timestamp, using generator: inout some RandomNumberGenerator,
        completion: @escaping Completion
    ) -> Key {
        while true {
            let key = Key(transactionID: UInt16.random(in: .min ... .max, using: &generator), address: address)
            if entries[key] == nil {
                entries[key] = Entry(completion: completion, sentAt: sentAt)
                return key
            }
        }
    }

    /// Starts the clocks of a query that has been sent; false if it is already settled.
    @discardableResult
    package mutating func arm(
        _ key: Key, deadline: Timestamp,
        stallDeadline: Timestamp? = nil, onStall: (@Sendable () -> Void)? = nil
    ) -> Bool {
        guard var entry = entries[key] else { return false }
        entry.deadline = deadline
        entry.stallDeadline = stallDeadline
        entry.onStall = onStall
        entries[key] = entry
        earliestDeadline = min(earliestDeadline, entry.nextDue)
        return true
    }

    /// Removes the entry and returns it, if it is still waiting.
    package mutating func remove(_ key: Key) -> Entry? {
        defer { releaseIfIdle() }
        return entries.removeValue(forKey: key)
    }

    /// Frees the table's storage once nothing waits: a dictionary keeps the capacity of its
    /// busiest moment, some kilobytes for a node that once ran a lookup, and most nodes of a
    /// large network wait on nothing most of the time.
    private mutating func releaseIfIdle() {
        if entries.isEmpty, entries.capacity > 0 { entries = [:] }
    }

    /// Removes every entry whose deadline has passed, and collects the stall callbacks
    /// of those past their stall deadline (each is reported once).
    package mutating func sweep(now: Timestamp) -> Due {
        guard now >= earliestDeadline else { return Due() }
        var expired: [(Key, Completion)] = []
        var stalled: [(Key, @Sendable () -> Void)] = []
        var nextDeadline = Timestamp(nanoseconds: .max)
        for (key, entry) in entries {
            if entry.deadline <= now {
                expired.append((key, entry.completion))
                entries[key] = nil
                continue
            }
            if !entry.hasStalled, let onStall = entry.onStall, let stallDeadline = entry.stallDeadline, stallDeadline <= now {
                stalled.append((key, onStall))
                entries[key]?.hasStalled = true
            }
            nextDeadline = min(nextDeadline, entries[key]?.nextDue ?? entry.deadline)
        }
        earliestDeadline = nextDeadline
        releaseIfIdle()
        // In key order, not the dictionary's (which differs between two tables with the
        // same keys): what the callbacks send next must not depend on it, or a seeded
        // simulation would not replay.
        return Due(expired: expired.sorted { $0.0 < $1.0 }.map(\.1), stalled: stalled.sorted { $0.0 < $1.0 }.map(\.1))
    }
}

extension PendingRequests {
    /// The keys in use, for tests and diagnostics.
    package var keys: [Key] { Array(entries.keys) }

    /// Empties the table, returning every waiting completion.
    package mutating func removeAll() -> [Completion] {
        defer { entries = [:] }
        return entries.sorted { $0.key < $1.key }.map(\.value.completion)
    }
}

extension PendingRequests {
    /// Heap bytes the table holds, with about 64 for each entry's completion closure.
    package var footprint: Int { Footprint.of(entries) + entries.count * 64 }
}
