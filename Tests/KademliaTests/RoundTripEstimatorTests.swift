@testable import Kademlia
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

    @Test("the send time is recorded when the waiter attaches, so a reply racing the arming measures a true RTT")
    func sendTimeKnownBeforeArming() async {
        var random = SeededGenerator(seed: 1)
        var pending = PendingRequests()
        let key = pending.reserve(to: .loopback(port: 1), using: &random)
        let sentAt = Timestamp(nanoseconds: 42_000)
        let result: RPCResult = await withCheckedContinuation { continuation in
            let attached = pending.attach(continuation, to: key, sentAt: sentAt)
            #expect(attached)
            let entry = pending.remove(key)
            #expect(entry?.sentAt == sentAt)
            entry?.continuation?.resume(returning: .failure(.cancelled))
        }
        #expect(result == .failure(.cancelled))
    }
}
