/// The state machine of one iterative lookup (Kademlia's node lookup), free of I/O.
///
/// It keeps every contact seen, ordered by XOR distance to the target, and hands out
/// the next one to query while fewer than ALPHA are in flight, so each reply frees a
/// slot at once (no lock-step rounds). It finishes when the K closest contacts seen
/// that have neither failed nor stalled past the soft timeout have all answered; until
/// someone has answered, it waits for stalled queries too.
public struct Lookup: Sendable {
    /// Where a candidate stands.
    public enum Progress: Sendable, Equatable {
        case unqueried, inFlight, stalled, responded, failed
    }

    /// What the driver should do next.
    public enum Step: Sendable, Equatable {
        case query(Contact)
        case wait
        case finished
    }

    package struct Candidate: Sendable {
        package var contact: Contact
        package var distance: Distance
        package var progress: Progress
        /// How many replies came before this contact was learned: its hop count.
        package var round: Int

        /// Whether it counts toward the K closest the lookup waits for.
        package var holdsPlace: Bool { progress != .failed && progress != .stalled }
    }

    public let target: NodeID
    public let k: Int
    public let alpha: Int
    private let excluded: NodeID?
    /// Every contact ever seen, by distance; never pruned, so it doubles as the seen-set
    /// (distinct ids have distinct distances) without hashing any id.
    private var candidates: [Candidate] = []
    /// Queries awaiting an answer that still count against ALPHA.
    public private(set) var inFlight = 0
    /// Queries that stalled and may still answer.
    public private(set) var stalled = 0
    /// Contacts that have answered.
    public private(set) var answered = 0
    /// Queries sent so far.
    public private(set) var queried = 0
    /// The most queries the lookup sends: replies that keep naming ever closer nodes that
    /// do not exist cannot keep it going (10 K: real lookups of 100,000 nodes take 3 K).
    public let maxQueries: Int
    /// Contacts past the K closest that the final round asks as well, while any of the K is
    /// still out: when one of the K turns out silent, the one taking its place has already
    /// been asked, and the lookup does not pay a stall timeout and a round trip more.
    public let spares: Int
    /// Candidates kept at most; farther unqueried ones are dropped, so a reply packed with
    /// contacts cannot grow the lookup's memory.
    public var maxCandidates: Int { 8 * k }

    public init(target: NodeID, k: Int = 8, alpha: Int = 3, spares: Int = 0, seeds: some Sequence<Contact>, excluding localID: NodeID? = nil) {
        self.target = target
        self.k = k
        self.alpha = alpha
        self.spares = max(0, spares)
        maxQueries = 10 * k
        self.excluded = localID
        add(Array(seeds), round: 0)
    }

    /// The next thing to do; a `.query` marks that contact in flight.
    ///
    /// The window is the K closest candidates that have neither failed nor stalled: a
    /// stalled contact gives up its place (and its ALPHA slot) to the next one, and
    /// takes it back if it answers before the lookup ends.
    public mutating func next() -> Step {
        var considered = 0
        var firstUnqueried: Int?
        var firstSpare: Int?
        var waiting = false
        var frontAnswered: Bool?
        for index in candidates.indices where candidates[index].holdsPlace {
            if frontAnswered == nil { frontAnswered = candidates[index].progress == .responded }
            if considered < k {
                switch candidates[index].progress {
                case .unqueried: if firstUnqueried == nil { firstUnqueried = index }
                case .inFlight: waiting = true
                case .stalled, .responded, .failed: break
                }
            } else if candidates[index].progress == .unqueried {
                firstSpare = index
                break
            }
            considered += 1
            if considered == k + spares { break }
        }
        guard queried < maxQueries else { return waiting || (answered == 0 && stalled > 0) ? .wait : .finished }
        if let index = firstUnqueried {
            // Once the closest standing contact has answered, the lookup has reached the
            // target's neighbourhood: the paper's final round asks all of the K closest
            // not yet asked at once, instead of ALPHA at a time over several round trips.
            guard inFlight < (frontAnswered == true ? k : alpha) else { return .wait }
            return .query(markInFlight(index))
        }
        if let index = firstSpare, waiting, frontAnswered == true, inFlight < k + spares {
            return .query(markInFlight(index))
        }
        // A lookup nobody has answered yet is not over while stalled queries are out: a
        // stall only means "slower than most", and for a host far away or behind a slow
        // link, whose every query stalls, a slow answer is all there is. Their hard
        // timeout bounds the wait.
        return waiting || (answered == 0 && stalled > 0) ? .wait : .finished
    }

    /// Once the closest contact standing has answered (the lookup has reached the target's
    /// neighbourhood), those of the K closest standing that have answered, closest first: a
    /// write can go to them now, while the lookup still waits on the slower ones. Empty
    /// before that, when the K closest are still mostly unknown.
    public var answeredNearest: [Contact] {
        var nearest: [Contact] = []
        var considered = 0
        for candidate in candidates where candidate.holdsPlace {
            if candidate.progress == .responded { nearest.append(candidate.contact) } else if considered == 0 { return [] }
            considered += 1
            if considered == k { break }
        }
        return nearest
    }

    /// Whether `id` is among `answeredNearest`, without building it.
    public func isAnsweredNearest(_ id: NodeID) -> Bool {
        var considered = 0
        for candidate in candidates where candidate.holdsPlace {
            if considered == 0 && candidate.progress != .responded { return false }
            if candidate.contact.id == id { return candidate.progress == .responded }
            considered += 1
            if considered == k { break }
        }
        return false
    }

    /// Whether the K closest candidates that have not failed or stalled have all answered.
    public var isFinished: Bool {
        var considered = 0
        for candidate in candidates where candidate.holdsPlace {
            if candidate.progress != .responded { return false }
            considered += 1
            if considered == k { break }
        }
        return true
    }

    /// A reply from `id` carrying the contacts it knows nearest the target.
    public mutating func onResponse(from id: NodeID, closer contacts: [Contact]) {
        guard let index = position(of: id), settle(index, as: .responded) else { return }
        answered += 1
        add(contacts, round: candidates[index].round + 1)
    }

    /// `id` did not answer within the hard timeout (or answered with an error).
    public mutating func onFailure(from id: NodeID) {
        guard let index = position(of: id) else { return }
        _ = settle(index, as: .failed)
    }

    /// `id` has been silent past the soft timeout: it stops holding an ALPHA slot but
    /// may still answer.
    public mutating func onStalled(_ id: NodeID) {
        guard let index = position(of: id), candidates[index].progress == .inFlight else { return }
        candidates[index].progress = .stalled
        inFlight -= 1
        stalled += 1
    }

    /// Where the candidate with this id stands, if it was ever seen.
    public func progress(of id: NodeID) -> Progress? {
        position(of: id).map { candidates[$0].progress }
    }

    /// The closest contact that has neither failed nor stalled: the one a lookup must hear
    /// from before it can trust that nothing nearer the target is left to ask.
    public var closestStanding: Contact? {
        candidates.first(where: \.holdsPlace)?.contact
    }

    /// The K closest contacts that answered, closest first.
    public var closestResponded: [Contact] {
        Array(candidates.lazy.filter { $0.progress == .responded }.prefix(k).map(\.contact))
    }

    /// Every contact asked, closest to the target first: the round it was learned in and
    /// whether it answered (what a trace of the lookup draws).
    public var path: [LookupStep] {
        candidates.filter { $0.progress != .unqueried }.map {
            LookupStep(contact: $0.contact, round: $0.round, answered: $0.progress == .responded)
        }
    }

    /// Hops to the farthest-learned of the K closest that answered.
    public var hops: Int {
        candidates.lazy.filter { $0.progress == .responded }.prefix(k).map(\.round).max() ?? 0
    }

    private mutating func markInFlight(_ index: Int) -> Contact {
        candidates[index].progress = .inFlight
        inFlight += 1
        queried += 1
        return candidates[index].contact
    }

    private mutating func settle(_ index: Int, as outcome: Progress) -> Bool {
        switch candidates[index].progress {
        case .inFlight: inFlight -= 1
        case .stalled: stalled -= 1
        case .unqueried, .responded, .failed: return false
        }
        candidates[index].progress = outcome
        return true
    }

    private func position(of id: NodeID) -> Int? {
        let index = insertionIndex(for: id.distance(to: target))
        return index < candidates.count && candidates[index].contact.id == id ? index : nil
    }

    /// Takes an array, not any sequence: a generic here would run unspecialised when the
    /// shell, another module, calls `onResponse` on every reply.
    private mutating func add(_ contacts: [Contact], round: Int) {
        for contact in contacts where contact.id != excluded {
            let distance = contact.id.distance(to: target)
            let index = insertionIndex(for: distance)
            guard index == candidates.count || candidates[index].distance != distance else { continue }
            candidates.insert(Candidate(contact: contact, distance: distance, progress: .unqueried, round: round), at: index)
        }
        while candidates.count > maxCandidates, let last = candidates.last, last.progress == .unqueried {
            candidates.removeLast()
        }
    }

    /// The first index whose distance is not less than `distance` (distinct ids have distinct distances).
    private func insertionIndex(for distance: Distance) -> Int {
        var low = 0
        var high = candidates.count
        while low < high {
            let middle = (low + high) / 2
            if candidates[middle].distance < distance { low = middle + 1 } else { high = middle }
        }
        return low
    }
}

/// One contact a lookup asked.
public struct LookupStep: Sendable, Equatable {
    /// The node asked.
    public var contact: Contact
    /// How many replies came before it was learned (0: it came from the routing table).
    public var round: Int
    /// Whether it answered before the lookup ended.
    public var answered: Bool

    /// A step: `contact`, learned in `round`, answered or not.
    public init(contact: Contact, round: Int, answered: Bool) {
        self.contact = contact
        self.round = round
        self.answered = answered
    }
}
