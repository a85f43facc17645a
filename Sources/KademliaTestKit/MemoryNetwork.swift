import Synchronization
import Kademlia

/// An in-memory datagram network on a virtual clock, for tests and simulations.
///
/// Without an `InternetModel`, delivery is synchronous: `send` calls the receiver's
/// handler before it returns, so a reply from a live node resolves its query at once,
/// and only queries to silent nodes wait, for the virtual time `advance(by:)` moves on.
/// With one, every datagram is an event: it arrives after the model's delay, in virtual
/// time, or is lost (`MemoryNetwork+Internet.swift`). Either way moving time ticks only
/// the endpoints that asked to be woken by then (a discrete-event simulation), so the
/// cost of time passing does not grow with the number of nodes.
public final class MemoryNetwork: Sendable {
    public let clock: ManualClock
    /// The internet the datagrams cross; nil for instant, lossless delivery.
    public let internet: InternetModel?
    let inFlight = Mutex(DatagramsInFlight())
    /// Where the tasks of a modelled network's nodes run (`NodeConfiguration.taskExecutor`),
    /// so `run` knows when all of them wait and time may move.
    public let executor = SimulationExecutor()
    /// Held by the one `run` that drains the executor and moves time; others wait their turn.
    let driving = Atomic<Bool>(false)
    private let endpoints = Mutex<[SocketAddress: Endpoint]>([:])
    let wakes = Mutex(WakeQueue())
    private let nextHost = Atomic<UInt32>(1)
    private let delivered = Atomic<Int>(0)
    /// Whether the model's loss is off for now (a lossless reference within one run).
    let lossSuspended = Atomic<Bool>(false)
    private let dropped = Atomic<Int>(0)
    /// Virtual time of the latest datagram lost to a silent or unknown address: until
    /// the query it may have carried times out, someone may be waiting for time to pass.
    private let lastDrop = Atomic<Int64>(.min)

    /// Held until the endpoint closes, as the transport protocol promises.
    struct DelegateSlot {
        var value: (any TransportDelegate)?
    }

    final class Endpoint: Sendable {
        let delegate = Mutex(DelegateSlot())
        let silent = Atomic<Bool>(false)
    }

    /// A network on `clock`, instant unless an `internet` model is given.
    public init(clock: ManualClock = ManualClock(), internet: InternetModel? = nil) {
        self.clock = clock
        self.internet = internet
    }

    /// A new endpoint on its own address in 127.0.0.0/8 (nothing real is sent).
    public func makeTransport() -> MemoryTransport {
        let host = nextHost.add(1, ordering: .relaxed).oldValue
        let address = SocketAddress(ip: 0x7F00_0000 | (host & 0x00FF_FFFF), port: 6881)
        let endpoint = Endpoint()
        endpoints.withLock { $0[address] = endpoint }
        return MemoryTransport(network: self, address: address)
    }

    /// Makes a node silent (it hears nothing and says nothing, as if it vanished) or live again.
    /// A node made live again is ticked at once, since the wake-ups it asked for while
    /// silent were dropped.
    public func setSilent(_ address: SocketAddress, _ silent: Bool) {
        endpoints.withLock { $0[address] }?.silent.store(silent, ordering: .relaxed)
        if !silent { requestWake(address, at: clock.now()) }
    }

    /// Moves virtual time on and ticks every endpoint that asked to be woken by then.
    public func advance(by duration: Duration) {
        advance(to: clock.now() + duration)
    }

    /// Moves virtual time on to `instant` and ticks every endpoint that asked to be woken by
    /// then; on a modelled internet, delivers the datagrams arriving by then, each at its time.
    public func advance(to instant: Timestamp) {
        guard internet != nil else { return tickDue(now: clock.advance(to: instant)) }
        executor.runUntilIdle()
        while let next = nextEvent, next <= instant {
            runInstant(next)
            executor.runUntilIdle()
        }
        clock.advance(to: instant)
    }

    /// Jumps virtual time to the earliest wake-up anyone asked for (or, on a modelled
    /// internet, datagram arrival) and carries out what is due; false if nothing is pending.
    @discardableResult
    public func advanceToNextWake() -> Bool {
        guard let next = internet == nil ? wakes.withLock({ $0.earliest }) : nextEvent else { return false }
        if internet == nil { tickDue(now: clock.advance(to: next)) } else { runInstant(next) }
        return true
    }

    /// When a datagram was last lost, if ever.
    var lastDropTime: Timestamp? {
        let nanoseconds = lastDrop.load(ordering: .relaxed)
        return nanoseconds == .min ? nil : Timestamp(nanoseconds: nanoseconds)
    }

    func requestWake(_ address: SocketAddress, at deadline: Timestamp) {
        wakes.withLock { $0.push(deadline, address) }
    }

    func tickDue(now: Timestamp) {
        let due = wakes.withLock { $0.popDue(now: now) }
        let delegates = endpoints.withLock { table in
            due.compactMap { address -> (any TransportDelegate)? in
                guard let endpoint = table[address], !endpoint.silent.load(ordering: .relaxed) else { return nil }
                return endpoint.delegate.withLock { $0.value }
            }
        }
        for delegate in delegates { delegate.transportTick() }
    }

    /// Counts a datagram lost (to a silent or unknown address, or the model's loss), and
    /// when: a query it carried will wait for its timeout.
    func noteDrop() {
        dropped.add(1, ordering: .relaxed)
        lastDrop.store(clock.now().nanoseconds, ordering: .relaxed)
    }

    /// Whether `address` is an endpoint that hears (known, and not silent).
    func isListening(_ address: SocketAddress) -> Bool {
        endpoints.withLock { $0[address] }.map { !$0.silent.load(ordering: .relaxed) } ?? false
    }

    /// Datagrams handed to a receiver, and datagrams lost to silent or unknown addresses.
    public var counts: (delivered: Int, dropped: Int) {
        (delivered.load(ordering: .relaxed), dropped.load(ordering: .relaxed))
    }

    /// Lets `run` move time as it does after a lost datagram: something waits on a timer
    /// (a query answered "busy", or one a delegate swallowed without answering).
    public func noteWaiting() {
        lastDrop.store(clock.now().nanoseconds, ordering: .relaxed)
    }

    func attach(_ delegate: any TransportDelegate, at address: SocketAddress) {
        endpoints.withLock { $0[address] }?.delegate.withLock { $0.value = delegate }
    }

    func detach(_ address: SocketAddress) {
        endpoints.withLock { $0.removeValue(forKey: address) }?.delegate.withLock { $0.value = nil }
    }

    func deliver(_ datagram: [UInt8], from sender: SocketAddress, to destination: SocketAddress) {
        if let internet { return launch(datagram, from: sender, to: destination, across: internet) }
        hand(datagram, from: sender, to: destination)
    }

    /// Hands a datagram to its receiver now, or drops it if either end is silent or gone.
    func hand(_ datagram: [UInt8], from sender: SocketAddress, to destination: SocketAddress) {
        let route = endpoints.withLock { ($0[sender], $0[destination]) }
        guard let source = route.0, !source.silent.load(ordering: .relaxed),
              let target = route.1, !target.silent.load(ordering: .relaxed),
              let delegate = target.delegate.withLock({ $0.value }) else {
            return noteDrop()
        }
        delivered.add(1, ordering: .relaxed)
        datagram.withUnsafeBytes { delegate.transport(received: $0, from: sender) }
    }
}

/// One endpoint of a `MemoryNetwork`.
public final class MemoryTransport: DatagramTransport {
    public let localAddress: SocketAddress
    private let network: MemoryNetwork

    init(network: MemoryNetwork, address: SocketAddress) {
        self.network = network
        localAddress = address
    }

    public func start(delegate: any TransportDelegate) {
        network.attach(delegate, at: localAddress)
    }

    public func send(_ datagram: [UInt8], to destination: SocketAddress) {
        network.deliver(datagram, from: localAddress, to: destination)
    }

    public func close() {
        network.detach(localAddress)
    }

    public func wake(at deadline: Timestamp) {
        network.requestWake(localAddress, at: deadline)
    }

    public func noteWaiting() {
        network.noteWaiting()
    }
}
