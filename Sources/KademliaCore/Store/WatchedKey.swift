/// The watcher's half of watching a key (PROTOCOL.md § listen): which holders it asked
/// to tell it, with the token each gave, and the newest version it has reported, so a
/// notification is taken only from a holder it asked, with that holder's token, and
/// only when it brings something newer.
package struct WatchedKey: Sendable {
    /// What to make of a notification.
    package enum Verdict: Sendable, Equatable {
        /// A newer version: report it.
        case newer
        /// Nothing new (the same version from another holder, or an older one): acknowledge it.
        case known
        /// Not from a holder this watch asked, or not with its token: refuse it, so it stops.
        case unasked
    }

    /// The key watched.
    package let target: NodeID
    /// Each holder asked, by address, with the write token it gave (which it echoes).
    package private(set) var holders: [SocketAddress: [UInt8]] = [:]
    /// The newest version reported: seq, whether a tombstone, and the bytes.
    package private(set) var newest: (seq: Int64, isTombstone: Bool, value: [UInt8])?

    /// A watch of `target` that has asked no one yet.
    package init(target: NodeID) {
        self.target = target
    }

    /// The holders asked in the latest round; those of earlier rounds are forgotten, as
    /// their registrations lapse.
    package mutating func asked(_ holders: [SocketAddress: [UInt8]]) {
        self.holders = holders
    }

    /// Whether `seq`, `isTombstone`, `value` wins over the newest reported, by the versioning
    /// rules (a higher seq, then a tombstone over a value, then the higher bytes); if so it
    /// becomes the newest.
    package mutating func offer(seq: Int64, isTombstone: Bool, value: [UInt8]) -> Bool {
        if let newest {
            if seq != newest.seq { guard seq > newest.seq else { return false } }
            else if isTombstone != newest.isTombstone { guard isTombstone else { return false } }
            else { guard newest.value.lexicographicallyPrecedes(value) else { return false } }
        }
        newest = (seq, isTombstone, value)
        return true
    }

    /// A holder's `notify`: taken only from a holder asked, with its token, for this key.
    package mutating func take(_ request: StoreRequest, from address: SocketAddress) -> Verdict {
        guard request.target == target, let token = holders[address], token == request.token else { return .unasked }
        if let key = request.key, NodeID(bytes: SHA1.hash(key)) != target { return .unasked }
        return offer(seq: request.seq, isTombstone: request.deleted, value: request.deleted ? [] : request.value) ? .newer : .known
    }
}
