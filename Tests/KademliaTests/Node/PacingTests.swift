import Testing
@testable import Kademlia
@testable import KademliaCore

/// The outbound pacer against libtorrent's ban rule: 50 datagrams from one IP within 10 s
/// and the IP is dropped for 5 minutes (MAINLINE.md, dos_blocker), queries and replies alike.
@Suite struct PacingTests {
    private let start = Timestamp(nanoseconds: 1_000_000_000)
    private let host = TrafficSource.host(SocketAddress(ip: 0x0B00_0001, port: 6881), relaxLoopback: false)

    /// The most datagrams in any 10-second window of `times`.
    private func busiestWindow(_ times: [Timestamp]) -> Int {
        let sorted = times.sorted()
        var most = 0, first = 0
        for (last, time) in sorted.enumerated() {
            while time - sorted[first] >= .seconds(10) { first += 1 }
            most = max(most, last - first + 1)
        }
        return most
    }

    @Test func queriesAsFastAsAllowedAndRepliesBetweenStayUnderTheBanThreshold() {
        let limits = NodeLimits()
        var pacer = RateLimiter(rate: limits.queriesPerSecondToHost, burst: limits.queryBurstToHost, capacity: 16)
        var sent: [Timestamp] = []
        // A lookup-heavy minute: 50 queries a second wanted, each queued behind the last
        // (those that would wait over 30 s fail); meanwhile the host queries us every 2 s
        // and we reply at once. Events run in time order, as on the node.
        for tick in 0..<6000 {
            let now = start + .milliseconds(10 * tick)
            if tick % 200 == 0 {
                pacer.consume(host, now: now)
                sent.append(now)
            }
            if tick % 2 == 0, let at = pacer.schedule(host, now: now, maxDelay: .seconds(30)) { sent.append(at) }
        }
        #expect(sent.count > 100, "the pacer still lets a steady stream through")
        #expect(busiestWindow(sent) < 50, "\(busiestWindow(sent)) datagrams in the busiest 10 s")
        #expect(busiestWindow(sent) <= 45, "a burst of 10, 30 more at 3 a second, and the replies already promised")
    }

    @Test func aQueryThatWouldWaitTooLongFailsAtOnce() {
        var pacer = RateLimiter(rate: 3, burst: 10, capacity: 16)
        var scheduled = 0
        while pacer.schedule(host, now: start, maxDelay: .seconds(30)) != nil { scheduled += 1 }
        #expect(scheduled == 10 + 90, "a burst, then 30 s at 3 a second")
    }
}
