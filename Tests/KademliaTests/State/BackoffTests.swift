import Testing
@testable import KademliaCore

/// The retry schedule a node keeps for rewriting a journal that lost records.
@Suite struct BackoffTests {
    @Test func triesAtOnceThenDoublesToTheCeilingAndStartsOverOnSuccess() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(60))
        #expect(backoff.isDue(now: start), "nothing failed yet: due at once")
        var now = start
        var waits: [Int64] = []
        for _ in 0..<9 {
            backoff.attempted(now: now)
            let next = backoff.nextAttempt ?? now
            #expect(!backoff.isDue(now: next - .milliseconds(1)))
            #expect(backoff.isDue(now: next))
            waits.append((next - now).totalNanoseconds / 1_000_000_000)
            now = next
        }
        #expect(waits == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        backoff.succeeded()
        #expect(backoff.isDue(now: now) && backoff.nextAttempt == nil)
        backoff.attempted(now: now)
        #expect(backoff.nextAttempt == now + .seconds(1))
    }
}
