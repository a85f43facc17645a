import Synchronization

/// Running totals of what a node has done, for benchmarks and diagnostics.
final class NodeCounters: Sendable {
    let sent = Atomic<Int>(0)
    let received = Atomic<Int>(0)
    let bytesSent = Atomic<Int>(0)
    let bytesReceived = Atomic<Int>(0)
    /// Datagrams dropped unread: over 1,500 bytes, or not KRPC at all.
    let droppedOversized = Atomic<Int>(0)
    let droppedUnreadable = Atomic<Int>(0)
    /// Queries malformed enough to be answered with error 203 (or dropped without a `t`).
    let invalidQueries = Atomic<Int>(0)
    /// Queries received, by method: fields of their own, since atomics cannot sit in an
    /// array, and inline, so they cost each node no allocation.
    private let pingsIn = Atomic<Int>(0), findNodesIn = Atomic<Int>(0), findValuesIn = Atomic<Int>(0), storesIn = Atomic<Int>(0)
    private let getPeersIn = Atomic<Int>(0), announcesIn = Atomic<Int>(0), getsIn = Atomic<Int>(0), putsIn = Atomic<Int>(0)
    private let listensIn = Atomic<Int>(0), notifiesIn = Atomic<Int>(0), samplesIn = Atomic<Int>(0), othersIn = Atomic<Int>(0)
    let timeouts = Atomic<Int>(0)
    /// Queries left unanswered because their host was over its rate.
    let rateLimited = Atomic<Int>(0)
    /// Of those, the ones answered "busy" instead of dropped.
    let busyAnswersSent = Atomic<Int>(0)
    /// Busy answers to our queries, each followed by a resend after a wait.
    let busyAnswersReceived = Atomic<Int>(0)
    /// Upkeep queries that waited for their destination's window.
    let upkeepDeferred = Atomic<Int>(0)
    /// Upkeep queries abandoned because their destination seemed gone.
    let upkeepAbandoned = Atomic<Int>(0)
    /// Values handed to newcomers (stores they took).
    let valuesHandedOff = Atomic<Int>(0)
    let pings = Atomic<Int>(0)
    let findNodes = Atomic<Int>(0)
    let findValues = Atomic<Int>(0)
    let stores = Atomic<Int>(0)
    let routingQueries = Atomic<Int>(0)
    let dataQueries = Atomic<Int>(0)
    let dataStores = Atomic<Int>(0)

    /// Counts one query received.
    func countInbound(_ query: Query) {
        _ = inbound(QueryMethod(query)) { $0.add(1, ordering: .relaxed) }
    }

    /// The queries of `method` received so far.
    func received(_ method: QueryMethod) -> Int {
        inbound(method) { $0.load(ordering: .relaxed) }
    }

    private func inbound<T>(_ method: QueryMethod, _ body: (borrowing Atomic<Int>) -> T) -> T {
        switch method {
        case .ping: body(pingsIn)
        case .findNode: body(findNodesIn)
        case .findValue: body(findValuesIn)
        case .store: body(storesIn)
        case .getPeers: body(getPeersIn)
        case .announcePeer: body(announcesIn)
        case .get: body(getsIn)
        case .put: body(putsIn)
        case .listen: body(listensIn)
        case .notify: body(notifiesIn)
        case .sampleInfohashes: body(samplesIn)
        case .other: body(othersIn)
        }
    }

    /// Counts one query we sent.
    func countQuery(_ query: Query, cause: QueryCause) {
        switch cause {
        case .user: break
        case .routing: routingQueries.add(1, ordering: .relaxed)
        case .data:
            dataQueries.add(1, ordering: .relaxed)
            if case .store = query { dataStores.add(1, ordering: .relaxed) }
        }
        switch query {
        case .ping: pings.add(1, ordering: .relaxed)
        case .findNode: findNodes.add(1, ordering: .relaxed)
        case .findValue: findValues.add(1, ordering: .relaxed)
        case .store: stores.add(1, ordering: .relaxed)
        case .getPeers, .announcePeer, .getItem, .putItem, .sampleInfohashes, .listen, .notify, .unknown: break
        }
    }
}

/// Totals of a node's traffic since it started.
public struct TrafficCounts: Sendable, Equatable {
    public var datagramsSent = 0
    public var datagramsReceived = 0
    public var queriesTimedOut = 0
    /// Queries this node sent, by method.
    public var pingsSent = 0
    public var findNodesSent = 0
    public var findValuesSent = 0
    public var storesSent = 0
    /// Queries sent to keep the routing table alive.
    public var routingQueriesSent = 0
    /// Queries sent to keep values alive (replication, hand-off, republish, leave, caching).
    public var dataQueriesSent = 0
    /// Of those, the `store` queries.
    public var dataStoresSent = 0
    /// Queries this node refused because their host was over its share: answered "busy",
    /// and dropped unanswered (a stranger that kept sending).
    public var busyAnswersSent = 0
    public var queriesDroppedSilently = 0
    /// Busy answers this node got to its own queries.
    public var busyAnswersReceived = 0
    /// Stores this node refused for its quotas.
    public var storesRefused = 0
    /// Bytes of the datagrams sent and received.
    public var bytesSent = 0
    public var bytesReceived = 0
    /// Datagrams dropped unread: over 1,500 bytes, or not KRPC.
    public var droppedOversized = 0
    public var droppedUnreadable = 0
    /// Malformed queries (answered with error 203 when they had a `t`).
    public var invalidQueries = 0
    /// Queries received, by method.
    public var queriesReceived: [QueryMethod: Int] = [:]

    public init() {}

    /// The sum of two nodes' totals.
    public static func + (lhs: TrafficCounts, rhs: TrafficCounts) -> TrafficCounts {
        var sum = TrafficCounts()
        sum.datagramsSent = lhs.datagramsSent + rhs.datagramsSent
        sum.datagramsReceived = lhs.datagramsReceived + rhs.datagramsReceived
        sum.queriesTimedOut = lhs.queriesTimedOut + rhs.queriesTimedOut
        sum.pingsSent = lhs.pingsSent + rhs.pingsSent
        sum.findNodesSent = lhs.findNodesSent + rhs.findNodesSent
        sum.findValuesSent = lhs.findValuesSent + rhs.findValuesSent
        sum.storesSent = lhs.storesSent + rhs.storesSent
        sum.routingQueriesSent = lhs.routingQueriesSent + rhs.routingQueriesSent
        sum.dataQueriesSent = lhs.dataQueriesSent + rhs.dataQueriesSent
        sum.dataStoresSent = lhs.dataStoresSent + rhs.dataStoresSent
        sum.busyAnswersSent = lhs.busyAnswersSent + rhs.busyAnswersSent
        sum.queriesDroppedSilently = lhs.queriesDroppedSilently + rhs.queriesDroppedSilently
        sum.busyAnswersReceived = lhs.busyAnswersReceived + rhs.busyAnswersReceived
        sum.storesRefused = lhs.storesRefused + rhs.storesRefused
        sum.bytesSent = lhs.bytesSent + rhs.bytesSent
        sum.bytesReceived = lhs.bytesReceived + rhs.bytesReceived
        sum.droppedOversized = lhs.droppedOversized + rhs.droppedOversized
        sum.droppedUnreadable = lhs.droppedUnreadable + rhs.droppedUnreadable
        sum.invalidQueries = lhs.invalidQueries + rhs.invalidQueries
        sum.queriesReceived = lhs.queriesReceived.merging(rhs.queriesReceived, uniquingKeysWith: +)
        return sum
    }
}

extension DHTNode {
    /// Totals of this node's traffic since it started.
    public var traffic: TrafficCounts {
        var counts = TrafficCounts()
        counts.datagramsSent = counters.sent.load(ordering: .relaxed)
        counts.datagramsReceived = counters.received.load(ordering: .relaxed)
        counts.queriesTimedOut = counters.timeouts.load(ordering: .relaxed)
        counts.pingsSent = counters.pings.load(ordering: .relaxed)
        counts.findNodesSent = counters.findNodes.load(ordering: .relaxed)
        counts.findValuesSent = counters.findValues.load(ordering: .relaxed)
        counts.storesSent = counters.stores.load(ordering: .relaxed)
        counts.routingQueriesSent = counters.routingQueries.load(ordering: .relaxed)
        counts.dataQueriesSent = counters.dataQueries.load(ordering: .relaxed)
        counts.dataStoresSent = counters.dataStores.load(ordering: .relaxed)
        counts.busyAnswersSent = counters.busyAnswersSent.load(ordering: .relaxed)
        counts.queriesDroppedSilently = counters.rateLimited.load(ordering: .relaxed) - counts.busyAnswersSent
        counts.busyAnswersReceived = counters.busyAnswersReceived.load(ordering: .relaxed)
        counts.storesRefused = read { $0.storesRefused }
        counts.bytesSent = counters.bytesSent.load(ordering: .relaxed)
        counts.bytesReceived = counters.bytesReceived.load(ordering: .relaxed)
        counts.droppedOversized = counters.droppedOversized.load(ordering: .relaxed)
        counts.droppedUnreadable = counters.droppedUnreadable.load(ordering: .relaxed)
        counts.invalidQueries = counters.invalidQueries.load(ordering: .relaxed)
        for method in QueryMethod.allCases {
            let count = counters.received(method)
            if count > 0 { counts.queriesReceived[method] = count }
        }
        return counts
    }
}

/// A query's method, as the metrics count them; methods this node does not know are `other`.
public enum QueryMethod: String, CaseIterable, Sendable, Hashable {
    case ping, findNode = "find_node", findValue = "find_value", store, getPeers = "get_peers",
         announcePeer = "announce_peer", get, put, sampleInfohashes = "sample_infohashes", listen, notify, other

    /// The method of `query`.
    public init(_ query: Query) {
        self = switch query {
        case .ping: .ping
        case .findNode: .findNode
        case .findValue: .findValue
        case .store: .store
        case .getPeers: .getPeers
        case .announcePeer: .announcePeer
        case .getItem: .get
        case .putItem: .put
        case .listen: .listen
        case .notify: .notify
        case .sampleInfohashes: .sampleInfohashes
        case .unknown: .other
        }
    }
}
