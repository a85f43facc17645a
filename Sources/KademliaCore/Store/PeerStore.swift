/// BEP 5's tracker in the DHT: which peers announced they are in which torrent, until
/// their announcement runs out. Pure and bounded: at most `maxTorrents` torrents of at
/// most `maxPeersPerTorrent` peers each, whatever arrives.
public struct PeerStore: Sendable {
    /// How long an announcement lasts: clients announce every 15 to 30 minutes.
    public let lifetime: Duration
    /// Torrents tracked at most; a new one past it replaces the one with the fewest peers
    /// (as libtorrent does), so a flood of made-up torrents cannot keep real ones out long.
    public let maxTorrents: Int
    /// Peers per torrent at most; a new one past it replaces the one whose announcement
    /// runs out first.
    public let maxPeersPerTorrent: Int

    package struct Peer: Sendable {
        package var isSeed: Bool
        package var expiresAt: Timestamp
    }

    package private(set) var torrents: [NodeID: [SocketAddress: Peer]] = [:]
    private var nextSweep: Timestamp?

    public init(lifetime: Duration = .seconds(30 * 60), maxTorrents: Int = 2000, maxPeersPerTorrent: Int = 128) {
        self.lifetime = lifetime
        self.maxTorrents = max(1, maxTorrents)
        self.maxPeersPerTorrent = max(1, maxPeersPerTorrent)
    }

    /// Records that `peer` is in `infoHash`'s swarm (a seed or not) as of `now`.
    public mutating func announce(_ peer: SocketAddress, in infoHash: NodeID, seed: Bool, now: Timestamp) {
        if torrents[infoHash] == nil, torrents.count >= maxTorrents, let smallest = torrents.min(by: { $0.value.count < $1.value.count }) {
            torrents[smallest.key] = nil
        }
        // Taken out while it changes, so the swarm's table is not copied on every announce.
        var peers = torrents.removeValue(forKey: infoHash) ?? [:]
        if peers[peer] == nil, peers.count >= maxPeersPerTorrent, let oldest = peers.min(by: { $0.value.expiresAt < $1.value.expiresAt }) {
            peers[oldest.key] = nil
        }
        peers[peer] = Peer(isSeed: seed, expiresAt: now + lifetime)
        torrents[infoHash] = peers
        if nextSweep == nil { nextSweep = now + lifetime }
    }

    /// Up to `limit` live peers of `infoHash`, chosen at random when there are more;
    /// `noSeed` leaves seeds out (BEP 33).
    public func peers(of infoHash: NodeID, noSeed: Bool = false, limit: Int, now: Timestamp,
                      using generator: inout some RandomNumberGenerator) -> [SocketAddress] {
        let live = (torrents[infoHash] ?? [:]).compactMap { entry in
            entry.value.expiresAt > now && !(noSeed && entry.value.isSeed) ? entry.key : nil
        }
        guard live.count > limit else { return live }
        return Array(live.shuffled(using: &generator).prefix(limit))
    }

    /// Forgets announcements that ran out; sweeps at most once per lifetime, so the cost
    /// stays O(peers) per `lifetime` however often it is called.
    public mutating func removeExpired(now: Timestamp) {
        guard let due = nextSweep, now >= due else { return }
        for (infoHash, peers) in torrents {
            let live = peers.filter { $0.value.expiresAt > now }
            torrents[infoHash] = live.isEmpty ? nil : live
        }
        nextSweep = torrents.isEmpty ? nil : now + lifetime
    }

    /// Torrents tracked.
    public var torrentCount: Int { torrents.count }

    /// Announcements held, live or not yet swept.
    public var peerCount: Int { torrents.values.reduce(0) { $0 + $1.count } }
}
