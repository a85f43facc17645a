import Kademlia

/// Delivery across an `InternetModel`: each datagram is an event in virtual time.
extension MemoryNetwork {
    /// Puts a datagram on its way: dropped now if its sender is silent or the model loses
    /// it, otherwise queued to arrive after the model's delay.
    func launch(_ datagram: [UInt8], from sender: SocketAddress, to destination: SocketAddress, across internet: InternetModel) {
        guard isListening(sender) else { return noteDrop() }
        let now = clock.now()
        let print = fingerprint(of: datagram)
        let behindNAT = internet.isBehindNAT(sender)
        guard let delay = internet.transit(from: sender, to: destination, fingerprint: print,
                                                 losing: !lossSuspended.load(ordering: .relaxed)) else {
            if behindNAT { inFlight.withLock { $0.openMapping(from: sender, to: destination, until: now + internet.natMappingLifetime) } }
            return noteDrop()
        }
        inFlight.withLock { flight in
            if behindNAT { flight.openMapping(from: sender, to: destination, until: now + internet.natMappingLifetime) }
            flight.push(DatagramInFlight(fingerprint: print, sender: sender, receiver: destination, bytes: datagram), arrivingAt: now + delay)
        }
    }

    /// The next thing due: a datagram's arrival or a wake-up, whichever is earlier.
    var nextEvent: Timestamp? {
        let arrival = inFlight.withLock { $0.earliest }
        let wake = wakes.withLock { $0.earliest }
        guard let arrival else { return wake }
        return wake.map { min($0, arrival) } ?? arrival
    }

    /// Moves the clock to `instant`, delivers the datagrams arriving by then, in order,
    /// and ticks the endpoints due.
    func runInstant(_ instant: Timestamp) {
        let now = clock.advance(to: instant)
        while let datagram = popDeliverable(by: now) {
            if let datagram { hand(datagram.bytes, from: datagram.sender, to: datagram.receiver) } else { noteDrop() }
        }
        tickDue(now: now)
    }

    /// The next datagram arrived by `now`: `.some(nil)` if a NAT stops it at the door,
    /// nil when none is left.
    private func popDeliverable(by now: Timestamp) -> DatagramInFlight?? {
        let nat = internet
        return inFlight.withLock { flight -> DatagramInFlight?? in
            guard let datagram = flight.popArrived(by: now) else { return nil }
            if let nat, nat.isBehindNAT(datagram.receiver), !flight.admits(datagram.sender, to: datagram.receiver, now: now) {
                return .some(nil)
            }
            return .some(datagram)
        }
    }

    /// Turns the model's loss off (or back on): a lossless reference in the same run.
    public func suspendLoss(_ suspended: Bool) {
        lossSuspended.store(suspended, ordering: .relaxed)
    }

    /// A node on a new endpoint of this network, on its clock and (for a modelled internet)
    /// running its tasks on `executor`, as `run` needs.
    public func makeNode(_ configuration: NodeConfiguration = NodeConfiguration(), seed: UInt64) -> DHTNode {
        var configuration = configuration
        configuration.seed = seed
        if internet != nil { configuration.taskExecutor = executor }
        return DHTNode(transport: makeTransport(), clock: clock, configuration: configuration)
    }

    /// Datagrams on their way now.
    public var datagramsInFlight: Int { inFlight.withLock { $0.count } }

    /// A digest of every delivery so far (time, ends, bytes): equal for two runs that
    /// played out event for event the same.
    public var deliveryDigest: UInt64 { inFlight.withLock { $0.digest } }
}
