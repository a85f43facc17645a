/// A node's state as its journal says it was: the fold of every entry, in order. Pure; the
/// file shell scans the bytes, replays them here, and compacts by writing `entries` anew.
public struct JournalSnapshot: Equatable, Sendable {
    /// The most contacts kept; older ones give way, so a journal cannot grow a table.
    public static let maxContacts = 1024

    /// The node's id, if the journal recorded one.
    public var id: NodeID?
    /// The seed of the node's BEP 44 signing key, if the journal recorded one.
    public var signingKeySeed: [UInt8]?
    /// The external address last voted (BEP 42), if any.
    public var externalAddress: UInt32?
    /// What the node held, by target.
    public var held: [NodeID: JournalEntry.HeldRecord] = [:]
    /// What the node's user published, by target.
    public var published: [NodeID: JournalEntry.PublishedRecord] = [:]
    /// The BEP 44 items the node held, by target.
    public var items: [NodeID: JournalEntry.ItemRecord] = [:]
    /// Contacts, oldest first.
    public private(set) var contacts: [Contact] = []
    /// Payloads that were intact (their checksum held) but not a readable entry: skipped.
    public var unreadable = 0

    public init() {}

    /// Applies one entry: a later one for the same target wins.
    public mutating func apply(_ entry: JournalEntry) {
        switch entry {
        case .identity(let id): self.id = id
        case .signingKey(let seed): signingKeySeed = seed
        case .externalAddress(let ip): externalAddress = ip
        case .held(let record): held[record.target] = record
        case .dropped(let target): held[target] = nil
        case .published(let record): published[record.target] = record
        case .withdrawn(let target): published[target] = nil
        case .item(let record): items[record.target] = record
        case .itemDropped(let target): items[target] = nil
        case .contact(let contact):
            contacts.removeAll { $0.id == contact.id || $0.address == contact.address }
            contacts.append(contact)
            if contacts.count > Self.maxContacts { contacts.removeFirst(contacts.count - Self.maxContacts) }
        }
    }

    /// The state `payloads` describe at wall-clock time `now` (milliseconds): values whose
    /// lifetime ran out while the node was down are dropped, as are publications past their TTL.
    public static func replay(_ payloads: [[UInt8]], now: Int64) -> JournalSnapshot {
        var snapshot = JournalSnapshot()
        for payload in payloads {
            do {
                snapshot.apply(try JournalEntry(payload: payload))
            } catch {
                snapshot.unreadable += 1
            }
        }
        snapshot.held = snapshot.held.filter { $0.value.expiresAt > now }
        snapshot.published = snapshot.published.filter { ($0.value.expiresAt ?? .max) > now }
        snapshot.items = snapshot.items.filter { $0.value.expiresAt > now }
        return snapshot
    }

    /// The fewest entries that rebuild this state, for compaction: id, contacts, held,
    /// published, items.
    public var entries: [JournalEntry] {
        var entries: [JournalEntry] = id.map { [.identity($0)] } ?? []
        entries += signingKeySeed.map { [.signingKey(seed: $0)] } ?? []
        entries += externalAddress.map { [.externalAddress(ip: $0)] } ?? []
        entries += contacts.map(JournalEntry.contact)
        entries += held.values.sorted { $0.target < $1.target }.map(JournalEntry.held)
        entries += published.values.sorted { $0.target < $1.target }.map(JournalEntry.published)
        entries += items.values.sorted { $0.target < $1.target }.map(JournalEntry.item)
        return entries
    }
}
