/// Everything a node knows, as one plain value the node keeps under its lock:
/// the routing table, the value store, the token secrets and the random source.
package struct NodeState: Sendable {
    package let localID: NodeID
    /// The configuration, shared with the node that holds this state (one copy, not two).
    package let sharedConfiguration: SharedConfiguration
    /// The node's tunables.
    package var configuration: NodeConfiguration { sharedConfiguration.value }
    package var routingTable: RoutingTable
    package var store: ValueStore
    /// The values this node's user put, which it republishes.
    package var publications: Publications
    /// BEP 5: the peers announced to this node, by torrent.
    package var peers: PeerStore
    /// BEP 44: the items put on this node.
    package var items: ItemStore
    /// Who listens for new versions of the values held here (`listen`).
    package var listeners = ListenerTable()
    /// BEP 51: the sample `sample_infohashes` answers with, and when it was taken.
    package var infohashSample: (targets: [NodeID], takenAt: Timestamp)?
    package var tokens: TokenIssuer
    package var random: NodeRandom
    /// The seed of the key this node signs its BEP 44 mutable items with, kept in the data
    /// directory; the key is derived when it signs (`Ed25519PrivateKey(seed:)`).
    package var signingSeed: Ed25519Seed
    package var pending = PendingRequests()
    /// Which incoming queries are answered: each host's share, and what is spare.
    package var inbound: InboundAdmission
    /// Upkeep queries paced per destination, and those waiting their turn.
    package var upkeep: UpkeepWindows<UpkeepQuery>
    /// Our own queries per destination host, and the datagrams waiting their turn.
    package var outboundPacer: RateLimiter
    package var pacedSends = DeadlineHeap<PacedDatagram>()
    /// The shell's waits on the node's clock (`DHTNode.sleep(until:)`): each wakes its waiter.
    package var sleepers = DeadlineHeap<@Sendable () -> Void>()
    package var roundTrips = RoundTripEstimator()
    /// Hand-offs cut short, to send again (`HandOffDebts`).
    package var handOffDebts = HandOffDebts()
    /// Hand-offs left to other holders, in case they turn out dead (`HandOffWatch`).
    package var handOffWatch = HandOffWatch()
    /// Contacts being pinged to decide whether a newcomer may take their place.
    package var challenged: Set<NodeID> = []
    /// Hosts over their share that have not yet answered us, being pinged so that, if they
    /// answer, they are verified (`InboundAdmission`).
    package var verifying: Set<SocketAddress> = []
    /// Stores refused for the quotas (error 202, a source past its share or a full store).
    package var storesRefused = 0
    /// Contacts lately found bad: lookups skip them instead of waiting on them again.
    package var recentFailures: RecentFailures
    /// When maintenance is next due, and whether a bucket refresh is under way.
    package var nextMaintenance: Timestamp
    package var refreshing = false
    /// When maintenance last ran; a long gap means the node was suspended or cut off.
    package var lastMaintenance: Timestamp
    /// When the K closest of every replica held were last checked for quiet ones: a walk
    /// over every value, so at most once per `replicaNeighbourCheckSpacing`, not at every pass.
    package var replicaNeighboursCheckedAt: Timestamp?
    /// Where to rejoin while the routing table is empty, and when to try next.
    package var rejoin: RejoinSchedule
    /// Set by `stop()`: no query goes out after it, since nothing would time it out.
    package var stopped = false
    /// Whether changes are noted for a journal (`StateJournal.swift`); off without a data directory.
    package var isJournaled = false
    /// When to try again to rewrite a journal that lost records (a full disk).
    package var journalRewrite = Backoff(initial: .seconds(1), maximum: .seconds(60))
    /// Contacts new to the table since the journal last took its entries.
    package var journalContacts: [Contact] = []
    /// Routers that answered, by address: lookup seeds while the table is short, never table entries.
    package var routerContacts: [SocketAddress: Contact] = [:]
    /// BEP 42: where other nodes say they see this one.
    package var addressVotes = ExternalAddressVotes()
    /// The external address last believed, and whether the journal has yet to record it.
    package var externalAddress: UInt32?
    package var externalAddressUnsaved = false

    package init(localID: NodeID, configuration: NodeConfiguration, random: NodeRandom, now: Timestamp) {
        self.localID = localID
        sharedConfiguration = SharedConfiguration(configuration)
        self.random = random
        nextMaintenance = now
        lastMaintenance = now
        // Lookups ask about failures within `questionableAfter` only.
        recentFailures = RecentFailures(lifetime: configuration.questionableAfter)
        let limits = configuration.limits
        routingTable = RoutingTable(localID: localID, bucketSize: configuration.k, failureLimit: configuration.failureLimit,
                                    replacementCapacity: configuration.replacementsPerBucket,
                                    diversity: RoutingDiversity(perHost: limits.contactsPerHost,
                                                                perNetworkPerBucket: limits.contactsPerNetworkPerBucket,
                                                                relaxLoopback: limits.relaxLoopback), now: now)
        store = ValueStore(maximumLifetime: configuration.valueLifetime, replicationInterval: configuration.replicationInterval)
        publications = Publications(interval: configuration.republishDelay)
        peers = PeerStore(maxTorrents: limits.maxTorrents, maxPeersPerTorrent: limits.maxPeersPerTorrent)
        items = ItemStore(maxItems: limits.maxItems)
        rejoin = RejoinSchedule(initialDelay: configuration.rejoinInitialDelay, maximumDelay: configuration.rejoinMaximumDelay)
        tokens = TokenIssuer(now: now, using: &self.random)
        signingSeed = Ed25519Seed(using: &self.random)
        inbound = InboundAdmission(limits: limits)
        upkeep = UpkeepWindows(initialSize: limits.upkeepWindowInitial, maximumSize: limits.upkeepWindowMaximum,
                               totalLimit: limits.upkeepInFlightTotal, giveUpAfterSilences: configuration.failureLimit)
        outboundPacer = RateLimiter(rate: limits.queriesPerSecondToHost, burst: limits.queryBurstToHost,
                                    capacity: limits.rateLimiterHosts)
    }

    /// Counts a reply's BEP 42 `ip` vote; notes a newly believed external address.
    package mutating func recordAddressVote(_ observed: SocketAddress, from voter: SocketAddress) {
        guard addressVotes.record(observed, from: voter.ip), let winner = addressVotes.winner, winner != externalAddress else { return }
        externalAddress = winner
        externalAddressUnsaved = isJournaled
    }

    /// What the node must do after the routing table saw a contact.
    package struct Observation {
        /// A quiet incumbent to ping before the newcomer is turned away.
        package var challenge: Contact?
        /// Values to hand to the contact, new to the table, because it is among their
        /// K closest and this node is the closest holder.
        package var handOff: [NodeID] = []
        /// A write token the contact granted us in its query, for the hand-off.
        package var grant: [UInt8]?

        /// What to do: nothing, unless said.
        package init(challenge: Contact? = nil, handOff: [NodeID] = [], grant: [UInt8]? = nil) {
            self.challenge = challenge
            self.handOff = handOff
            self.grant = grant
        }
    }

    /// Offers a contact that answered us or queried us, and says what follows from it.
    package mutating func observe(_ contact: Contact, now: Timestamp, speaksOurMethods: Bool = false) -> Observation {
        guard contact.address.port != 0 else { return Observation() }
        if configuration.routers.contains(contact.address) {
            // Heard from, so lookups can start from it while the table is nearly empty.
            routerContacts[contact.address] = contact
            return Observation()
        }
        recentFailures.forget(contact.id)
        switch routingTable.insert(contact, now: now, speaksOurMethods: speaksOurMethods) {
        case .added:
            return admitted(contact, now: now)
        case .full(let oldest):
            guard now - oldest.lastSeen >= configuration.questionableAfter || oldest.failures > 0,
                  challenged.insert(oldest.contact.id).inserted else { return Observation() }
            return Observation(challenge: oldest.contact)
        case .refreshed, .ignored, .refused:
            return Observation()
        }
    }

    /// With `preferLowRoundTrip`, lets `contact`, which just answered in `roundTrip`, take
    /// the place of a much slower contact in its full bucket; what to do then, as for a
    /// contact added, or nil if it took no place.
    package mutating func preferFaster(_ contact: Contact, roundTrip: Duration, now: Timestamp, speaksOurMethods: Bool) -> Observation? {
        guard configuration.preferLowRoundTrip, contact.address.port != 0, !configuration.routers.contains(contact.address),
              routingTable.tradeForFaster(contact, roundTrip: roundTrip, now: now, speaksOurMethods: speaksOurMethods) else { return nil }
        recentFailures.forget(contact.id)
        return admitted(contact, now: now)
    }

    /// How long a node holding values lets a neighbour stay quiet before pinging it: a
    /// third of `questionableAfter`, since its neighbours hold the same keys.
    package var neighbourQuietLimit: Duration { configuration.questionableAfter / 3 }

    /// Whether `id` answered or wrote within `neighbourQuietLimit` and has not failed since:
    /// a holder so heard from does its own hand-offs and repairs, and others leave them to it.
    package func isKnownLive(_ id: NodeID, now: Timestamp) -> Bool {
        guard let entry = routingTable.entry(for: id) else { return false }
        return entry.failures == 0 && now - entry.lastSeen < neighbourQuietLimit
    }

    /// How long a confirmation spares a holder the round's offer: three and a half intervals,
    /// so each holder is asked every fourth round. A live holder keeps what it was confirmed
    /// holding; asking every other round cost about one query per key-hour more at 3-hour
    /// sessions.
    package var confirmationSkipsOffers: Duration { configuration.replicationInterval * 7 / 2 }

    /// How long a confirmed nearer holder stands in for this node's round (and repairs'
    /// offers skip a confirmed member): one interval past `confirmationSkipsOffers`, so it
    /// spans the nearer holder's rounds that skip this node.
    package var confirmationDefersRound: Duration { configuration.replicationInterval * 9 / 2 }

    /// A random delay in [0, interval / 10) that staggers holders' replication rounds, so
    /// one holder goes first and the others, having heard from it, skip theirs. Given how
    /// many of the K contacts nearest the key are `nearer` than this node, the delay falls
    /// in that rank's slice of the tenth, so the nearest holder goes first: a farther one
    /// first probed the nearer ones, which did not defer to it, and a put's holders ran
    /// three rounds in their first hour instead of one.
    package mutating func replicationJitter(nearer: Int? = nil) -> Duration {
        let tenth = max(1, configuration.replicationInterval.totalNanoseconds / 10)
        guard let nearer else { return .nanoseconds(Int64.random(in: 0..<tenth, using: &random)) }
        let slices = Int64(configuration.k + 1)
        let slice = max(1, tenth / slices)
        return .nanoseconds(Int64(min(nearer, configuration.k)) * slice + Int64.random(in: 0..<slice, using: &random))
    }
}

extension NodeState {
    /// Counts an unanswered query: a table contact turns bad after `failureLimit` in a row
    /// (or one, when a replacement waits), and any contact that timed out outside the table
    /// is skipped by lookups for a while.
    /// Returns the held values to repair: those the bad contact was among the K closest of,
    /// where no contact nearer the key that is taken to hold it is known live, so a replica
    /// is missing and it is this node's to replace (`HandOffRule.isOnDuty`). A contact is
    /// taken to hold it when it is confirmed holding it, or when it is no newcomer still
    /// waiting for a hand-off (watched under another holder, or owed by this one).
    /// Silence to `ourMethod` (find_value, store) counts only against a contact that said it
    /// is one of ours: Mainline nodes of other kinds may ignore methods they do not know.
    package mutating func recordTimeout(of id: NodeID, now: Timestamp, ourMethod: Bool = false) -> [NodeID] {
        guard let entry = routingTable.entry(for: id), !ourMethod || entry.speaksOurMethods else {
            recentFailures.record(id, now: now)
            return []
        }
        guard routingTable.recordFailure(of: id) else { return [] }
        recentFailures.record(id, now: now)
        guard store.count > 0 else { return [] }
        let k = configuration.k
        // Only a newcomer may lack what its neighbours hold: the others met every round and
        // hand-off since they came. Trusting none of them made every holder repair every
        // loss (10 repair probes per key-hour, 8 of them finding the key already held); a
        // newcomer trusted at once was once all that was left of a lost key.
        let targets = targetsHeld(withinReachOf: id, now: now)
        guard !targets.isEmpty else { return [] }
        let awaitingHandOff = awaitingHandOff
        return targets.compactMap { target in
            let known = routingTable.closest(to: target, limit: k).map(\.id)
            let gone = id.distance(to: target)
            let wasAmongClosest = known.count < k || known.contains { $0.distance(to: target) > gone }
            guard wasAmongClosest else { return nil }
            // A copy cached while the table knew K nearer nodes is a replica once they are
            // gone: at 10,000 nodes the last two copies of a key were caches, which neither
            // repaired nor replicated, while the replicas around them died.
            if !store.isReplica(target) {
                guard HandOffRule.isAmongClosest(target, localID: localID, known: known, k: k) else { return nil }
                store.markReplica(target)
            }
            let own = localID.distance(to: target)
            let nearerHolders = known.filter { contact in
                contact.distance(to: target) < own
                    && (!awaitingHandOff.contains(contact) || store.isKnownHolder(contact, of: target))
            }
            return HandOffRule.isOnDuty(nearerHolders: nearerHolders, isLive: { isKnownLive($0, now: now) }) ? target : nil
        }
    }

    /// When the store next needs the node: an expiry or a replication falling due.
    package var storeDeadline: Timestamp? {
        [store.earliestExpiry, store.earliestReplication, publications.earliest].compactMap { $0 }.min()
    }
}

/// A query held back by the outbound pacer until its destination's budget allows it.
package struct PacedDatagram: Sendable {
    package var bytes: [UInt8]
    package var address: SocketAddress

    /// `bytes` to send to `address` in their turn.
    package init(bytes: [UInt8], address: SocketAddress) {
        self.bytes = bytes
        self.address = address
    }
}
