import Kademlia
import KademliaTestKit
import Synchronization
import Testing

/// What a node says about joining: once when asked, not on every rejoin of a small network.
@Suite(.timeLimit(.minutes(1))) struct JoinLogTests {
    /// Keeps every record a node logs.
    final class Records: Sendable {
        private let kept = Mutex<[LogRecord]>([])
        var all: [LogRecord] { kept.withLock { $0 } }
        func sink() -> LogSink { { record in self.kept.withLock { $0.append(record) } } }
    }

    @Test func rejoinsInANetworkSmallerThanKLogOnlyAtDebug() async throws {
        var cluster = MemoryCluster(seed: 19)
        await cluster.grow(to: 3)
        let records = Records()
        var configuration = cluster.configuration
        configuration.log = records.sink()
        configuration.logLevel = .debug
        configuration.rejoinInitialDelay = .seconds(1)
        configuration.rejoinMaximumDelay = .seconds(8)
        cluster.configuration = configuration
        let joiner = cluster.makeNode()
        let first = cluster.nodes[0].address
        let joined = await cluster.network.run { try? await joiner.bootstrap([first]) }
        #expect(joined?.contacts == 3)
        // Fewer than K contacts: the node keeps rejoining through its seed, as it should.
        await cluster.pass(.seconds(120))
        let joins = records.all.filter { $0.message.hasPrefix("joined: ") }
        #expect(joins.count > 3, "rejoins happened: \(joins.count)")
        #expect(joins.filter { $0.level >= .info }.count == 1, "said once at info, when asked")
        #expect(joins.first?.message == "joined: 3 contacts known" && joins.first?.fields == [.count("contacts", 3)])
    }
}
