/// What a node holds and knows at one instant, as far as its event feed reports it.
package struct ActivitySnapshot: Sendable, Equatable {
    /// One value or tombstone held.
    package struct Held: Sendable, Equatable {
        /// The key, when the node was told it.
        package var key: String?
        /// The version held.
        package var seq: Int64
        /// The value's size in bytes (0 for a tombstone).
        package var size: Int
        /// Whether this is a delete's tombstone.
        package var isTombstone: Bool

        /// A held version.
        package init(key: String?, seq: Int64, size: Int, isTombstone: Bool) {
            self.key = key
            self.seq = seq
            self.size = size
            self.isTombstone = isTombstone
        }
    }

    /// The routing table's contacts, by id.
    package var contacts: [NodeID: SocketAddress]
    /// The store, by target.
    package var held: [NodeID: Held]

    /// A snapshot of `contacts` and `held`.
    package init(contacts: [NodeID: SocketAddress], held: [NodeID: Held]) {
        self.contacts = contacts
        self.held = held
    }
}

/// One change between two snapshots, as the event feed names it.
package enum ActivityChange: Sendable, Equatable {
    case contactAdded(NodeID, SocketAddress)
    case contactDropped(NodeID, SocketAddress)
    /// A value new here, or a newer version of one.
    case valueStored(NodeID, ActivitySnapshot.Held)
    /// A tombstone new here, or replacing a value.
    case valueDeleted(NodeID, ActivitySnapshot.Held)
    /// A value or tombstone no longer held: its lifetime ran out (or the quota evicted it).
    case valueExpired(NodeID)

    /// The event's type on the wire (docs/HTTP.md).
    package var type: String {
        switch self {
        case .contactAdded: "contact_added"
        case .contactDropped: "contact_dropped"
        case .valueStored: "value_stored"
        case .valueDeleted: "value_deleted"
        case .valueExpired: "value_expired"
        }
    }

    /// The event's data: one line of JSON.
    package var json: JSONValue {
        switch self {
        case .contactAdded(let id, let address), .contactDropped(let id, let address):
            .object([("id", .string(id.hex)), ("address", .string(address.description))])
        case .valueStored(let target, let held):
            .object([("target", .string(target.hex)), ("key", held.key.map(JSONValue.string) ?? .null),
                     ("seq", .integer(held.seq)), ("bytes", .int(held.size))])
        case .valueDeleted(let target, let held):
            .object([("target", .string(target.hex)), ("key", held.key.map(JSONValue.string) ?? .null), ("seq", .integer(held.seq))])
        case .valueExpired(let target):
            .object([("target", .string(target.hex))])
        }
    }

    /// What changed from `old` to `new`, in a fixed order (contacts, then values, each by id)
    /// so the feed reads the same on every run. A refreshed copy of the same version is no change.
    package static func between(_ old: ActivitySnapshot, _ new: ActivitySnapshot) -> [ActivityChange] {
        var changes: [ActivityChange] = []
        for (id, address) in new.contacts.sorted(by: { $0.key < $1.key }) where old.contacts[id] != address {
            if let previous = old.contacts[id] { changes.append(.contactDropped(id, previous)) }
            changes.append(.contactAdded(id, address))
        }
        for (id, address) in old.contacts.sorted(by: { $0.key < $1.key }) where new.contacts[id] == nil {
            changes.append(.contactDropped(id, address))
        }
        for (target, held) in new.held.sorted(by: { $0.key < $1.key }) {
            let before = old.held[target]
            guard before?.seq != held.seq || before?.isTombstone != held.isTombstone else { continue }
            changes.append(held.isTombstone ? .valueDeleted(target, held) : .valueStored(target, held))
        }
        for target in old.held.keys.sorted() where new.held[target] == nil {
            changes.append(.valueExpired(target))
        }
        return changes
    }
}
