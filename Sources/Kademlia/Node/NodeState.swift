/// Everything a node knows, as one plain value the node keeps under its lock:
/// the routing table, the value store, the token secrets and the random source.
struct NodeState: Sendable {
    let localID: NodeID
    let configuration: NodeConfiguration
    var routingTable: RoutingTable
    var store: ValueStore
    var tokens: TokenIssuer
    var random: SeededGenerator
    var pending = PendingRequests()
    var roundTrips = RoundTripEstimator()
    /// Contacts being pinged to decide whether a newcomer may take their place.
    var challenged: Set<NodeID> = []
    /// When maintenance is next due, and whether a bucket refresh is under way.
    var nextMaintenance: Timestamp
    var refreshing = false
    /// Set by `stop()`: no query goes out after it, since nothing would time it out.
    var stopped = false

    init(localID: NodeID, configuration: NodeConfiguration, random: SeededGenerator, now: Timestamp) {
        self.localID = localID
        self.configuration = configuration
        self.random = random
        nextMaintenance = now
        routingTable = RoutingTable(localID: localID, bucketSize: configuration.k, now: now)
        store = ValueStore(maximumLifetime: configuration.valueLifetime)
        tokens = TokenIssuer(now: now, using: &self.random)
    }

    /// Offers a contact that answered us or queried us; returns a contact to ping when
    /// it must prove it is alive before the newcomer is turned away.
    mutating func observe(_ contact: Contact, now: Timestamp) -> Contact? {
        guard contact.address.port != 0 else { return nil }
        guard case .full(let oldest) = routingTable.insert(contact, now: now),
              now - oldest.lastSeen >= configuration.questionableAfter || oldest.failures > 0,
              challenged.insert(oldest.contact.id).inserted else { return nil }
        return oldest.contact
    }
}
