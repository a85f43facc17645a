import Testing
@testable import KademliaCore

/// The per-host limit, answered through `HostFilter`: a "no" from the filter must be
/// certain, and a "maybe" must end in the same count a scan of the table gives.
@Suite("Host filter")
struct HostFilterTests {
    @Test("a filter never says no to a host it was given")
    func noFalseNo() {
        var generator = SeededGenerator(seed: 3)
        var filter = HostFilter()
        let hosts = (0..<500).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }
        for host in hosts { filter.insert(host) }
        #expect(hosts.allSatisfy { filter.mayContain($0) })
    }

    @Test("with 160 hosts in it, a filter says maybe to few strangers")
    func fewFalseMaybes() {
        var generator = SeededGenerator(seed: 4)
        var filter = HostFilter()
        for _ in 0..<160 { filter.insert(UInt64(UInt32.random(in: 0...UInt32.max, using: &generator)) << 16) }
        let strangers = (0..<10_000).count { _ in filter.mayContain(UInt64(UInt32.random(in: 0...UInt32.max, using: &generator)) << 16) }
        #expect(strangers < 1_200, "\(strangers) of 10,000 strangers were a maybe")
    }

    @Test("through thousands of inserts, failures and removals, a host is refused exactly when it holds its places",
          arguments: [1, 2])
    func perHostOracle(perHost: Int) {
        var generator = SeededGenerator(seed: UInt64(20 + perHost))
        let local = NodeID.random(using: &generator)
        let diversity = RoutingDiversity(perHost: perHost, perNetworkPerBucket: .max, relaxLoopback: false)
        var table = RoutingTable(localID: local, diversity: diversity, now: start)
        var refused = 0
        for step in 0..<6_000 {
            let now = start + .seconds(step)
            let roll = Int.random(in: 0..<10, using: &generator)
            if roll < 7 {
                let ip = 0x0A00_0000 | UInt32.random(in: 0..<300, using: &generator) << 8 | 1
                let id = local.randomID(inBucket: Int.random(in: 140..<160, using: &generator), using: &generator)
                let held = table.contacts.count { $0.address.ip == ip }
                let outcome = table.insert(Contact(id: id, address: SocketAddress(ip: ip, port: 6881)), now: now)
                #expect((outcome == .refused) == (held >= perHost), "step \(step): \(held) places held, \(outcome)")
                if outcome == .refused { refused += 1 }
            } else if let victim = table.contacts.randomElement(using: &generator) {
                if roll < 9 { table.recordFailure(of: victim.id) } else { table.remove(victim.id) }
            }
        }
        #expect(refused > 100, "the limit was exercised: \(refused) refusals")
        #expect(Dictionary(grouping: table.contacts, by: \.address.ip).values.allSatisfy { $0.count <= perHost })
    }
}
