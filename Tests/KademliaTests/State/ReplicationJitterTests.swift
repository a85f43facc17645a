import Testing
@testable import KademliaCore
import KademliaTestKit

/// The stagger of holders' replication rounds (`NodeState.replicationJitter`): within the
/// first tenth of an interval, the holder with fewer contacts nearer the key goes first.
@Suite struct ReplicationJitterTests {
    @Test func eachRankDrawsFromItsOwnSliceOfTheTenth() {
        var generator = SeededGenerator(seed: 0x5A1C)
        var state = makeTestState(randomSeed: 7, localID: NodeID.random(using: &generator))
        let k = state.configuration.k
        let tenth = state.configuration.replicationInterval.totalNanoseconds / 10
        let slice = tenth / Int64(k + 1)
        for nearer in 0...(k + 2) {
            let rank = Int64(min(nearer, k))
            for _ in 0..<200 {
                let jitter = state.replicationJitter(nearer: nearer).totalNanoseconds
                #expect(jitter >= rank * slice && jitter < (rank + 1) * slice, "\(nearer) nearer: \(jitter) ns")
            }
        }
        let unranked = (0..<1000).map { _ in state.replicationJitter().totalNanoseconds }
        #expect(unranked.allSatisfy { (0..<tenth).contains($0) })
        #expect(unranked.contains { $0 >= tenth / 2 } && unranked.contains { $0 < tenth / 2 }, "spread over the tenth")
    }
}
