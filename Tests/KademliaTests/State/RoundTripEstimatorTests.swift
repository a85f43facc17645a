@testable import Kademlia
@testable import KademliaCore
import Testing

@Suite("Round-trip estimate and stall timeout")
struct RoundTripEstimatorTests {
    @Test("before any sample the stall timeout is the ceiling")
    func noSamples() {
        #expect(RoundTripEstimator().stallTimeout(floor: .milliseconds(50), ceiling: .milliseconds(500)) == .milliseconds(500))
    }

    @Test("steady fast round trips bring it down to the floor; slow ones up to the ceiling")
    func followsTheNetwork() {
        var fast = RoundTripEstimator()
        for _ in 0..<50 { fast.record(.microseconds(100)) }
        #expect(fast.stallTimeout(floor: .milliseconds(50), ceiling: .milliseconds(500)) == .milliseconds(50))
        var slow = RoundTripEstimator()
        for _ in 0..<50 { slow.record(.milliseconds(300)) }
        let timeout = slow.stallTimeout(floor: .milliseconds(50), ceiling: .seconds(5))
        #expect(timeout > .milliseconds(300) && timeout < .milliseconds(400), "srtt plus a small deviation")
    }

    @Test("a write asks no spares where every query is answered, as many as the silent share predicts where some are not, and none again once they answer")
    func sparesFollowTheUnansweredShare() {
        var estimator = RoundTripEstimator()
        #expect(estimator.spares(k: 8, limit: 3) == 0, "nothing sent yet")
        for _ in 0..<400 { estimator.record(.milliseconds(100)) }
        #expect(estimator.spares(k: 8, limit: 3) == 0, "everyone answers: a spare would only be one more query")
        for _ in 0..<100 { estimator.recordUnanswered() }
        #expect(estimator.unansweredShare == 0.2)
        #expect(estimator.spares(k: 8, limit: 3) == 2, "a fifth silent: about 2 of the K, so 2 spares")
        #expect(estimator.spares(k: 8, limit: 1) == 1, "never past the limit")
        for _ in 0..<5000 { estimator.record(.milliseconds(100)) }
        #expect(estimator.unansweredShare < 0.01)
        #expect(estimator.spares(k: 8, limit: 3) == 0, "old silences fade as answers come")
    }
}
