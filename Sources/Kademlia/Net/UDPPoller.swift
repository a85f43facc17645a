import CLinux
import Glibc
import Synchronization

/// One epoll thread serving many UDP transports, so a process hosting a thousand nodes needs one
/// thread rather than a thousand, and Swift's cooperative pool never waits on a socket.
public final class UDPPoller: Sendable {
    /// The process-wide poller. Its thread starts with the first transport and ends with the last.
    public static let shared = UDPPoller(recordingFailure: ())

    /// Bounds how late a newly started transport's first tick (or a deferred close) can be.
    private static let maxWaitNanoseconds: UInt64 = 10_000_000
    /// Caps one socket's share of a wake so a flooded socket cannot starve the others.
    static let drainLimit = 64
    /// Ticks may be this late; the price of not scanning for due ticks on every wake.
    private static let tickGranularity: UInt64 = 2_000_000
    private static let eventCapacity = 256
    /// After traffic, keep polling without sleeping this long: under load the next datagram
    /// usually comes sooner, and a sleep and wake-up costs more than the datagram (tens of
    /// microseconds on a VM). Measured on dht-bench: 50 us left the gaps between a lookup's
    /// steps to sleeps, 200 us cut CPU per get by a fifth, and longer bought nothing. An
    /// idle poller still sleeps; a node that hears a datagram a second spins 0.02% of it.
    private static let spinNanoseconds: UInt64 = 200_000

    private let epollFD: Int32
    /// Set when the shared poller could not create its epoll instance; reported at bind time,
    /// because a static property has nowhere to throw.
    private let creationError: SocketError?
    private let state = Mutex(State())
    private let tokens = Atomic<UInt64>(1)
    /// The earliest tick a transport asked for since the last scan; lets a wake-up
    /// requested from another thread cut short a long wait for the next scan.
    private let requestedScan = Atomic<UInt64>(.max)
    /// Ticks scheduled from any thread, waiting for the poller thread to take them into its
    /// schedule, which only that thread touches. Apart from `state`, which each readable
    /// socket's lookup takes, so a wake never waits on that traffic.
    private let tickRequests = Mutex<[TickSchedule<UDPTransport>.Request]>([])

    private struct Entry {
        /// Weak so a transport dropped without close() still deinitialises (and closes itself).
        weak var transport: UDPTransport?
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        /// Deregistered descriptors that only the poller thread may close; see `deregister`.
        var pendingClose: [Int32] = []
        var threadRunning = false
    }

    /// Creates a private poller with its own thread, e.g. to spread nodes over two cores.
    public init() throws {
        (epollFD, creationError) = Self.createEpoll()
        if let creationError { throw creationError }
    }

    private init(recordingFailure: Void) {
        (epollFD, creationError) = Self.createEpoll()
    }

    private static func createEpoll() -> (Int32, SocketError?) {
        let fd = Epoll.create(Int32(O_CLOEXEC))
        return fd >= 0 ? (fd, nil) : (fd, SocketError(call: "epoll_create1", code: errno))
    }

    deinit {
        // Only reached once the thread has exited, since the thread keeps the poller alive.
        if epollFD >= 0 { _ = close(epollFD) }
    }

    /// A fresh epoll key. Tokens, not fds, identify sockets, so a stale event can never be
    /// mistaken for a new socket that happened to get a recycled descriptor number.
    func makeToken() -> UInt64 {
        tokens.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Adds a socket to epoll with no events yet (reading starts with `enableReading`), and makes
    /// sure the thread runs. Throws here, at bind time, because start() cannot throw.
    func register(_ transport: UDPTransport, token: UInt64, fd: Int32) throws(SocketError) {
        if let creationError { throw creationError }
        try state.withLock { state throws(SocketError) in
            guard Epoll.control(epollFD, Epoll.add, fd, events: 0, token: token) == 0 else {
                throw SocketError(call: "epoll_ctl", code: errno)
            }
            if !state.threadRunning {
                do throws(SocketError) {
                    try spawnThread()
                } catch {
                    _ = Epoll.control(epollFD, Epoll.delete, fd, events: 0, token: token)
                    throw error
                }
                state.threadRunning = true
            }
            state.entries[token] = Entry(transport: transport)
            // Due at once: the first scan picks its first tick, as before there was a heap.
            tickRequests.withLock { $0.append(TickSchedule.Request(transport, at: 0)) }
        }
    }

    /// Starts readiness reports. Deferred until a delegate exists, because level-triggered epoll
    /// would otherwise spin on data nobody is ready to take.
    func enableReading(token: UInt64, fd: Int32) {
        state.withLock { state in
            guard state.entries[token] != nil else { return }
            _ = Epoll.control(epollFD, Epoll.modify, fd, events: Epoll.readable, token: token)
        }
    }

    /// Removes a socket and hands its fd to the poller thread to close; false if it was never
    /// registered (the caller then closes it). The poller may be mid-recvfrom on this fd right
    /// now, so closing here could let the number be reused and read by the wrong socket.
    func deregister(token: UInt64, fd: Int32) -> Bool {
        state.withLock { state in
            guard state.entries.removeValue(forKey: token) != nil else { return false }
            _ = Epoll.control(epollFD, Epoll.delete, fd, events: 0, token: token)
            state.pendingClose.append(fd)
            return true
        }
    }

    private func spawnThread() throws(SocketError) {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let poller = Unmanaged<UDPPoller>.fromOpaque(raw).takeRetainedValue()
            poller.run()
            return nil
        }, context)
        guard result == 0 else {
            Unmanaged<UDPPoller>.fromOpaque(context).release()
            throw SocketError(call: "pthread_create", code: result)
        }
        _ = pthread_detach(thread)
    }

    /// Schedules `transport` to tick at `nanoseconds` on CLOCK_MONOTONIC, from any thread; the
    /// transport has already made that its `scheduledTick`. Queued before the scan is requested,
    /// so a scan that clears the request has the entry too (it takes the queue after clearing).
    func scheduleTick(_ transport: UDPTransport, at nanoseconds: UInt64) {
        tickRequests.withLock { $0.append(TickSchedule.Request(transport, at: nanoseconds)) }
        var current = requestedScan.load(ordering: .relaxed)
        while nanoseconds < current {
            let (exchanged, original) = requestedScan.compareExchange(expected: current, desired: nanoseconds, ordering: .relaxed)
            if exchanged { return }
            current = original
        }
    }

    /// The thread body: close what was deregistered, wait, drain ready sockets, tick.
    private func run() {
        let inbox = DatagramBatch()
        let outbox = DatagramBatch()
        let events = UnsafeMutableRawBufferPointer.allocate(
            byteCount: Epoll.eventStride * Self.eventCapacity, alignment: MemoryLayout<UInt64>.alignment)
        defer { events.deallocate() }
        var nextTickScan: UInt64 = 0
        var schedule = TickSchedule<UDPTransport>()
        var incoming: [TickSchedule<UDPTransport>.Request] = []
        var lastTraffic: UInt64 = 0
        while true {
            // Safe point: no reference to any fd from the previous batch is still live.
            let (closing, keepRunning, registered) = state.withLock { state in
                let fds = state.pendingClose
                state.pendingClose.removeAll(keepingCapacity: true)
                if state.entries.isEmpty { state.threadRunning = false }
                return (fds, state.threadRunning, state.entries.count)
            }
            for fd in closing { _ = close(fd) }
            guard keepRunning else { return }

            nextTickScan = min(nextTickScan, requestedScan.load(ordering: .relaxed))
            let now = monotonicNanoseconds()
            let wait = nextTickScan > now ? min(nextTickScan - now, Self.maxWaitNanoseconds) : 0
            let spinning = now &- lastTraffic < Self.spinNanoseconds
            let timeout = spinning ? 0 : Int32((wait + 999_999) / 1_000_000)
            let ready = Epoll.wait(epollFD, events, capacity: Self.eventCapacity, timeoutMilliseconds: timeout)
            if ready > 0 {
                lastTraffic = now
            } else if spinning {
                // Let a runnable thread (a lookup's caller, say) have the core while we wait.
                sched_yield()
            }
            for index in 0..<max(Int(ready), 0) {
                let token = Epoll.token(in: events, at: index)
                guard let transport = state.withLock({ $0.entries[token]?.transport }) else { continue }
                transport.drainReadable(into: inbox, outbox: outbox, limit: Self.drainLimit)
            }
            let after = monotonicNanoseconds()
            if after >= nextTickScan {
                // Cleared before the scan, so a request made during it is kept for the next.
                requestedScan.store(.max, ordering: .relaxed)
                nextTickScan = tickDue(now: after, schedule: &schedule, incoming: &incoming, live: registered)
            }
        }
    }

    /// Ticks the transports that are due, taking in the ticks scheduled since the last scan first;
    /// returns when to look again. Never sooner than tickGranularity: with many transports some
    /// tick is always nearly due, and waking for each would cost more than the datagrams under
    /// load. `incoming` is a buffer kept between scans so a scan allocates nothing.
    private func tickDue(now: UInt64, schedule: inout TickSchedule<UDPTransport>,
                         incoming: inout [TickSchedule<UDPTransport>.Request], live: Int) -> UInt64 {
        tickRequests.withLock { swap(&$0, &incoming) }
        for request in incoming { schedule.insert(request) }
        incoming.removeAll(keepingCapacity: true)
        schedule.runDue(now: now) { $0.tick(now: now) }
        schedule.compact(live: live)
        let next = min(schedule.earliest ?? .max, now + Self.maxWaitNanoseconds)
        return max(next, now + Self.tickGranularity)
    }
}

/// CLOCK_MONOTONIC in nanoseconds: immune to wall-clock jumps, which would skip or burst ticks.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    _ = clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(max(now.tv_sec, 0)) &* 1_000_000_000 &+ UInt64(max(now.tv_nsec, 0))
}

/// The three epoll calls, through the CLinux module map (Swift's Glibc module leaves
/// <sys/epoll.h> out), so the kernel's struct layout comes from the header, not from us.
enum Epoll {
    static let add = EPOLL_CTL_ADD
    static let delete = EPOLL_CTL_DEL
    static let modify = EPOLL_CTL_MOD
    static let readable = EPOLLIN.rawValue
    static let eventStride = MemoryLayout<epoll_event>.stride

    static func create(_ flags: Int32) -> Int32 { epoll_create1(flags) }

    static func control(_ epollFD: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, token: UInt64) -> Int32 {
        var event = epoll_event()
        event.events = events
        event.data.u64 = token
        return epoll_ctl(epollFD, operation, fd, &event)
    }

    /// epoll_wait; a negative result (EINTR included) is treated by the caller as "nothing ready".
    static func wait(_ epollFD: Int32, _ events: UnsafeMutableRawBufferPointer, capacity: Int,
                     timeoutMilliseconds: Int32) -> Int32 {
        guard let base = events.baseAddress else { return -1 }
        return epoll_wait(epollFD, base.assumingMemoryBound(to: epoll_event.self), Int32(capacity), timeoutMilliseconds)
    }

    /// The token stored with the `index`th ready event.
    static func token(in events: UnsafeMutableRawBufferPointer, at index: Int) -> UInt64 {
        events.loadUnaligned(fromByteOffset: index * eventStride, as: epoll_event.self).data.u64
    }
}
