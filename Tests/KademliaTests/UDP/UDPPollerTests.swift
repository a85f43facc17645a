import Synchronization
import Testing
@testable import Kademlia
@testable import KademliaCore

/// Counts ticks and ignores datagrams.
private final class TickCounter: TransportDelegate {
    let ticks = Atomic<Int>(0)

    var count: Int { ticks.load(ordering: .relaxed) }

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {}

    func transportTick() {
        ticks.wrappingAdd(1, ordering: .relaxed)
    }
}

@Suite struct UDPPollerTests {
    @Test func aWakeFromAnotherThreadCutsALongWaitShort() async throws {
        let poller = try UDPPoller()
        let transport = try UDPTransport.bind(host: "127.0.0.1", port: 0, poller: poller, tickInterval: .seconds(60))
        defer { transport.close() }
        let counter = TickCounter()
        transport.start(delegate: counter)
        // The first scan picks the first tick, a minute away; the poller then sleeps its longest.
        #expect(await eventually { (transport.scheduledTick ?? 0) != 0 })
        let asked = monotonicNanoseconds()
        await Task.detached {
            transport.wake(at: Timestamp(nanoseconds: Int64(asked) + 30_000_000))
        }.value
        #expect(await eventually(within: .seconds(2)) { counter.count == 1 })
        #expect(monotonicNanoseconds() >= asked + 30_000_000)
        // The woken tick does not bring the regular ones forward with it.
        try await Task.sleep(for: .milliseconds(100))
        #expect(counter.count == 1)
    }

    @Test func manyTransportsOnOnePollerTickAtTheirOwnPace() async throws {
        let poller = try UDPPoller()
        var fast: [(transport: UDPTransport, counter: TickCounter)] = []
        for _ in 0..<200 {
            let transport = try UDPTransport.bind(host: "127.0.0.1", port: 0, poller: poller, tickInterval: .milliseconds(20))
            let counter = TickCounter()
            transport.start(delegate: counter)
            fast.append((transport, counter))
        }
        let slow = try UDPTransport.bind(host: "127.0.0.1", port: 0, poller: poller, tickInterval: .seconds(60))
        let inSlow = TickCounter()
        slow.start(delegate: inSlow)
        defer { slow.close(); fast.forEach { $0.transport.close() } }
        #expect(await eventually { fast.allSatisfy { $0.counter.count >= 5 } })
        #expect(inSlow.count == 0)

        // Closing half leaves the others ticking, and the closed ones silent (once a tick the
        // poller held at close() has had its chance to land).
        let (closed, open) = (fast.prefix(100).map(\.counter), fast.suffix(100).map(\.counter))
        for entry in fast.prefix(100) { entry.transport.close() }
        var marks = open.map { $0.count + 2 }
        #expect(await eventually { zip(open, marks).allSatisfy { $0.count >= $1 } })
        let closedCounts = closed.map(\.count)
        marks = open.map { $0.count + 3 }
        #expect(await eventually { zip(open, marks).allSatisfy { $0.count >= $1 } })
        #expect(closed.map(\.count) == closedCounts)
    }
}
