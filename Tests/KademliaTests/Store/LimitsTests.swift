import Synchronization
import Testing
@testable import Kademlia
@testable import KademliaCore

/// The pure limits: store quotas, rate limits, pacing, table diversity, lookup bounds.
@Suite struct LimitsTests {
    private func address(_ ip: UInt32, _ port: UInt16 = 6881) -> SocketAddress { SocketAddress(ip: ip, port: port) }

    @Test func sourcesAreHostsAndNetworks() {
        let a = address(0x0A00_0005), b = address(0x0A00_00FE, 9)
        #expect(TrafficSource.network(a, relaxLoopback: true) == TrafficSource.network(b, relaxLoopback: true), "one /24")
        #expect(TrafficSource.host(a, relaxLoopback: true) != TrafficSource.host(b, relaxLoopback: true))
        let local1 = address(0x7F00_0001, 8001), local2 = address(0x7F00_0001, 8002)
        #expect(TrafficSource.host(local1, relaxLoopback: true) != TrafficSource.host(local2, relaxLoopback: true))
        #expect(TrafficSource.host(local1, relaxLoopback: false) == TrafficSource.host(local2, relaxLoopback: false))
        #expect(TrafficSource.network(address(0x7F00_0002), relaxLoopback: false) != TrafficSource.network(address(0x7F00_0003), relaxLoopback: false),
                "each loopback address is a host of its own")
        #expect("\(TrafficSource.network(a, relaxLoopback: true))" == "10.0.0.0/24")
    }

    @Test func oneSourceGetsItsShareAndTheStoreItsCeiling() {
        var limits = NodeLimits()
        limits.maxStoredValues = 100
        limits.maxShareOfStorePerSource = 0.125
        var store = ValueStore()
        var refusedShare = 0, refusedFull = 0
        for sourceIndex in 0..<20 {
            let source = TrafficSource.network(address(0x0A00_0000 | UInt32(sourceIndex) << 8 | 5), relaxLoopback: true)
            for index in 0..<20 {
                let target = NodeID(key: "s\(sourceIndex)-\(index)")
                switch store.admission(cost: 300, for: target, from: source, asReplica: true, limits: limits) {
                case .admit: _ = store.store([1], seq: 0, for: target, now: start, source: source)
                case .sourceOverQuota: refusedShare += 1
                case .full: refusedFull += 1
                case .admitEvicting: Issue.record("no cache to evict")
                }
            }
        }
        #expect(store.count == 100, "the ceiling")
        // Sources 0 and 1 stored all 20 while the store was under half full (40 held);
        // source 2 took 10 more to reach 50, then its share; sources 3 to 6 their share of
        // 12 each, to the ceiling, cut at 12 of 20 like source 2.
        #expect(refusedShare == 5 * 8, "past half full, a source is cut at its share")
        #expect(refusedFull == 20 * 20 - 100 - refusedShare)
        #expect(store.entry(for: NodeID(key: "s0-19"), now: start) != nil, "nothing stored earlier was evicted")
    }

    @Test func oneNetworksFloodLeavesHalfTheStoreToTheOthers() {
        var limits = NodeLimits()
        limits.maxStoredValues = 1000
        var store = ValueStore()
        let flood = TrafficSource.network(address(0x0A00_0005), relaxLoopback: true)
        var admitted = 0
        for index in 0..<1000 {
            let target = NodeID(key: "flood \(index)")
            guard store.admission(cost: 300, for: target, from: flood, asReplica: true, limits: limits) == .admit else { continue }
            _ = store.store([1], seq: 0, for: target, now: start, source: flood)
            admitted += 1
        }
        #expect(admitted == 500, "past its share of 125 only while the store was under half full")
        let honest = TrafficSource.network(address(0x0B00_0005), relaxLoopback: true)
        #expect(store.admission(cost: 300, for: NodeID(key: "honest"), from: honest, asReplica: true, limits: limits) == .admit)
        let again = store.admission(cost: 300, for: NodeID(key: "flood again"), from: flood, asReplica: true, limits: limits)
        #expect(again == .sourceOverQuota)
    }

    @Test func valuesThisNodeIsResponsibleForPushOutCachesButNotReplicas() {
        var limits = NodeLimits()
        limits.maxStoredValues = 10
        limits.maxShareOfStorePerSource = 10
        var store = ValueStore()
        let source = TrafficSource.network(address(0x0A00_0005), relaxLoopback: true)
        for index in 0..<10 {
            _ = store.store([1], seq: 0, for: NodeID(key: "cache\(index)"), now: start, asReplica: false, source: source)
        }
        let far = store.admission(cost: 200, for: NodeID(key: "far"), from: source, asReplica: false, limits: limits)
        #expect(far == .full, "a cache never pushes out another")
        guard case .admitEvicting(let victim) = store.admission(cost: 200, for: NodeID(key: "mine"), from: source,
                                                              asReplica: true, limits: limits) else {
            Issue.record("a responsible value should push out a cache")
            return
        }
        #expect(store.isReplica(victim) == false)
        store.remove(victim)
        _ = store.store([1], seq: 0, for: NodeID(key: "mine"), now: start, asReplica: true, source: source)
        for index in 0..<9 { store.markReplica(NodeID(key: "cache\(index)")) }
        store.markReplica(NodeID(key: "cache9"))
        #expect(store.admission(cost: 200, for: NodeID(key: "other"), from: source, asReplica: true, limits: limits) == .full,
                "replicas are never pushed out")
    }

    @Test func theStoreTallyFollowsExpiryAndRemoval() {
        var store = ValueStore()
        let source = TrafficSource.network(address(0x0A00_0005), relaxLoopback: true)
        _ = store.store(Array(repeating: 1, count: 100), seq: 0, for: NodeID(key: "a"), key: Array("a".utf8), ttl: .seconds(10),
                        now: start, source: source)
        _ = store.store([2], seq: 0, for: NodeID(key: "b"), now: start, source: source)
        #expect(store.heldTotals.values == 2)
        #expect(store.heldTotals.bytes == 100 + 1 + 1 + 2 * NodeLimits.storedValueOverhead)
        store.removeExpired(now: start + .seconds(11))
        store.remove(NodeID(key: "b"))
        #expect(store.heldTotals.values == 0 && store.heldTotals.bytes == 0)
    }

    @Test func aFloodingHostIsAnsweredLessThenNotAtAll() {
        var limiter = RateLimiter(rate: 10, burst: 20, capacity: 4)
        let flooder = TrafficSource.host(address(0x0A00_0005), relaxLoopback: true)
        let quiet = TrafficSource.host(address(0x0A00_0105), relaxLoopback: true)
        var answered = 0
        // 1,000 queries a second for 10 seconds.
        for millisecond in 0..<10_000 {
            if limiter.allow(flooder, now: start + .milliseconds(Int64(millisecond))) { answered += 1 }
        }
        #expect(answered < 40, "the burst and a little more, then nothing: \(answered)")
        #expect({ limiter.allow(quiet, now: start + .seconds(10)) }(), "others are still served")
        // After quiet, the flooder's debt is paid and it is served again.
        #expect({ limiter.allow(flooder, now: start + .seconds(200)) }())
    }

    @Test func theSourceTableStaysBounded() {
        var limiter = RateLimiter(rate: 1, burst: 1, capacity: 100)
        for index in 0..<10_000 {
            _ = limiter.allow(.host(address(UInt32(0x0B00_0000 + index)), relaxLoopback: true), now: start)
        }
        #expect(limiter.count == 100)
    }

    @Test func sourcesWhoseBucketsRefilledAreForgottenAndDebtorsAreNot() {
        var limiter = RateLimiter(rate: 10, burst: 20, capacity: 4096)
        let debtor = TrafficSource.host(address(0x0C00_0001), relaxLoopback: true)
        for _ in 0..<100 { _ = limiter.allow(debtor, now: start) }
        // 500 hosts, one query each, 10 ms apart: each has refilled 0.1 s later.
        for index in 0..<500 {
            _ = limiter.allow(.host(address(UInt32(0x0B00_0000 + index)), relaxLoopback: true), now: start + .milliseconds(Int64(10 * index)))
            #expect(limiter.count <= 40, "the table holds the sources of the last refill time, not all: \(limiter.count)")
        }
        // 5 s on, the debtor (80 in debt, 10 a second back) still owes 30: it was not forgotten.
        #expect(!{ limiter.allow(debtor, now: start + .seconds(5)) }(), "still in debt, though 500 others came since")
    }

    @Test func whileTimeStandsStillSourcesThatSpentLittleAreForgottenAndOthersAreNot() {
        var limiter = RateLimiter(rate: 10, burst: 20, capacity: 4096)
        let spender = TrafficSource.host(address(0x0C00_0002), relaxLoopback: true)
        for _ in 0..<3 { _ = limiter.allow(spender, now: start) }
        // 500 hosts at the same instant, two queries each: each is within two tokens of full.
        for index in 0..<500 {
            let host = TrafficSource.host(address(UInt32(0x0B00_0000 + index)), relaxLoopback: true)
            _ = limiter.allow(host, now: start)
            _ = limiter.allow(host, now: start)
            #expect(limiter.count <= 4, "sources two tokens short are as good as new: \(limiter.count) held")
        }
        #expect(limiter.tokens(of: spender, now: start) == 17, "three tokens spent is more than is forgiven")
    }

    @Test func pacingSpacesQueriesToOneHostAndGivesUpPastTheLongestWait() {
        var pacer = RateLimiter(rate: 5, burst: 10, capacity: 16)
        let host = TrafficSource.host(address(0x0A00_0005), relaxLoopback: true)
        let times = (0..<20).compactMap { _ in pacer.schedule(host, now: start, maxDelay: .seconds(30)) }
        #expect(times.prefix(10).allSatisfy { $0 == start })
        #expect(times[10] == start + .milliseconds(200))
        #expect(times[19] == start + .seconds(2))
        #expect({ pacer.schedule(host, now: start, maxDelay: .seconds(1)) }() == nil, "2.2 s away is past a 1 s wait")
    }

    @Test func oneHostGetsOnePlaceAndOneNetworkTwoPerBucket() {
        var random = SeededGenerator(seed: 9)
        let local = NodeID.random(using: &random)
        var table = RoutingTable(localID: local, diversity: RoutingDiversity(perHost: 1, perNetworkPerBucket: 2, relaxLoopback: true),
                                 now: start)
        // Ids in bucket 159 (the far half), from one host.
        func farID() -> NodeID { local.randomID(inBucket: 159, using: &random) }
        let first = Contact(id: farID(), address: address(0x0A00_0005, 1000))
        #expect({ table.insert(first, now: start) }() == .added)
        for port in 1001...1100 {
            #expect({ table.insert(Contact(id: farID(), address: address(0x0A00_0005, UInt16(port))), now: start) }() == .refused)
        }
        #expect({ table.insert(Contact(id: farID(), address: address(0x0A00_0006)), now: start) }() == .added)
        #expect({ table.insert(Contact(id: farID(), address: address(0x0A00_0007)), now: start) }() == .refused, "a third from 10.0.0/24")
        #expect({ table.insert(Contact(id: farID(), address: address(0x0A00_0107)), now: start) }() == .added)
        // The verified contact keeps its place: a new id at its address, or its id at a new address, is turned away.
        #expect({ table.insert(Contact(id: farID(), address: first.address), now: start) }() == .refused)
        #expect({ table.insert(Contact(id: first.id, address: address(0x0C00_0001)), now: start) }() == .ignored)
        #expect(table.entry(for: first.id)?.contact == first)
        // A place freed by a removal is free again.
        table.remove(first.id)
        #expect({ table.insert(Contact(id: farID(), address: first.address), now: start) }() == .added)
        #expect(table.count == 3)
    }

    @Test func aLookupFedEndlessCloserContactsStops() {
        var random = SeededGenerator(seed: 4)
        let target = NodeID.random(using: &random)
        let seeds = (0..<8).map { _ in Contact(id: NodeID.random(using: &random), address: address(0x0A00_0001)) }
        var lookup = Lookup(target: target, seeds: seeds)
        var steps = 0
        while case .query(let contact) = lookup.next() {
            steps += 1
            // Every reply names 50 nodes closer than anything so far, none of which exist.
            let closer = (0..<50).map { _ in Contact(id: target.randomID(inBucket: max(0, 100 - steps), using: &random),
                                                     address: address(0x0A00_0002)) }
            lookup.onResponse(from: contact.id, closer: closer)
            if steps > 10_000 { break }
        }
        #expect(lookup.queried <= lookup.maxQueries, "\(lookup.queried) queries")
        #expect(steps <= 80)
    }

    @Test func overlongTokensAreNotUsed() {
        // A store sent back with a 1,400-byte token would outgrow a datagram (found by the fuzzer's harness).
        #expect(Response(id: .zero, token: Array(repeating: 1, count: Message.maxTokenSize)).usableToken?.count == Message.maxTokenSize)
        #expect(Response(id: .zero, token: Array(repeating: 1, count: 1400)).usableToken == nil)
        var outcome = LookupOutcome(target: .zero)
        outcome.record(Response(id: .zero, token: Array(repeating: 1, count: 33)), from: NodeID(key: "a"))
        #expect(outcome.tokens.isEmpty)
    }

    @Test func errorTextsAreCut() {
        let message = Message.error(.protocolError, String(repeating: "x", count: 100_000), transactionID: [1, 2])
        guard case .error(_, let text) = message.body else { return }
        #expect(text.count == Message.maxErrorText)
        #expect(message.encoded().count < 200)
    }

    @Test func theGateLetsThroughAtMostItsLimit() async {
        let gate = LookupGate(limit: 3)
        let running = Box()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<30 {
                group.addTask {
                    await gate.run {
                        running.value.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        try? await Task.sleep(for: .milliseconds(5))
                        running.value.withLock { $0.now -= 1 }
                    }
                }
            }
        }
        #expect(running.value.withLock { $0.most } == 3)
    }
}

/// Counts running tasks across task closures.
private final class Box: Sendable {
    let value = Mutex((now: 0, most: 0))
}
