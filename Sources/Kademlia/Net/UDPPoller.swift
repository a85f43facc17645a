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
    private static let eventCapacity = 256

    private let epollFD: Int32
    /// Set when the shared poller could not create its epoll instance; reported at bind time,
    /// because a static property has nowhere to throw.
    private let creationError: SocketError?
    private let state = Mutex(State())
    private let tokens = Atomic<UInt64>(1)

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
        guard let epoll = Epoll.api else { return (-1, SocketError(call: "dlsym(epoll)", code: ENOSYS)) }
        let fd = epoll.create(Int32(O_CLOEXEC))
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

    /// The thread body: close what was deregistered, wait, drain ready sockets, tick.
    private func run() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: UDPTransport.receiveBufferSize, alignment: MemoryLayout<UInt64>.alignment)
        defer { buffer.deallocate() }
        let events = UnsafeMutableRawBufferPointer.allocate(
            byteCount: Epoll.eventStride * Self.eventCapacity, alignment: MemoryLayout<UInt64>.alignment)
        defer { events.deallocate() }
        var nextTickScan: UInt64 = 0
        while true {
            // Safe point: no reference to any fd from the previous batch is still live.
            let (closing, keepRunning) = state.withLock { state in
                let fds = state.pendingClose
                state.pendingClose.removeAll(keepingCapacity: true)
                if state.entries.isEmpty { state.threadRunning = false }
                return (fds, state.threadRunning)
            }
            for fd in closing { _ = close(fd) }
            guard keepRunning else { return }

            let now = monotonicNanoseconds()
            let wait = nextTickScan > now ? min(nextTickScan - now, Self.maxWaitNanoseconds) : 0
            let timeout = Int32((wait + 999_999) / 1_000_000)
            let ready = Epoll.wait(epollFD, events, capacity: Self.eventCapacity, timeoutMilliseconds: timeout)
            for index in 0..<max(Int(ready), 0) {
                let token = Epoll.token(in: events, at: index)
                guard let transport = state.withLock({ $0.entries[token]?.transport }) else { continue }
                transport.drainReadable(into: buffer, limit: Self.drainLimit)
            }
            let after = monotonicNanoseconds()
            if after >= nextTickScan { nextTickScan = tickDue(now: after) }
        }
    }

    /// Ticks every transport whose interval has elapsed; returns when to look again.
    private func tickDue(now: UInt64) -> UInt64 {
        let transports = state.withLock { state in state.entries.values.compactMap(\.transport) }
        var next = now + Self.maxWaitNanoseconds
        for transport in transports {
            next = min(next, transport.tickIfDue(now: now))
        }
        return next
    }
}

/// CLOCK_MONOTONIC in nanoseconds: immune to wall-clock jumps, which would skip or burst ticks.
func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    _ = clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(max(now.tv_sec, 0)) &* 1_000_000_000 &+ UInt64(max(now.tv_nsec, 0))
}

/// epoll reached through dlsym: Swift's Glibc module does not import <sys/epoll.h>, and a C shim
/// target would be one more thing for every user of this library to build. Values are Linux ABI.
enum Epoll {
    typealias Create = @Sendable @convention(c) (Int32) -> Int32
    typealias Control = @Sendable @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias Wait = @Sendable @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32

    /// The three entry points, or nil if the C library does not export them.
    struct API: Sendable {
        let create: Create
        fileprivate let control: Control
        fileprivate let wait: Wait
    }

    static let api: API? = {
        guard let create = dlsym(nil, "epoll_create1"), let control = dlsym(nil, "epoll_ctl"),
              let wait = dlsym(nil, "epoll_wait") else { return nil }
        return API(create: unsafeBitCast(create, to: Create.self), control: unsafeBitCast(control, to: Control.self),
                   wait: unsafeBitCast(wait, to: Wait.self))
    }()

    static let add: Int32 = 1
    static let delete: Int32 = 2
    static let modify: Int32 = 3
    static let readable: UInt32 = 1
    #if arch(x86_64)
    /// x86-64 declares struct epoll_event packed: events at 0, data at 4, 12 bytes each.
    static let eventStride = 12
    private static let dataOffset = 4
    #else
    static let eventStride = 16
    private static let dataOffset = 8
    #endif

    /// epoll_ctl with the event laid out by hand (see eventStride).
    static func control(_ epollFD: Int32, _ operation: Int32, _ fd: Int32, events: UInt32, token: UInt64) -> Int32 {
        guard let api else { return -1 }
        return withUnsafeTemporaryAllocation(byteCount: 16, alignment: 8) { event in
            event.storeBytes(of: events, toByteOffset: 0, as: UInt32.self)
            event.storeBytes(of: token, toByteOffset: dataOffset, as: UInt64.self)
            return api.control(epollFD, operation, fd, event.baseAddress)
        }
    }

    /// epoll_wait; a negative result (EINTR included) is treated by the caller as "nothing ready".
    static func wait(_ epollFD: Int32, _ events: UnsafeMutableRawBufferPointer, capacity: Int,
                     timeoutMilliseconds: Int32) -> Int32 {
        guard let api else { return -1 }
        return api.wait(epollFD, events.baseAddress, Int32(capacity), timeoutMilliseconds)
    }

    /// The token stored with the `index`th ready event.
    static func token(in events: UnsafeMutableRawBufferPointer, at index: Int) -> UInt64 {
        events.loadUnaligned(fromByteOffset: index * eventStride + dataOffset, as: UInt64.self)
    }
}
