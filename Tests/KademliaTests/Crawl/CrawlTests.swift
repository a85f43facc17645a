import Testing
@testable import KademliaCore

/// The crawl planner on virtual time, against a synthetic network whose nodes answer
/// from real routing tables (K=8 buckets holding whatever fits of every other node).
struct CrawlTests {
    /// A network of `count` nodes, each with a routing table filled from all the others.
    struct Network {
        var contacts: [Contact]
        var tables: [NodeID: RoutingTable]
        var loads: [NodeID: Int64]

        init(count: Int, seed: UInt64) {
            var random = SeededGenerator(seed: seed)
            contacts = (0..<count).map { index in
                Contact(id: NodeID.random(using: &random), address: SocketAddress(ip: 0x0A00_0000 + UInt32(index), port: 6881))
            }
            tables = [:]
            loads = [:]
            for contact in contacts {
                var table = RoutingTable(localID: contact.id, bucketSize: 8, now: .zero)
                for other in contacts.shuffled(using: &random) where other.id != contact.id {
                    _ = table.insert(other, now: .zero)
                }
                tables[contact.id] = table
                loads[contact.id] = Int64.random(in: 0...500, using: &random)
            }
        }
    }

    /// Runs `crawl` to its end: each ask is answered at once (or fails for `silent` nodes),
    /// time advancing by `step` per wait. Returns the crawl and the most queries out at once.
    static func drive(_ crawl: inout Crawl, on network: Network, silent: Set<NodeID> = [], step: Duration = .milliseconds(1)) -> (sends: [Timestamp], peak: Int) {
        var now = crawl.started
        var out: [(Contact, NodeID)] = []
        var sends: [Timestamp] = []
        var peak = 0
        while true {
            switch crawl.next(now: now) {
            case .ask(let contact, let target):
                out.append((contact, target))
                sends.append(now)
                peak = max(peak, out.count)
            case .finished:
                return (sends, peak)
            case .wait(let until):
                now = max(now + step, until ?? now)
                // Answer the oldest query out: replies come back while others are in flight.
                if !out.isEmpty {
                    let (contact, target) = out.removeFirst()
                    if silent.contains(contact.id) {
                        crawl.failed(contact.id, now: now)
                    } else if let table = network.tables[contact.id] {
                        crawl.answered(by: contact.id, load: network.loads[contact.id] ?? 0,
                                       nodes: table.closest(to: target, limit: 8), now: now)
                    }
                }
            }
        }
    }

    /// Every node of 600; at 2,000, a cluster nobody outside counts among its nearest can
    /// hide from the probes, so 99.5% (the figure the crawl promises; docs/PROTOCOL.md).
    @Test(arguments: [(600, UInt64(7)), (600, 8), (600, 9), (2_000, 10)])
    func aCrawlFindsEveryNodeAndEachOnesLoad(count: Int, seed: UInt64) {
        let network = Network(count: count, seed: seed)
        let local = network.contacts[0]
        var crawl = Crawl(local: local, localLoad: 3, seeds: network.tables[local.id]?.contacts ?? [], now: .zero, seed: seed)
        let (_, peak) = Self.drive(&crawl, on: network, step: .milliseconds(10))
        let found = Set(crawl.nodes.map(\.contact.id))
        #expect(found.isSubset(of: Set(network.contacts.map(\.id))))
        #expect(count <= 600 ? found.count == count : found.count * 1000 >= count * 995,
                "every node is found (\(found.count), \(crawl.queries) queries)")
        for node in crawl.nodes where !node.isLocal {
            #expect(node.state == .answered && node.load == network.loads[node.contact.id])
        }
        let progress = crawl.progress(now: .zero)
        #expect(!progress.isRunning && progress.answered == found.count && progress.failed == 0)
        #expect(crawl.queries <= count + count / 5, "one query per node, and the probes: \(crawl.queries)")
        #expect(peak <= crawl.limits.inFlight)
    }

    @Test func limitsBoundNodesQueriesAndPace() {
        let network = Network(count: 400, seed: 9)
        let local = network.contacts[0]
        let seeds = network.tables[local.id]?.contacts ?? []

        var few = Crawl(local: local, localLoad: 0, seeds: seeds, limits: CrawlLimits(maxNodes: 50), now: .zero)
        _ = Self.drive(&few, on: network)
        #expect(few.nodes.count == 50 && few.nodes.allSatisfy { $0.state == .answered })

        var thrifty = Crawl(local: local, localLoad: 0, seeds: seeds, limits: CrawlLimits(maxQueries: 30), now: .zero)
        _ = Self.drive(&thrifty, on: network)
        #expect(thrifty.queries == 30 && thrifty.nodes.count { $0.state == .answered } == 31)

        var paced = Crawl(local: local, localLoad: 0, seeds: seeds, limits: CrawlLimits(maxQueries: 40, inFlight: 4, queriesPerSecond: 10), now: .zero)
        let (sends, peak) = Self.drive(&paced, on: network, step: .milliseconds(1))
        let gaps = zip(sends.dropFirst(), sends).map { $0 - $1 }
        #expect(gaps.allSatisfy { $0 >= .milliseconds(100) }, "10 a second at most")
        #expect(peak <= 4)
    }

    @Test func silentNodesFailAndTheCrawlStillEnds() {
        let network = Network(count: 200, seed: 11)
        let local = network.contacts[0]
        let silent = Set(network.contacts.dropFirst().prefix(40).map(\.id))
        var crawl = Crawl(local: local, localLoad: 0, seeds: network.tables[local.id]?.contacts ?? [], now: .zero)
        _ = Self.drive(&crawl, on: network, silent: silent)
        let failed = Set(crawl.nodes.filter { $0.state == .failed }.map(\.contact.id))
        #expect(failed.isSubset(of: silent) && !failed.isEmpty)
        #expect(crawl.nodes.allSatisfy { $0.state == .answered || $0.state == .failed }, "nobody left waiting")
        #expect(crawl.nodes.filter { $0.state == .failed }.allSatisfy { $0.load == nil })
    }

    @Test func aNodeThatWasNeverAskedCannotAnswer() {
        let network = Network(count: 20, seed: 3)
        let local = network.contacts[0]
        var crawl = Crawl(local: local, localLoad: 0, seeds: [], now: .zero)
        crawl.answered(by: network.contacts[5].id, load: 9, nodes: network.contacts, now: .zero)
        #expect(crawl.nodes.count == 1, "an unasked reply teaches nothing")
        #expect(crawl.next(now: .zero) == .finished, "no seeds: nothing to crawl")
    }

    @Test func spreadIsMaxOverMean() {
        let spread = LoadSpread([2, 4, 6])
        #expect(spread.total == 12 && spread.max == 6 && spread.mean == 4 && spread.spread == 1.5)
        #expect(LoadSpread([]).spread == 0 && LoadSpread([0, 0]).spread == 0)
    }
}


