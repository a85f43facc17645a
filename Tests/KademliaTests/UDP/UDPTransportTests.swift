import Synchronization
import Testing
@testable import Kademlia
@testable import KademliaCore

/// Records what a transport delivers; optionally closes a transport from inside the callback.
private final class Recorder: TransportDelegate {
    struct Datagram: Equatable, Sendable {
        let bytes: [UInt8]
        let sender: SocketAddress
    }

    let inbox = Mutex<[Datagram]>([])
    let ticks = Atomic<Int>(0)
    let closeOnReceive = Mutex<UDPTransport?>(nil)

    var received: [Datagram] { inbox.withLock { $0 } }
    var tickCount: Int { ticks.load(ordering: .relaxed) }

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        inbox.withLock { $0.append(Datagram(bytes: Array(datagram), sender: sender)) }
        closeOnReceive.withLock { $0 }?.close()
    }

    func transportTick() {
        ticks.wrappingAdd(1, ordering: .relaxed)
    }
}

/// Sends every datagram straight back from inside the callback, as a node answers a query.
private final class Echo: TransportDelegate {
    let transport = Mutex<UDPTransport?>(nil)

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        transport.withLock { $0 }?.send(Array(datagram), to: sender)
    }

    func transportTick() {}
}

private func loopbackTransport(poller: UDPPoller = .shared) throws -> UDPTransport {
    try UDPTransport.bind(host: "127.0.0.1", port: 0, poller: poller)
}

@Suite struct UDPTransportTests {
    @Test func exchangesDatagramsBothWaysAndPoliceSize() async throws {
        let a = try loopbackTransport(), b = try loopbackTransport()
        defer { a.close(); b.close() }
        let inA = Recorder(), inB = Recorder()
        a.start(delegate: inA)
        b.start(delegate: inB)
        #expect(a.localAddress.ip == SocketAddress.loopback(port: 0).ip)
        #expect(a.localAddress.port != 0 && a.localAddress.port != b.localAddress.port)

        a.send([1, 2, 3], to: b.localAddress)
        b.send([4, 5], to: a.localAddress)
        #expect(await eventually { inB.received.count == 1 && inA.received.count == 1 })
        #expect(inB.received == [.init(bytes: [1, 2, 3], sender: a.localAddress)])
        #expect(inA.received == [.init(bytes: [4, 5], sender: b.localAddress)])

        let full = (0..<1500).map { UInt8(truncatingIfNeeded: $0 * 7) }
        a.send([], to: b.localAddress)
        a.send(full, to: b.localAddress)
        a.send([UInt8](repeating: 0xAB, count: 1600), to: b.localAddress)
        a.send([UInt8](repeating: 0xCD, count: 1501), to: b.localAddress)
        a.send([9], to: b.localAddress)
        #expect(await eventually { inB.received.last?.bytes == [9] })
        #expect(inB.received.map(\.bytes) == [[1, 2, 3], [], full, [9]])
        #expect(b.droppedDatagrams == 2, "one byte over the limit is as oversized as a hundred")
        #expect(a.droppedDatagrams == 0)
    }

    @Test func aBurstOfManyBatchesIsReadAndAnsweredInFullAndInOrder() async throws {
        let asker = try loopbackTransport(), echoer = try loopbackTransport()
        defer { asker.close(); echoer.close() }
        let replies = Recorder(), echo = Echo()
        echo.transport.withLock { $0 = echoer }
        asker.start(delegate: replies)
        echoer.start(delegate: echo)
        // More than the poller's drain limit and several recvmmsg/sendmmsg batches, in one burst.
        let burst = (0..<300).map { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
        for datagram in burst { asker.send(datagram, to: echoer.localAddress) }
        #expect(await eventually { replies.received.count == burst.count })
        #expect(replies.received.map(\.bytes) == burst)
        #expect(replies.received.allSatisfy { $0.sender == echoer.localAddress })
        #expect(asker.droppedDatagrams == 0 && echoer.droppedDatagrams == 0)
    }

    @Test func bindingATakenPortReportsAddressInUse() throws {
        let first = try loopbackTransport()
        defer { first.close() }
        let error = #expect(throws: SocketError.self) {
            _ = try UDPTransport.bind(host: "127.0.0.1", port: first.localAddress.port)
        }
        #expect(error?.isAddressInUse == true)
        #expect(error?.call == "bind")
        #expect(error?.description == "bind: Address already in use")
    }

    @Test func wildcardBindReportsLoopback() throws {
        let any = try UDPTransport.bind(port: 0)
        defer { any.close() }
        #expect(any.localAddress.ip == SocketAddress.loopback(port: 0).ip)
        #expect(any.localAddress.port != 0)
    }

    @Test func ticksArrive() async throws {
        let transport = try UDPTransport.bind(host: "127.0.0.1", port: 0, tickInterval: .milliseconds(20))
        defer { transport.close() }
        let recorder = Recorder()
        transport.start(delegate: recorder)
        #expect(await eventually(within: .seconds(1)) { recorder.tickCount >= 3 })
    }

    @Test func closeStopsDeliveryAndTicksAndIsIdempotent() async throws {
        let a = try loopbackTransport(), b = try loopbackTransport(), witness = try loopbackTransport()
        defer { a.close(); witness.close() }
        let inB = Recorder(), inWitness = Recorder()
        b.start(delegate: inB)
        witness.start(delegate: inWitness)
        a.send([1], to: b.localAddress)
        #expect(await eventually { inB.received.count == 1 })

        b.close()
        b.close()
        b.send([0], to: a.localAddress)
        #expect(b.droppedDatagrams == 1)
        // Ticks on the same poller show it has gone round its loop several times since close().
        let settled = inWitness.tickCount + 2
        #expect(await eventually { inWitness.tickCount >= settled })
        let ticksAfterClose = inB.tickCount
        a.send([2], to: b.localAddress)
        a.send([3], to: witness.localAddress)
        let later = inWitness.tickCount + 3
        #expect(await eventually { inWitness.received.count == 1 && inWitness.tickCount >= later })
        #expect(inB.received.map(\.bytes) == [[1]])
        #expect(inB.tickCount == ticksAfterClose)
    }

    @Test func closingFromInsideTheCallbackStopsTheBatch() async throws {
        let a = try loopbackTransport(), b = try loopbackTransport(), witness = try loopbackTransport()
        defer { a.close(); witness.close() }
        let inB = Recorder(), inWitness = Recorder()
        inB.closeOnReceive.withLock { $0 = b }
        b.start(delegate: inB)
        witness.start(delegate: inWitness)
        for byte: UInt8 in 1...5 { a.send([byte], to: b.localAddress) }
        a.send([0], to: witness.localAddress)
        #expect(await eventually { inWitness.received.count == 1 })
        let later = inWitness.tickCount + 3
        #expect(await eventually { inWitness.tickCount >= later })
        #expect(inB.received.map(\.bytes) == [[1]])
        b.close()

        // A socket bound now may reuse b's descriptor number; it must get only its own traffic.
        let reuse = try loopbackTransport()
        defer { reuse.close() }
        let inReuse = Recorder()
        reuse.start(delegate: inReuse)
        a.send([42], to: reuse.localAddress)
        #expect(await eventually { inReuse.received.count == 1 })
        #expect(inReuse.received == [.init(bytes: [42], sender: a.localAddress)])
    }

    @Test func neitherDelegateNorDroppedTransportIsRetained() async throws {
        weak var weakDelegate: Recorder?
        weak var weakTransport: UDPTransport?
        do {
            let transport = try loopbackTransport()
            let recorder = Recorder()
            transport.start(delegate: recorder)
            weakDelegate = recorder
            weakTransport = transport
        }
        #expect(await eventually { weakDelegate == nil && weakTransport == nil })
    }

    @Test func closeRacingSendsAndTrafficLeavesOthersWorking() async throws {
        let target = try loopbackTransport()
        defer { target.close() }
        let inTarget = Recorder()
        target.start(delegate: inTarget)
        for _ in 0..<50 {
            let victim = try loopbackTransport()
            let inVictim = Recorder()
            victim.start(delegate: inVictim)
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for _ in 0..<100 {
                        victim.send([1], to: target.localAddress)
                        target.send([2], to: victim.localAddress)
                    }
                }
                group.addTask { victim.close() }
            }
        }
        let fresh = try loopbackTransport()
        defer { fresh.close() }
        let inFresh = Recorder()
        fresh.start(delegate: inFresh)
        target.send([3], to: fresh.localAddress)
        #expect(await eventually { inFresh.received.count == 1 })
        #expect(inFresh.received == [.init(bytes: [3], sender: target.localAddress)])
    }

    @Test func hundredTransportsShareOnePoller() async throws {
        let poller = try UDPPoller()
        let sender = try loopbackTransport(poller: poller)
        let inSender = Recorder()
        sender.start(delegate: inSender)
        var transports: [UDPTransport] = []
        var recorders: [Recorder] = []
        for _ in 0..<100 {
            let transport = try loopbackTransport(poller: poller)
            let recorder = Recorder()
            transport.start(delegate: recorder)
            transports.append(transport)
            recorders.append(recorder)
        }
        defer { sender.close(); transports.forEach { $0.close() } }
        for (index, transport) in transports.enumerated() {
            sender.send([UInt8(index)], to: transport.localAddress)
            transport.send([UInt8(index)], to: sender.localAddress)
        }
        #expect(await eventually { recorders.allSatisfy { $0.received.count == 1 } })
        #expect(await eventually { inSender.received.count == 100 })
        for (index, recorder) in recorders.enumerated() {
            #expect(recorder.received == [.init(bytes: [UInt8(index)], sender: sender.localAddress)])
        }
        #expect(Set(inSender.received.map(\.sender)) == Set(transports.map(\.localAddress)))
    }
}

@Suite struct HostResolverTests {
    @Test func resolvesLocalhostAndEndpoints() throws {
        #expect(try HostResolver.resolve(host: "localhost", port: 7) == .loopback(port: 7))
        #expect(try HostResolver.resolve(endpoint: "127.0.0.1:8001") == .loopback(port: 8001))
        #expect(try HostResolver.resolve(endpoint: "localhost:65535") == .loopback(port: 65535))
        #expect(try HostResolver.resolve(host: "10.1.2.3", port: 1) == SocketAddress(ip: 0x0A01_0203, port: 1))
    }

    @Test(arguments: ["foo", "foo:", "foo:0", "foo:65536", "foo:99999", "foo:abc", "foo:+80", ":80"])
    func rejectsMalformedEndpoints(_ endpoint: String) {
        #expect {
            try HostResolver.resolve(endpoint: endpoint)
        } throws: { error in
            guard case .malformed = error as? ResolveError else { return false }
            return true
        }
    }

    @Test func malformedMessagesNameTheInput() {
        #expect(throws: ResolveError.malformed("missing port in 'foo'")) { try HostResolver.resolve(endpoint: "foo") }
        #expect(throws: ResolveError.malformed("bad port in 'foo:99999'")) {
            try HostResolver.resolve(endpoint: "foo:99999")
        }
    }

    @Test func unknownHostIsUnresolvableAndPrompt() {
        let clock = ContinuousClock()
        let start = clock.now
        #expect {
            try HostResolver.resolve(endpoint: "no-such-host.invalid:80")
        } throws: { error in
            guard case .unresolvable(let host, let reason) = error as? ResolveError else { return false }
            return host == "no-such-host.invalid" && !reason.isEmpty
        }
        #expect(clock.now - start < .seconds(3))
    }
}
