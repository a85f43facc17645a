/// A contact in the routing table with what we know of its liveness.
///
/// Laid out small (40 bytes, not 72): a node holds one per contact and replacement, and a
/// million simulated nodes hold a hundred million. The failure count saturates at 255 and
/// the round trip is kept in whole microseconds, both far past what any rule looks at.
public struct RoutingEntry: Sendable, Equatable {
    // Declared in this order so the small fields fill the contact's tail padding.
    public var contact: Contact
    private var failureCount: UInt8 = 0
    /// Whether it has said (in `v`) that it is one of ours, so it knows `find_value` and
    /// `store`: only then is its silence to them a sign it is gone (others may ignore
    /// methods they do not know).
    public var speaksOurMethods = false
    private var roundTripMicroseconds = Self.noRoundTrip
    public var lastSeen: Timestamp

    private static let noRoundTrip = UInt32.max

    /// An entry for `contact`, last heard from at `lastSeen`.
    public init(contact: Contact, lastSeen: Timestamp, failures: Int, roundTrip: Duration? = nil, speaksOurMethods: Bool = false) {
        self.contact = contact
        self.lastSeen = lastSeen
        self.speaksOurMethods = speaksOurMethods
        self.failures = failures
        self.roundTrip = roundTrip
    }

    /// Queries to it that went unanswered since it last answered.
    public var failures: Int {
        get { Int(failureCount) }
        set { failureCount = UInt8(clamping: newValue) }
    }

    /// The round trip of its latest answer; nil until one is measured.
    public var roundTrip: Duration? {
        get { roundTripMicroseconds == Self.noRoundTrip ? nil : .microseconds(roundTripMicroseconds) }
        set {
            guard let newValue else { return roundTripMicroseconds = Self.noRoundTrip }
            // Whole microseconds, within 0 and the largest value that is not "none".
            let microseconds = min(max(newValue / .microseconds(1), 0), Double(Self.noRoundTrip - 1))
            roundTripMicroseconds = UInt32(microseconds.rounded(.towardZero))
        }
    }
}

/// One bucket: up to K contacts, least-recently seen first, plus a small cache of
/// verified contacts waiting for a place.
package struct KBucket: Sendable {
    package private(set) var entries: [RoutingEntry] = []
    package private(set) var replacements: [RoutingEntry] = []
    /// When a lookup last went into this bucket's range; drives bucket refresh.
    package var lastLookup: Timestamp

    package init(now: Timestamp) { lastLookup = now }

    package func index(of id: NodeID) -> Int? { entries.firstIndex { $0.contact.id == id } }

    /// Moves a known contact to the most-recently-seen end; false if it is not here
    /// or answers from another address (an id does not move without proof, so a
    /// spoofed datagram cannot redirect a good contact).
    package mutating func refresh(_ contact: Contact, now: Timestamp, speaksOurMethods: Bool = false) -> Bool {
        guard let position = index(of: contact.id), entries[position].contact.address == contact.address else {
            return false
        }
        var entry = entries.remove(at: position)
        entry.lastSeen = now
        entry.failures = 0
        entry.speaksOurMethods = entry.speaksOurMethods || speaksOurMethods
        entries.append(entry)
        return true
    }

    /// Notes the round trip of an answer from `id`, if it is here, and whether it said it is one of ours.
    package mutating func noteRoundTrip(_ roundTrip: Duration, of id: NodeID, speaksOurMethods: Bool = false) {
        guard let position = index(of: id) else { return }
        entries[position].roundTrip = roundTrip
        if speaksOurMethods { entries[position].speaksOurMethods = true }
    }

    package mutating func append(_ contact: Contact, now: Timestamp, speaksOurMethods: Bool = false) {
        replacements.removeAll { $0.contact.id == contact.id }
        entries.append(RoutingEntry(contact: contact, lastSeen: now, failures: 0, speaksOurMethods: speaksOurMethods))
    }

    /// Parks a contact in the replacement cache, evicting the stalest when it is full.
    package mutating func cacheReplacement(_ contact: Contact, now: Timestamp, capacity: Int) {
        replacements.removeAll { $0.contact.id == contact.id }
        if replacements.count >= capacity { replacements.removeFirst() }
        replacements.append(RoutingEntry(contact: contact, lastSeen: now, failures: 0))
    }

    /// Counts a failure; removes the contact when it has failed `limit` times, or at
    /// once when a verified replacement waits. Returns whether it was removed.
    package mutating func recordFailure(of id: NodeID, limit: Int) -> Bool {
        guard let position = index(of: id) else {
            replacements.removeAll { $0.contact.id == id }
            return false
        }
        entries[position].failures += 1
        guard entries[position].failures >= limit || !replacements.isEmpty else { return false }
        entries.remove(at: position)
        if let newest = replacements.popLast() { entries.append(newest) }
        return true
    }

    package mutating func remove(_ id: NodeID) -> Bool {
        guard let position = index(of: id) else { return false }
        entries.remove(at: position)
        if let newest = replacements.popLast() { entries.append(newest) }
        return true
    }

    /// The position of the slowest contact whose measured round trip exceeds `limit`, if any.
    package func slowest(slowerThan limit: Duration) -> Int? {
        var found: (position: Int, roundTrip: Duration)?
        for (position, entry) in entries.enumerated() {
            guard let roundTrip = entry.roundTrip, roundTrip > limit, roundTrip > found?.roundTrip ?? .zero else { continue }
            found = (position, roundTrip)
        }
        return found?.position
    }

    /// Puts `contact`, which just answered in `roundTrip`, in the place of the contact at
    /// `position`, which waits in the replacement cache in case the newcomer goes.
    package mutating func trade(_ position: Int, for contact: Contact, roundTrip: Duration, now: Timestamp,
                                speaksOurMethods: Bool, capacity: Int) {
        let slow = entries.remove(at: position)
        cacheReplacement(slow.contact, now: slow.lastSeen, capacity: capacity)
        replacements.removeAll { $0.contact.id == contact.id }
        entries.append(RoutingEntry(contact: contact, lastSeen: now, failures: 0, roundTrip: roundTrip, speaksOurMethods: speaksOurMethods))
    }
}
