import Kademlia
import Synchronization

/// Keys read again and again over HTTP, kept current by a watch (`DHTNode.watch`), so a
/// repeated GET is answered without a lookup; OpenDHT's proxy does the same with the
/// searches it keeps listening.
///
/// A key's first GET runs a lookup as always and starts a watch of it; from the watch's
/// first event on, GETs read the version the holders last pushed, until it expires (the
/// holder's `ttl`), a write through this API makes it unsure, or the key goes unread for
/// `idleTimeout` (its watch then stops). At most `capacity` keys are watched; the least
/// recently read makes room.
final class HotKeys: Sendable {
    /// Keys watched at once, at most.
    static let capacity = 64
    /// A key unread this long stops being watched.
    static let idleTimeout: Duration = .seconds(60)

    private struct Entry {
        /// The newest version the watch reported; nil inside `known` for nothing stored.
        var version: FoundValue?
        /// Whether `version` can be served: the watch has reported, and nothing since made it unsure.
        var known = false
        var expiresAt: ContinuousClock.Instant?
        var lastRead: ContinuousClock.Instant
        var watch: Task<Void, Never>?
    }

    private let node: DHTNode
    private let entries = Mutex<[String: Entry]>([:])

    /// Hot keys of `node`.
    init(node: DHTNode) {
        self.node = node
    }

    /// The version to answer a GET of `key` with, when a watch keeps it current: `.some(nil)`
    /// for nothing stored (or deleted), nil when a lookup must decide. Marks the key read.
    func cached(_ key: String) -> FoundValue?? {
        let now = ContinuousClock.now
        return entries.withLock { entries -> FoundValue?? in
            guard var entry = entries[key] else { return nil }
            entry.lastRead = now
            entries[key] = entry
            guard entry.known else { return nil }
            if let version = entry.version, !version.isDeleted, let expiresAt = entry.expiresAt, now >= expiresAt { return nil }
            return .some(entry.version.flatMap { $0.isDeleted ? nil : $0 })
        }
    }

    /// A lookup read `key`: start watching it, so the next GET needs none.
    func read(_ key: String) {
        let now = ContinuousClock.now
        let (started, stopped) = entries.withLock { entries -> (Bool, [Task<Void, Never>]) in
            var stopped: [Task<Void, Never>] = []
            for (name, entry) in entries where now - entry.lastRead > Self.idleTimeout {
                if let watch = entry.watch { stopped.append(watch) }
                entries[name] = nil
            }
            if entries[key] != nil { return (false, stopped) }
            if entries.count >= Self.capacity, let coldest = entries.min(by: { $0.value.lastRead < $1.value.lastRead }) {
                if let watch = coldest.value.watch { stopped.append(watch) }
                entries[coldest.key] = nil
            }
            entries[key] = Entry(lastRead: now)
            return (true, stopped)
        }
        for watch in stopped { watch.cancel() }
        guard started else { return }
        let versions = node.watch(key: key)
        let watch = Task { [weak self] in
            for await event in versions { self?.update(key, with: event) }
        }
        entries.withLock { entries in
            if entries[key] != nil { entries[key]?.watch = watch } else { watch.cancel() }
        }
    }

    /// A write through this API: until the watch reports again, a GET runs a lookup.
    func wrote(_ key: String) {
        entries.withLock { $0[key]?.known = false }
    }

    /// Stops every watch.
    func stop() {
        let watches = entries.withLock { entries -> [Task<Void, Never>] in
            defer { entries = [:] }
            return entries.values.compactMap(\.watch)
        }
        for watch in watches { watch.cancel() }
    }

    private func update(_ key: String, with event: WatchEvent) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            guard entries[key] != nil else { return }
            entries[key]?.version = event.version
            entries[key]?.expiresAt = event.timeLeft.map { now + $0 }
            entries[key]?.known = true
        }
    }
}
