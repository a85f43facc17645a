import Foundation
import Synchronization
import Testing
@testable import Kademlia
@testable import KademliaCore

/// Real nodes on loopback under hostile traffic; 127.0.0.2, 127.0.0.3, ... stand in for
/// distinct hosts, so the victims count loopback strictly (`relaxLoopback` off).
@Suite(.serialized, .timeLimit(.minutes(2))) struct HostileNetworkTests {
    private func strict(_ change: (inout NodeLimits) -> Void = { _ in }) -> NodeConfiguration {
        var configuration = NodeConfiguration()
        configuration.limits.relaxLoopback = false
        change(&configuration.limits)
        return configuration
    }

    @Test func aStoreFloodFromManyAddressesStaysUnderTheCeilingAndIsAnsweredWithErrors() async throws {
        let victim = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: strict { limits in
            limits.maxStoredBytes = 1 << 20
            limits.queriesPerSecondPerHost = 1e6
            limits.queryBurstPerHost = 1e6
        })
        defer { victim.stop() }
        let attackers = try (2...21).map { try DHTNode.udp(port: 0, host: "127.0.0.\($0)") }
        defer { attackers.forEach { $0.stop() } }
        let outcomes = Outcomes()
        await withTaskGroup(of: Void.self) { group in
            for (index, attacker) in attackers.enumerated() {
                group.addTask {
                    guard case .success(let reply) = await attacker.request(.findValue(target: NodeID(key: "x")), to: victim.address),
                          let token = reply.token else { return }
                    for batch in 0..<50 {
                        let stores = (0..<10).map { item in
                            let key = "flood-\(index)-\(batch)-\(item)"
                            return OutboundQuery(query: .store(StoreRequest(token: token, target: NodeID(key: key),
                                                                            value: Array(repeating: 0x41, count: 1000), seq: 0,
                                                                            key: Array(key.utf8))),
                                                 address: victim.address, expectedID: victim.id)
                        }
                        for result in await attacker.requestAll(stores, for: .user) {
                            outcomes.value.withLock { outcome in
                                switch result {
                                case .success: outcome.stored += 1
                                case .failure(.remote(code: 202, _)): outcome.quota += 1
                                case .failure: outcome.other += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        let (stored, quota, other) = outcomes.value.withLock { ($0.stored, $0.quota, $0.other) }
        let held = victim.read { $0.store.heldTotals }
        #expect(held.bytes <= 1 << 20, "the ceiling holds: \(held)")
        #expect(held.values <= stored, "stores this node is responsible for pushed out cached copies")
        #expect(stored + quota + other == 20 * 500 && other == 0, "every store answered: \(stored) \(quota) \(other)")
        #expect(quota > 8_000, "the excess got error 202")
        #expect(stored > 700, "the store filled to its ceiling before refusing")
    }

    @Test func aQueryFloodFromOneAddressLeavesAnotherServed() async throws {
        let victim = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: strict())
        defer { victim.stop() }
        let flooder = try UDPSocket.open()
        defer { flooder.close() }
        try flooder.bind(to: SocketAddress(ipv4: "127.0.0.2", port: 0) ?? .loopback(port: 0))
        let stop = Atomic<Bool>(false)
        let sent = Atomic<Int>(0)
        let ping = Message(transactionID: [0xAA, 0xBB], body: .query(sender: NodeID(key: "flooder"), .ping)).encoded()
        // About 50,000 datagrams a second, over 15,000 times the per-host rate: enough to
        // starve an unprotected node, while leaving the tests running beside this one a core.
        // (`bench/flood` measures the full-speed flood.)
        let thread = Thread {
            var clock = ContinuousClock.now
            while !stop.load(ordering: .relaxed) {
                for _ in 0..<500 {
                    let ok = ping.withUnsafeBytes { (try? flooder.send($0, to: victim.address)) ?? false }
                    if ok { sent.add(1, ordering: .relaxed) }
                }
                clock += .milliseconds(10)
                let wait = clock - ContinuousClock.now
                if wait > .zero { usleep(UInt32(wait.components.attoseconds / 1_000_000_000_000)) }
            }
        }
        let floodStarted = ContinuousClock.now
        thread.start()
        let probe = try DHTNode.udp(port: 0, host: "127.0.0.3")
        defer { probe.stop() }
        var answered = 0
        for _ in 0..<100 {
            if case .success = await probe.request(.ping, to: victim.address) { answered += 1 }
            try await Task.sleep(for: .milliseconds(10))
        }
        stop.store(true, ordering: .relaxed)
        while !thread.isFinished { try await Task.sleep(for: .milliseconds(5)) }
        let flooded = ContinuousClock.now - floodStarted
        // The kernel drops what the victim's socket cannot queue, so the bound is on what
        // arrived and on what the victim sent back, not on what the flooder sent.
        let arrived = victim.counters.received.load(ordering: .relaxed)
        let refused = victim.counters.rateLimited.load(ordering: .relaxed)
        let repliesAllowed = NodeLimits().queryBurstPerHost
            + NodeLimits().queriesPerSecondPerHost * (Double(flooded.components.seconds) + 1)
        let repliesSent = victim.counters.sent.load(ordering: .relaxed)
        #expect(answered >= 95, "the second address was served during the flood: \(answered) of 100")
        #expect(arrived > 10_000, "a flood arrived: \(arrived) of \(sent.load(ordering: .relaxed)) sent")
        #expect(refused > arrived * 9 / 10, "\(refused) of the \(arrived) datagrams that arrived were refused")
        #expect(repliesSent <= Int(repliesAllowed) + 2 * answered + 50,
                "\(repliesSent) datagrams sent back over \(flooded), against \(Int(repliesAllowed)) the flooder's rate allows")
    }

    @Test func oneAddressWithManyIDsGetsOnePlace() async throws {
        let victim = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: strict())
        defer { victim.stop() }
        let sybils = try (0..<40).map { _ in try DHTNode.udp(port: 0, host: "127.0.0.2") }
        defer { sybils.forEach { $0.stop() } }
        let honest = try (3...10).map { try DHTNode.udp(port: 0, host: "127.0.0.\($0)") }
        defer { honest.forEach { $0.stop() } }
        for node in sybils + honest {
            _ = await node.request(.ping, to: victim.address)
        }
        let fromSybilHost = victim.knownContacts.filter { $0.address.ip == sybils[0].address.ip }
        #expect(fromSybilHost.count == 1, "\(fromSybilHost.count) places for one address")
        #expect(Set(victim.knownContacts.map(\.address.ip)).count == 9, "every honest host got in")
    }

    /// Other tests open and close descriptors meanwhile, so each node's own descriptor is
    /// followed by the socket it names ("socket:[inode]"), which is unique while open. The poller closes a stopped node's socket at its next safe point, within a second.
    @Test func startingAndStoppingTwoHundredNodesGivesEverySocketBackSoon() async throws {
        func socketName(_ fd: Int32) -> String? {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
        }
        let transports = try (0..<200).map { _ in try UDPTransport.bind(host: "127.0.0.1", port: 0) }
        let nodes = transports.map { DHTNode(transport: $0) }
        let sockets = transports.map { ($0.descriptor, socketName($0.descriptor)) }
        #expect(sockets.allSatisfy { $0.1?.hasPrefix("socket:[") == true })
        #expect(Set(sockets.map(\.1)).count == 200)
        for node in nodes { node.stop() }
        let deadline = ContinuousClock.now + .seconds(3)
        var stillOpen = sockets
        while !stillOpen.isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            stillOpen = sockets.filter { fd, name in socketName(fd) == name }
        }
        #expect(stillOpen.isEmpty, "\(stillOpen.count) of 200 sockets still open")
    }

    @Test func queriesToOneForeignHostArePaced() async throws {
        let target = try DHTNode.udp(port: 0, host: "127.0.0.2")
        defer { target.stop() }
        let sender = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: strict())
        defer { sender.stop() }
        let started = ContinuousClock.now
        let pings = (0..<15).map { _ in OutboundQuery(query: .ping, address: target.address, expectedID: nil) }
        let results = await sender.requestAll(pings, for: .user)
        let elapsed = ContinuousClock.now - started
        #expect(results.allSatisfy { if case .success = $0 { true } else { false } })
        // A burst of 10, then one every 333 ms: the fifteenth leaves after about 1.7 s.
        #expect(elapsed >= .milliseconds(900), "\(elapsed)")
        #expect(elapsed < .seconds(3), "\(elapsed)")
    }

    @Test func thePendingTableIsBounded() async throws {
        let silent = try UDPTransport.bind(host: "127.0.0.1", port: 0)
        defer { silent.close() }
        var configuration = NodeConfiguration()
        configuration.limits.maxPendingQueries = 10
        configuration.rpcTimeout = .milliseconds(300)
        let node = try DHTNode.udp(port: 0, host: "127.0.0.1", configuration: configuration)
        defer { node.stop() }
        let results = await node.requestAll((0..<25).map { _ in OutboundQuery(query: .ping, address: silent.localAddress, expectedID: nil) },
                                            for: .user)
        #expect(results.count { if case .failure(.cancelled) = $0 { true } else { false } } == 15, "refused at once")
        #expect(results.count { if case .failure(.timedOut) = $0 { true } else { false } } == 10)
    }
}

/// What the flood's stores got back, shared by the attackers' tasks.
private final class Outcomes: Sendable {
    let value = Mutex((stored: 0, quota: 0, other: 0))
}
