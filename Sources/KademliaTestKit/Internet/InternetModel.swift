import Foundation
import Kademlia

/// A seeded model of the internet for the in-memory network: how long a datagram takes
/// between two hosts, whether it is lost, and which hosts sit behind NAT.
///
/// Each host has a place, as network coordinate systems (Vivaldi, GNP) model round trips:
/// a point in one of five regions of a plane measured in milliseconds of propagation,
/// plus an access-link delay drawn from a log-normal (home links are slow, a few very
/// slow). A datagram's one-way delay is the distance between the two points plus both
/// access delays, scaled so the median round trip between random hosts is `rttMedian`,
/// plus jitter drawn per datagram. The delay between a pair is thus stable (only the
/// jitter moves), regions give the spread (same continent tens of milliseconds, the far
/// side of the world several hundred), and the access links give the long tail.
///
/// Every draw is a hash of the seed and what it decides (the host, or the datagram and
/// its two ends), not the next number of a shared generator, so a run's fate does not
/// depend on the order in which concurrent senders reached the network.
public struct InternetModel: Sendable {
    /// The median round trip between two random hosts.
    public var rttMedian: Duration
    /// The chance that any one datagram is lost, independently.
    public var loss: Double
    /// The share of hosts behind NAT: they can query, but hear only from addresses they
    /// sent to within `natMappingLifetime`.
    public var natShare: Double
    /// How long a NAT keeps a mapping open after the host's last datagram to that address.
    public var natMappingLifetime: Duration
    /// Mean per-datagram jitter, as a share of the pair's one-way delay.
    public var jitter: Double
    public let seed: UInt64
    /// Multiplies the raw model's delays so that its median round trip is `rttMedian`.
    private let scale: Double

    /// A model whose round trips have the median `rttMedian`; the defaults are the issue's
    /// internet: 1% loss, no NAT, jitter a tenth of the one-way delay on average.
    public init(seed: UInt64, rttMedian: Duration = .milliseconds(100), loss: Double = 0.01, natShare: Double = 0,
                natMappingLifetime: Duration = .seconds(60), jitter: Double = 0.1) {
        self.seed = seed
        self.rttMedian = rttMedian
        self.loss = loss
        self.natShare = natShare
        self.natMappingLifetime = natMappingLifetime
        self.jitter = jitter
        scale = rttMedian.seconds * 1000 / Self.rawMedianRoundTrip(seed: seed)
    }

    /// Where a host is, in milliseconds of one-way propagation, and its access delay.
    struct Place {
        var x: Double
        var y: Double
        var access: Double
    }

    /// The regions hosts are spread over: share of hosts, centre and spread (milliseconds
    /// of one-way delay). Roughly North America, Europe, Asia, South America, Oceania.
    private static let regions: [(share: Double, x: Double, y: Double, spread: Double)] = [
        (0.30, 0, 0, 12), (0.35, 45, 5, 8), (0.22, 115, 35, 15), (0.07, 20, -55, 10), (0.06, 130, -45, 8),
    ]

    /// The place of `host`, drawn from the seed alone.
    static func place(of host: UInt32, seed: UInt64) -> Place {
        var draw = SeededGenerator(seed: seed ^ (UInt64(host) &* 0x9E37_79B9_7F4A_7C15))
        var pick = Double.random(in: 0..<1, using: &draw)
        let region = regions.first { pick -= $0.share; return pick < 0 } ?? regions[0]
        let (gx, gy) = gaussianPair(using: &draw)
        // Access links: median 4 ms one way, a tenth of hosts over 12 ms; and one host in
        // twenty on a slow or congested link (mobile, satellite, a full uplink) that adds
        // an exponential delay averaging 100 ms, which makes the tail: p99 about four
        // median round trips, p99.9 about seven.
        var access = 4 * exp(0.9 * gaussianPair(using: &draw).0)
        if Double.random(in: 0..<1, using: &draw) < 0.05 { access += -100 * log(1 - Double.random(in: 0..<1, using: &draw)) }
        return Place(x: region.x + region.spread * gx, y: region.y + region.spread * gy, access: access)
    }

    /// The raw model's one-way delay between two places, in milliseconds, before scaling.
    static func rawOneWay(_ a: Place, _ b: Place) -> Double {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot() + a.access + b.access
    }

    /// The median round trip of the raw model over 20,000 seeded pairs of hosts.
    private static func rawMedianRoundTrip(seed: UInt64) -> Double {
        var draw = SeededGenerator(seed: seed ^ 0x5EED)
        var samples = (0..<20_000).map { _ in
            2 * rawOneWay(place(of: UInt32.random(in: 1...1_000_000, using: &draw), seed: seed),
                          place(of: UInt32.random(in: 1...1_000_000, using: &draw), seed: seed))
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    /// The pair's round trip without jitter: what a ping would show at best.
    public func baseRoundTrip(_ a: SocketAddress, _ b: SocketAddress) -> Duration {
        .nanoseconds(Int64(2 * baseOneWayMilliseconds(a, b) * 1e6))
    }

    private func baseOneWayMilliseconds(_ a: SocketAddress, _ b: SocketAddress) -> Double {
        scale * Self.rawOneWay(Self.place(of: a.ip, seed: seed), Self.place(of: b.ip, seed: seed))
    }

    /// What becomes of one datagram: lost (nil), or delivered after the returned delay.
    /// `fingerprint` tells datagrams apart (a hash of their bytes); `losing` false spares it from loss.
    public func transit(from sender: SocketAddress, to receiver: SocketAddress, fingerprint: UInt64, losing: Bool = true) -> Duration? {
        var draw = SeededGenerator(seed: seed ^ fingerprint ^ (UInt64(sender.ip) << 32 | UInt64(receiver.ip)) &* 0xD6E8_FEB8_6659_FD93)
        // Drawn whether or not it counts, so the jitter that follows is the same either way.
        let lost = Double.random(in: 0..<1, using: &draw) < loss
        if lost, losing { return nil }
        let oneWay = baseOneWayMilliseconds(sender, receiver)
        // Exponential jitter: mostly small, now and then a queue.
        let extra = jitter > 0 ? -log(1 - Double.random(in: 0..<1, using: &draw)) * jitter * oneWay : 0
        return .nanoseconds(Int64((oneWay + extra) * 1e6))
    }

    /// Whether `host` sits behind NAT.
    public func isBehindNAT(_ host: SocketAddress) -> Bool {
        guard natShare > 0 else { return false }
        var draw = SeededGenerator(seed: seed ^ 0x4E41_5400 ^ UInt64(host.ip))
        return Double.random(in: 0..<1, using: &draw) < natShare
    }

    /// Two independent standard normal draws (Box-Muller).
    private static func gaussianPair(using draw: inout SeededGenerator) -> (Double, Double) {
        let radius = (-2 * log(1 - Double.random(in: 0..<1, using: &draw))).squareRoot()
        let angle = 2 * Double.pi * Double.random(in: 0..<1, using: &draw)
        return (radius * cos(angle), radius * sin(angle))
    }

    /// The model's parameters in one line, for every run's output.
    public var summary: String {
        "rtt median \(Int(rttMedian.seconds * 1000)) ms, loss \(loss), nat \(natShare), jitter \(jitter), seed \(seed)"
    }
}

/// FNV-1a over a datagram's bytes: tells datagrams apart for the model's draws.
func fingerprint(of bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
    return hash
}
