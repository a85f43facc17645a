import Synchronization
import Kademlia

/// An in-memory datagram network on a virtual clock, for tests and simulations.
///
/// Delivery is synchronous: `send` calls the receiver's handler before it returns, so
/// a reply from a live node resolves its query at once, and only queries to silent
/// nodes wait, for the virtual time `advance(by:)` moves on. Moving time ticks only
/// the endpoints that asked to be woken by then (a discrete-event simulation), so the
/// cost of time passing does not grow with the number of nodes.
public final class MemoryNetwork: Sendable {
    public let clock: ManualClock
    private let endpoints = Mutex<[SocketAddress: Endpoint]>([:])
    let wakes = Mutex(WakeQueue())
    private let nextHost = Atomic<UInt32>(1)
    private let delivered = Atomic<Int>(0)
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

    public init(clock: ManualClock = ManualClock()) {
        self.clock = clock
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
        tickDue(now: clock.advance(by: duration))
    }

    /// Moves virtual time on to `instant` and ticks every endpoint that asked to be woken by then.
    public func advance(to instant: Timestamp) {
        tickDue(now: clock.advance(to: instant))
    }

    /// Jumps virtual time to the earliest wake-up anyone asked for and ticks those due;
    /// false if nobody is waiting for time to pass.
    @discardableResult
    public func advanceToNextWake() -> Bool {
        guard let next = wakes.withLock({ $0.earliest }) else { return false }
        tickDue(now: clock.advance(to: next))
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

    private func tickDue(now: Timestamp) {
        let due = wakes.withLock { $0.popDue(now: now) }
        let delegates = endpoints.withLock { table in
            due.compactMap { address -> (any TransportDelegate)? in
                guard let endpoint = table[address], !endpoint.silent.load(ordering: .relaxed) else { return nil }
                return endpoint.delegate.withLock { $0.value }
            }
        }
        for delegate in delegates { delegate.transportTick() }
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
        let route = endpoints.withLock { ($0[sender], $0[destination]) }
        guard let source = route.0, !source.silent.load(ordering: .relaxed),
              let target = route.1, !target.silent.load(ordering: .relaxed),
              let delegate = target.delegate.withLock({ $0.value }) else {
            dropped.add(1, ordering: .relaxed)
            lastDrop.store(clock.now().nanoseconds, ordering: .relaxed)
            return
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
