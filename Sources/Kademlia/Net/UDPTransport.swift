import Glibc
import Synchronization

/// Real UDP/IPv4 for a node: sends straight from the caller's thread, receives and ticks on a
/// shared UDPPoller thread. There is no user-space queue; the kernel socket buffers are the bound.
public final class UDPTransport: DatagramTransport, TickScheduled {
    /// Largest datagram delivered; anything bigger cannot be ours and is dropped.
    static let maxDatagramSize = 1500
    /// One spare byte, so even without MSG_TRUNC an oversized datagram would show as "buffer full".
    static let receiveBufferSize = maxDatagramSize + 1
    private static let kernelBufferBytes: Int32 = 4 << 20

    /// The address other nodes reach this transport at (127.0.0.1 when bound to 0.0.0.0).
    public let localAddress: SocketAddress
    /// The socket's file descriptor, for tests that check it is closed.
    var descriptor: Int32 { socket.fd }

    private let socket: UDPSocket
    private let poller: UDPPoller
    private let token: UInt64
    private let tickNanoseconds: UInt64
    private let state = Mutex(State())
    /// Apart from `state`, whose lock a send holds across sendto, so handing a datagram to
    /// the node never waits for a send from another thread to finish.
    private let delegate = Mutex(DelegateSlot())
    /// Mirrors `State.closed` so the receive loop can check it per datagram without the lock.
    private let closedFlag = Atomic<Bool>(false)
    private let dropped = Atomic<Int>(0)
    /// When the next tick is due; 0 means "not yet scheduled". Every change is also handed to
    /// the poller's schedule, whose entries for other times are then stale.
    private let nextTickDue = Atomic<UInt64>(0)

    private struct State {
        var started = false
        var closed = false
        /// While the poller drains this socket, sends gather here and leave in one sendmmsg.
        var outbox: DatagramBatch?
    }

    /// The delegate, held until close; a node's delegate holds the node weakly, so no cycle forms.
    private struct DelegateSlot {
        var value: (any TransportDelegate)?
    }

    private init(socket: UDPSocket, poller: UDPPoller, localAddress: SocketAddress, tickInterval: Duration) {
        self.socket = socket
        self.poller = poller
        self.localAddress = localAddress
        self.token = poller.makeToken()
        let (seconds, attoseconds) = tickInterval.components
        // Clamped to a day so an absurd interval cannot overflow the nanosecond count.
        let nanoseconds = min(max(seconds, 0), 86_400) * 1_000_000_000 + max(attoseconds, 0) / 1_000_000_000
        self.tickNanoseconds = UInt64(max(nanoseconds, 1_000_000))
    }

    deinit {
        close()
    }

    /// Binds a non-blocking UDP/IPv4 socket; port 0 picks a free port (localAddress reports it).
    public static func bind(host: String = "0.0.0.0", port: UInt16, poller: UDPPoller = .shared,
                            tickInterval: Duration = .milliseconds(20)) throws -> UDPTransport {
        let ip = try SocketAddress(ipv4: host, port: port)?.ip ?? HostResolver.resolve(host: host, port: port).ip
        let socket = try UDPSocket.open()
        var local: SocketAddress
        do {
            socket.setBufferSizes(kernelBufferBytes)
            try socket.bind(to: SocketAddress(ip: ip, port: port))
            local = try socket.boundAddress()
        } catch {
            socket.close()
            throw error
        }
        if local.ip == 0 { local.ip = SocketAddress.loopback(port: 0).ip }
        // From here the transport owns the fd: if registering fails, its deinit closes it.
        let transport = UDPTransport(socket: socket, poller: poller, localAddress: local, tickInterval: tickInterval)
        try poller.register(transport, token: transport.token, fd: socket.fd)
        return transport
    }

    /// Starts delivery on the poller thread; calling it again only swaps the delegate.
    public func start(delegate: any TransportDelegate) {
        state.withLock { state in
            guard !state.closed else { return }
            self.delegate.withLock { $0.value = delegate }
            guard !state.started else { return }
            state.started = true
            // Under our lock, so close() cannot slip between the check above and the epoll change.
            poller.enableReading(token: token, fd: socket.fd)
        }
    }

    /// Sends one datagram without blocking; a full buffer, an error or a closed transport drops it.
    public func send(_ datagram: [UInt8], to destination: SocketAddress) {
        // The lock is held across sendto so close() cannot hand the fd on for closing mid-send.
        let sent = state.withLock { state in
            guard !state.closed else { return false }
            if let outbox = state.outbox {
                if outbox.append(datagram, to: destination) { return true }
                dropped.wrappingAdd(outbox.send(from: socket.fd), ordering: .relaxed)
                if outbox.append(datagram, to: destination) { return true }
            }
            return datagram.withUnsafeBytes { bytes in
                (try? socket.send(bytes, to: destination)) ?? false
            }
        }
        if !sent { dropped.wrappingAdd(1, ordering: .relaxed) }
    }

    /// Stops delivery and releases the port; idempotent, safe from any thread and from callbacks.
    /// From a callback nothing further is delivered; from another thread at most the one datagram
    /// or tick the poller already holds may still arrive, since waiting for it could deadlock.
    public func close() {
        let first = state.withLock { state in
            guard !state.closed else { return false }
            state.closed = true
            closedFlag.store(true, ordering: .releasing)
            return true
        }
        guard first else { return }
        delegate.withLock { $0.value = nil }
        if !poller.deregister(token: token, fd: socket.fd) {
            socket.close()
        }
    }

    /// Sends that failed plus received datagrams over 1500 bytes.
    public var droppedDatagrams: Int { dropped.load(ordering: .relaxed) }

    /// Called by the poller when the socket is readable: reads up to `limit` datagrams a batch
    /// at a time and hands each to the delegate without copying. Whatever the delegate sends
    /// meanwhile gathers in `outbox` and leaves after each batch, in one system call.
    func drainReadable(into inbox: DatagramBatch, outbox: DatagramBatch, limit: Int) {
        // One strong reference for the drain; nil still drains, or level-triggered epoll would spin.
        let delegate = delegate.withLock { $0.value }
        guard state.withLock({ state in
            guard !state.closed else { return false }
            state.outbox = outbox
            return true
        }) else { return }
        defer { flush(outbox, closing: true) }
        var drained = 0
        while drained < limit {
            let received: Int
            do {
                received = try inbox.receive(from: socket.fd)
            } catch {
                return
            }
            for index in 0..<received {
                let datagram = inbox.datagram(at: index)
                guard !datagram.truncated, datagram.bytes.count <= Self.maxDatagramSize else {
                    dropped.wrappingAdd(1, ordering: .relaxed)
                    continue
                }
                // Checked as late as possible, so a close() from another thread loses at most this one.
                if closedFlag.load(ordering: .acquiring) { return }
                delegate?.transport(received: datagram.bytes, from: datagram.sender)
            }
            flush(outbox, closing: false)
            drained += received
            if received < inbox.capacity { return }
        }
    }

    /// Sends what gathered in the outbox; `closing` also ends the gathering.
    private func flush(_ outbox: DatagramBatch, closing: Bool) {
        state.withLock { state in
            if closing { state.outbox = nil }
            guard outbox.count > 0 else { return }
            if state.closed {
                outbox.discard()
            } else {
                dropped.wrappingAdd(outbox.send(from: socket.fd), ordering: .relaxed)
            }
        }
    }

    /// Brings the next tick forward to `deadline` (read on CLOCK_MONOTONIC, as `SystemClock`
    /// does), so a node can tick rarely yet still meet its query deadlines.
    public func wake(at deadline: Timestamp) {
        // A closed transport never ticks again; asking would only feed the poller stale entries.
        if closedFlag.load(ordering: .relaxed) { return }
        let target = UInt64(max(deadline.nanoseconds, 1))
        var current = nextTickDue.load(ordering: .relaxed)
        while current == 0 || target < current {
            let (exchanged, original) = nextTickDue.compareExchange(expected: current, desired: target, ordering: .relaxed)
            if exchanged {
                poller.scheduleTick(self, at: target)
                return
            }
            current = original
        }
    }

    /// The due time the poller's current schedule entry for us carries; nil once closed.
    var scheduledTick: UInt64? {
        closedFlag.load(ordering: .acquiring) ? nil : nextTickDue.load(ordering: .relaxed)
    }

    /// Called by the poller when our schedule entry comes due: ticks (the first time only picks
    /// the schedule) and returns the next due time for the poller to schedule, or nil when there
    /// is nothing to schedule: closed, or a wake(at:) moved the tick meanwhile and scheduled it.
    func tick(now: UInt64) -> UInt64? {
        let due = nextTickDue.load(ordering: .relaxed)
        // Past `now` only if a wake(at:) set the first due time since the poller checked.
        guard due <= now, !closedFlag.load(ordering: .acquiring) else { return nil }
        // Late ticks are not replayed in a burst: schedule from now if we fell behind.
        let next = due != 0 && due + tickNanoseconds > now ? due + tickNanoseconds : now + tickNanoseconds
        // A wake(at:) that lowered the due time since we read it wins over our schedule.
        let (exchanged, _) = nextTickDue.compareExchange(expected: due, desired: next, ordering: .relaxed)
        if due != 0, let delegate = delegate.withLock({ $0.value }) {
            delegate.transportTick()
        }
        return exchanged ? next : nil
    }
}
