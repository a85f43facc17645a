/// The nodes that asked this holder, with `listen`, to be told of new versions of a key:
/// each for `lifetime` unless it asks again, and bounded per key, per source address and
/// in all, so listeners cost a holder a fixed amount of memory whoever asks.
package struct ListenerTable: Sendable {
    /// How long a `listen` holds; a watcher asks again before this runs out.
    package static let lifetime: Duration = .seconds(600)
    /// Listeners of one key, at most.
    package static let maxPerTarget = 32
    /// Registrations from one IP address, at most, over all keys.
    package static let maxPerSource = 64
    /// Registrations in all, at most.
    package static let maxTotal = 4096

    /// One registration.
    package struct Listener: Sendable, Equatable {
        /// Who listens, and where notifications go.
        package var contact: Contact
        /// The token the listener presented, sent back in each notification so it can
        /// tell them from forgeries.
        package var token: [UInt8]
        /// When the registration lapses.
        package var expiresAt: Timestamp
    }

    /// What a `listen` did.
    package enum Outcome: Sendable, Equatable {
        case added, refreshed
        /// Over a bound: the key's, the source's or the table's.
        case refused
    }

    private var byTarget: [NodeID: [Listener]] = [:]
    private var perSource: [UInt32: Int] = [:]
    /// Registrations held, lapsed ones not yet swept included.
    package private(set) var count = 0

    package init() {}

    /// Whether no one listens (the store then notes no new versions).
    package var isEmpty: Bool { count == 0 }

    /// Registers `contact` for `target` until `now + lifetime`, or extends its registration.
    package mutating func listen(to target: NodeID, _ contact: Contact, token: [UInt8], now: Timestamp) -> Outcome {
        let expiresAt = now + Self.lifetime
        if let index = byTarget[target]?.firstIndex(where: { $0.contact.address == contact.address }) {
            byTarget[target]?[index] = Listener(contact: contact, token: token, expiresAt: expiresAt)
            return .refreshed
        }
        sweep(target, now: now)
        // At a bound, lapsed registrations elsewhere may be holding the places: sweep them all, once.
        if !hasRoom(for: contact, target) { removeExpired(now: now) }
        guard hasRoom(for: contact, target) else { return .refused }
        byTarget[target, default: []].append(Listener(contact: contact, token: token, expiresAt: expiresAt))
        perSource[contact.address.ip, default: 0] += 1
        count += 1
        return .added
    }

    /// Whether every bound leaves room for `contact` to listen to `target`.
    private func hasRoom(for contact: Contact, _ target: NodeID) -> Bool {
        count < Self.maxTotal && (byTarget[target]?.count ?? 0) < Self.maxPerTarget
            && perSource[contact.address.ip, default: 0] < Self.maxPerSource
    }

    /// Whether anyone is registered for `target`, lapsed registrations not yet swept included.
    package func hasListeners(of target: NodeID) -> Bool {
        byTarget[target] != nil
    }

    /// The live listeners of `target`; lapsed ones are dropped on the way.
    package mutating func listeners(of target: NodeID, now: Timestamp) -> [Listener] {
        sweep(target, now: now)
        return byTarget[target] ?? []
    }

    /// Drops the registration of `address` for `target`: it said it no longer listens, or went silent.
    package mutating func remove(_ address: SocketAddress, from target: NodeID) {
        guard let index = byTarget[target]?.firstIndex(where: { $0.contact.address == address }) else { return }
        byTarget[target]?.remove(at: index)
        if byTarget[target]?.isEmpty == true { byTarget[target] = nil }
        forget(address)
    }

    /// Drops every lapsed registration.
    package mutating func removeExpired(now: Timestamp) {
        for target in Array(byTarget.keys) { sweep(target, now: now) }
    }

    /// Drops the lapsed registrations of `target`.
    private mutating func sweep(_ target: NodeID, now: Timestamp) {
        guard let listeners = byTarget[target], listeners.contains(where: { $0.expiresAt <= now }) else { return }
        let live = listeners.filter { $0.expiresAt > now }
        for lapsed in listeners where lapsed.expiresAt <= now { forget(lapsed.contact.address) }
        byTarget[target] = live.isEmpty ? nil : live
    }

    /// One registration of `address` fewer.
    private mutating func forget(_ address: SocketAddress) {
        count -= 1
        let left = perSource[address.ip, default: 1] - 1
        perSource[address.ip] = left > 0 ? left : nil
    }
}
