/// Upkeep (replication, hand-off, repair, republish stores, leave) goes out through each
/// destination's window, so a holder with thousands of values for one node sends them as
/// fast as that node answers and no faster; what users ask never waits behind it.
extension DHTNode {
    /// Sends `item` if its destination's window has room, else leaves it waiting its turn.
    /// A waiting query has no key yet: cancelling its batch leaves it to run its course.
    func dispatchUpkeep(_ item: UpkeepQuery) -> PendingRequests.Key {
        guard mutate({ $0.upkeep.submit(item, to: item.address) }) else {
            counters.upkeepDeferred.add(1, ordering: .relaxed)
            return PendingRequests.Key(transactionID: 0, address: item.address)
        }
        return startUpkeep(item)
    }

    /// Sends a query the window has counted in flight; its end frees the place for the next.
    @discardableResult
    private func startUpkeep(_ item: UpkeepQuery) -> PendingRequests.Key {
        transmit(item.query, to: item.address, expecting: item.expectedID, for: .data, onStall: item.onStall) { [self] result in
            let outcome: UpkeepWindows<UpkeepQuery>.Outcome = switch result {
            case .failure(.timedOut): .silent
            case .failure(let error) where error.isBusy: .busy
            default: .answered
            }
            let (start, abandoned) = mutate { $0.upkeep.finished(at: item.address, outcome) }
            item.completion(result)
            if !abandoned.isEmpty {
                counters.upkeepAbandoned.add(abandoned.count, ordering: .relaxed)
                log(.info, .maintenance, "\(item.address) is silent: \(abandoned.count) upkeep queries to it dropped",
                    fields: [.text("peer", item.address.description), .count("dropped", abandoned.count)])
                for waiting in abandoned { waiting.completion(.failure(.cancelled)) }
            }
            guard !start.isEmpty else { return }
            // Started from a task of their own, not from here: a query that fails at once
            // (a stopped node) would otherwise start the next inside this call, and so on
            // down the whole queue.
            inBackground { node in
                for next in start { node.startUpkeep(next) }
            }
        }
    }

    /// Upkeep under way now: destinations with queries waiting or in flight.
    var upkeepBacklog: UpkeepBacklog {
        read { state in
            UpkeepBacklog(waiting: state.upkeep.waiting, inFlight: state.upkeep.inFlight,
                          destinations: state.upkeep.backlog.map {
                              UpkeepBacklog.Destination(address: $0.destination, waiting: $0.waiting, inFlight: $0.inFlight,
                                                        window: $0.window)
                          })
        }
    }
}

/// What upkeep has waiting and in flight, for `status`.
public struct UpkeepBacklog: Sendable, Equatable {
    /// Upkeep queries waiting for a window, and awaiting an answer, over all destinations.
    public var waiting = 0
    public var inFlight = 0
    /// Each destination with upkeep under way, most waiting first.
    public var destinations: [Destination] = []

    /// Nothing waiting or in flight, unless said otherwise.
    public init(waiting: Int = 0, inFlight: Int = 0, destinations: [Destination] = []) {
        self.waiting = waiting
        self.inFlight = inFlight
        self.destinations = destinations
    }

    /// One destination's share of the backlog.
    public struct Destination: Sendable, Equatable {
        public var address: SocketAddress
        public var waiting: Int
        public var inFlight: Int
        /// Queries it may have awaiting an answer at once now.
        public var window: Int

        public init(address: SocketAddress, waiting: Int, inFlight: Int, window: Int) {
            self.address = address
            self.waiting = waiting
            self.inFlight = inFlight
            self.window = window
        }
    }
}
