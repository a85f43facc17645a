/// One bucket: up to K contacts, least-recently seen first, plus a small cache of verified
/// contacts waiting for a place, stalest first.
///
/// Both live in one array, the contacts first: a second array cost every bucket its own
/// allocation, and a node of a million-node network holds some twenty buckets. The array
/// grows to at most K plus the replacements, not to the next power of two.
package struct KBucket: Sendable {
    private var members: [StoredEntry] = []
    /// How many of `members` are contacts; the rest are replacements.
    private var entryCount = 0
    /// When a lookup last went into this bucket's range; drives bucket refresh.
    package var lastLookup: Timestamp

    package init(now: Timestamp) { lastLookup = now }

    /// The contacts, least-recently seen first.
    package var entries: ArraySlice<StoredEntry> { members[..<entryCount] }
    /// The replacements, stalest first.
    package var replacements: ArraySlice<StoredEntry> { members[entryCount...] }

    package func index(of id: NodeID) -> Int? { entries.firstIndex { $0.contact.id == id } }

    /// Moves a known contact to the most-recently-seen end; false if it is not here
    /// or answers from another address (an id does not move without proof, so a
    /// spoofed datagram cannot redirect a good contact).
    package mutating func refresh(_ contact: Contact, seenTick: UInt32, speaksOurMethods: Bool = false) -> Bool {
        guard let position = index(of: contact.id), members[position].contact.address == contact.address else {
            return false
        }
        var entry = members.remove(at: position)
        entry.seenTick = seenTick
        entry.failures = 0
        entry.speaksOurMethods = entry.speaksOurMethods || speaksOurMethods
        members.insert(entry, at: entryCount - 1)
        return true
    }

    /// Notes the round trip of an answer from `id`, if it is here, and whether it said it is one of ours.
    package mutating func noteRoundTrip(_ roundTrip: Duration, of id: NodeID, speaksOurMethods: Bool = false) {
        guard let position = index(of: id) else { return }
        members[position].roundTrip = roundTrip
        if speaksOurMethods { members[position].speaksOurMethods = true }
    }

    /// Adds a contact at the most-recently-seen end; `most` is the bucket's whole capacity.
    package mutating func append(_ entry: StoredEntry, most: Int) {
        removeReplacement(entry.contact.id)
        makeRoom(most: most)
        members.insert(entry, at: entryCount)
        entryCount += 1
    }

    /// Parks a contact in the replacement cache, evicting the stalest when it is full.
    package mutating func cacheReplacement(_ contact: Contact, seenTick: UInt32, capacity: Int, most: Int) {
        removeReplacement(contact.id)
        if members.count - entryCount >= capacity, members.count > entryCount { members.remove(at: entryCount) }
        guard capacity > 0 else { return }
        makeRoom(most: most)
        members.append(StoredEntry(contact: contact, seenTick: seenTick))
    }

    /// Counts a failure; removes the contact when it has failed `limit` times, or at once
    /// when `replaceable` (a replacement waits that may take its place). Returns the
    /// contact if it was removed; the table then chooses the replacement to `promote`.
    package mutating func recordFailure(of id: NodeID, limit: Int, replaceable: Bool) -> Contact? {
        guard let position = index(of: id) else {
            removeReplacement(id)
            return nil
        }
        members[position].failures += 1
        guard members[position].failures >= limit || replaceable else { return nil }
        return removeEntry(at: position)
    }

    /// Removes a contact outright; returns it, or nil if it is not here.
    package mutating func remove(_ id: NodeID) -> Contact? {
        guard let position = index(of: id) else { return nil }
        return removeEntry(at: position)
    }

    /// Makes the replacement at `position` (an index into `replacements`) the most recently
    /// seen contact, and returns it.
    package mutating func promote(_ position: Int) -> Contact {
        let promoted = members.remove(at: position)
        members.insert(promoted, at: entryCount)
        entryCount += 1
        return promoted.contact
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

    /// Puts `entry`, a contact that just answered, in the place of the contact at
    /// `position`, which waits in the replacement cache in case the newcomer goes.
    package mutating func trade(_ position: Int, for entry: StoredEntry, capacity: Int, most: Int) {
        let slow = members[position]
        _ = removeEntry(at: position)
        cacheReplacement(slow.contact, seenTick: slow.seenTick, capacity: capacity, most: most)
        append(entry, most: most)
    }

    /// Moves every member's last-seen tick to the table's clock after `SeenClock.advance`.
    package mutating func advanceTicks() {
        for position in members.indices { members[position].seenTick = SeenClock.advanced(members[position].seenTick) }
    }

    /// Heap bytes the bucket's array holds.
    package var footprint: Int { Footprint.of(members) }

    private mutating func removeEntry(at position: Int) -> Contact {
        entryCount -= 1
        return members.remove(at: position).contact
    }

    private mutating func removeReplacement(_ id: NodeID) {
        if let position = replacements.firstIndex(where: { $0.contact.id == id }) { members.remove(at: position) }
    }

    /// Before an insertion into a full array: grows it by doubling, but never past `most`.
    private mutating func makeRoom(most: Int) {
        guard members.count == members.capacity else { return }
        members.reserveCapacity(min(max(members.count * 2, 2), max(most, members.count + 1)))
    }
}
