/// The plan of a crawl of the network, free of I/O: which node to ask next, when, and
/// when the map is complete.
///
/// Every node found is asked once, with BEP 51 `sample_infohashes`, for its count of
/// targets held and for the nodes nearest its own id: its neighbourhood. Neighbourhoods
/// overlap into a web, seeded from the routing table, which reaches into every bucket.
/// A web can still miss a cluster nobody outside it counts among its nearest, so when
/// nobody is left to ask, probes aim at the widest gap between the ids found: a probe is
/// a small lookup of a target in the gap (ask the nearest node known, then whichever
/// nearer one it names) and its finds join the walk. The crawl ends after
/// `CrawlLimits.quietProbes` probes in a row find nothing new. It keeps at most
/// `maxNodes`, sends at most `maxQueries`, never more than `inFlight` at once nor faster
/// than `queriesPerSecond`.
public struct Crawl: Sendable {
    /// What the shell should do next.
    public enum Step: Sendable, Equatable {
        /// Send `sample_infohashes` for `target` to `contact`, then report the reply.
        case ask(Contact, target: NodeID)
        /// Nothing to send before this time (nil: before a reply comes).
        case wait(until: Timestamp?)
        /// The crawl is over.
        case finished
    }

    /// How far it may go.
    public let limits: CrawlLimits
    /// Every node found, in the order found; this node first.
    public private(set) var nodes: [CrawlNode]
    private var index: [NodeID: Int]
    /// The next node in `nodes` not yet asked.
    private var cursor = 1
    /// Nodes asked and not yet answered, by id: when each was asked.
    private var asked: [NodeID: Timestamp] = [:]
    /// Probes in a row that found no node.
    private var barrenProbes = 0
    /// The probe under way, if one is.
    private var probe: Probe?
    /// The gaps already probed, by the first 64 bits of the ids that open and close each:
    /// a gap a probe narrowed is a new gap.
    private var probedGaps: Set<[UInt64]> = []
    private var nextSend: Timestamp
    private var random: SeededGenerator
    /// Queries sent so far.
    public private(set) var queries = 0
    /// When the crawl began.
    public let started: Timestamp
    /// When the crawl ended; nil while it runs.
    public private(set) var ended: Timestamp?

    /// A crawl from this node (`local`, holding `localLoad` targets), seeded with `seeds`.
    public init(local: Contact, localLoad: Int64, seeds: [Contact], limits: CrawlLimits = CrawlLimits(), now: Timestamp, seed: UInt64 = 0) {
        self.limits = limits
        nodes = [CrawlNode(contact: local, load: localLoad, roundTrip: nil, state: .answered, isLocal: true)]
        index = [local.id: 0]
        nextSend = now
        started = now
        random = SeededGenerator(seed: seed)
        learn(seeds)
    }

    /// The next thing to do at `now`; an `.ask` counts as sent.
    public mutating func next(now: Timestamp) -> Step {
        if ended != nil { return .finished }
        guard queries < limits.maxQueries else { return asked.isEmpty ? finish(now) : .wait(until: nil) }
        guard asked.count < limits.inFlight else { return .wait(until: nil) }
        guard now >= nextSend else { return .wait(until: nextSend) }
        if cursor < nodes.count {
            let contact = nodes[cursor].contact
            nodes[cursor].state = .asked
            cursor += 1
            return send(to: contact, target: contact.id, now: now)
        }
        // Probes wait for the walk to settle, and go one step at a time so each one's news is known.
        guard asked.isEmpty else { return .wait(until: nil) }
        while nodes.count < limits.maxNodes {
            if probe == nil {
                guard barrenProbes < limits.quietProbes, let target = nextProbeTarget() else { break }
                probe = Probe(target: target, baseline: nodes.count)
            }
            guard var current = probe else { break }
            if let nearest = nearestUnprobed(to: current.target, skipping: current.asked) {
                current.asked.insert(nearest.id)
                probe = current
                return send(to: nearest, target: current.target, now: now)
            }
            barrenProbes = nodes.count > current.baseline ? 0 : barrenProbes + 1
            probe = nil
        }
        return finish(now)
    }

    /// `id` answered with its count of targets held and nodes it knows.
    public mutating func answered(by id: NodeID, load: Int64, nodes found: [Contact], now: Timestamp) {
        guard let sentAt = asked.removeValue(forKey: id), let position = index[id] else { return }
        nodes[position].state = .answered
        nodes[position].load = load
        nodes[position].roundTrip = now - sentAt
        learn(found)
    }

    /// `id` did not answer, or answered with an error.
    public mutating func failed(_ id: NodeID, now: Timestamp) {
        guard asked.removeValue(forKey: id) != nil, let position = index[id] else { return }
        if nodes[position].state == .asked { nodes[position].state = .failed }
    }

    /// Ends the crawl now, with what it has (the shell stopped it).
    public mutating func stop(now: Timestamp) {
        if ended == nil { ended = now }
    }

    /// The figures so far.
    public func progress(now: Timestamp) -> CrawlProgress {
        CrawlProgress(found: nodes.count, answered: nodes.count { $0.state == .answered }, failed: nodes.count { $0.state == .failed },
                      queries: queries, elapsed: (ended ?? now) - started, isRunning: ended == nil)
    }

    private mutating func send(to contact: Contact, target: NodeID, now: Timestamp) -> Step {
        asked[contact.id] = now
        queries += 1
        nextSend = max(nextSend, now) + limits.spacing
        return .ask(contact, target: target)
    }

    private mutating func finish(_ now: Timestamp) -> Step {
        ended = now
        return .finished
    }

    /// The node nearest `target` that has not failed, if this probe has not asked it yet:
    /// as in a lookup, a probe ends once the nearest node known has been asked.
    private func nearestUnprobed(to target: NodeID, skipping probed: Set<NodeID>) -> Contact? {
        let nearest = nodes.lazy.filter { $0.state != .failed && !$0.isLocal }
            .min { $0.contact.id.distance(to: target) < $1.contact.id.distance(to: target) }
        guard let nearest, !probed.contains(nearest.contact.id) else { return nil }
        return nearest.contact
    }

    /// A target in the middle of the widest gap between the ids found (reading the first
    /// 64 bits, around the ring) not yet probed; nil when every gap has been.
    private mutating func nextProbeTarget() -> NodeID? {
        let ids = nodes.map(\.contact.id).sorted { $0.high < $1.high }
        var widest: (bounds: [UInt64], middle: UInt64, width: UInt64)?
        for (offset, start) in ids.enumerated() {
            let end = ids[(offset + 1) % ids.count].high
            let width = end &- start.high
            guard widest.map({ width > $0.width }) ?? true, !probedGaps.contains([start.high, end]) else { continue }
            widest = ([start.high, end], start.high &+ width / 2, width)
        }
        guard let widest else { return nil }
        probedGaps.insert(widest.bounds)
        let random = NodeID.random(using: &random)
        return NodeID(high: widest.middle, middle: random.middle, low: random.low)
    }

    private mutating func learn(_ contacts: [Contact]) {
        for contact in contacts where index[contact.id] == nil && nodes.count < limits.maxNodes {
            index[contact.id] = nodes.count
            nodes.append(CrawlNode(contact: contact, load: nil, roundTrip: nil, state: .found, isLocal: false))
        }
    }
}

/// A probe under way: its target, the nodes it asked, and how many nodes were known when it began.
private struct Probe: Sendable {
    var target: NodeID
    var baseline: Int
    var asked: Set<NodeID> = []
}
