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
}
