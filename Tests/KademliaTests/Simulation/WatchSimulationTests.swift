import Kademlia
import KademliaTestKit
import Synchronization
import Testing

/// `DHTNode.watch(key:)` on the in-memory network: every watcher sees every version in
/// order, pushed by the holders, and a watch that ends stops costing them anything.
@Suite("Watching keys, seeded", .timeLimit(.minutes(1)))
struct WatchSimulationTests {
    /// Reads `stream` until `isLast` holds for an event; returns every event read.
    private func collect(_ stream: AsyncStream<WatchEvent>, until isLast: @escaping @Sendable (WatchEvent) -> Bool) -> Task<[WatchEvent], Never> {
        Task {
            var seen: [WatchEvent] = []
            for await event in stream {
                seen.append(event)
                if isLast(event) { break }
            }
            return seen
        }
    }

    @Test("3 watchers on 100 nodes see 10 puts from anywhere and the delete, in order, without asking again")
    func watchersSeeEveryVersion() async throws {
        var cluster = MemoryCluster(seed: 44)
        await cluster.grow(to: 100)
        let watchers = (0..<3).map { _ in cluster.randomNode() }
        let first = try await cluster.put(from: cluster.randomNode(), key: "news", value: "v0")
        #expect(first.seq == 0)
        let streams = watchers.map { $0.watch(key: "news") }
        let other = watchers[0].watch(key: "unrelated")
        let readers = streams.map { collect($0) { $0.version?.isDeleted == true } }
        let quiet = collect(other) { _ in false }
        // Each watch's first round (a lookup and the listens) is under way; let it finish.
        try await Task.sleep(for: .milliseconds(200))
        let askedBefore = watchers.map(\.traffic.findValuesSent)

        for version in 1...10 {
            _ = try await cluster.put(from: cluster.randomNode(), key: "news", value: "v\(version)")
        }
        _ = try await cluster.randomNode().delete(key: "news")

        for (index, reader) in readers.enumerated() {
            let seen = await reader.value
            let seqs = seen.compactMap(\.version?.seq)
            #expect(seqs == Array(0...11), "watcher \(index) saw \(seqs)")
            #expect(seen.first?.version?.value == Array("v0".utf8) && seen.last?.version?.isDeleted == true)
            #expect(seen.dropFirst().dropLast().map { String(decoding: $0.version?.value ?? [], as: UTF8.self) }
                    == (1...10).map { "v\($0)" })
        }
        #expect(watchers.map(\.traffic.findValuesSent) == askedBefore, "the holders pushed; no watcher asked")
        quiet.cancel()
        let unrelated = await quiet.value
        #expect(unrelated.map(\.version) == [nil], "the other key: nothing stored, and nothing since")
    }
}
