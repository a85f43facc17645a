import Kademlia
import Synchronization
import Testing
import KademliaTestKit

/// Counts ticks and lets a task wait for the first.
private final class TickWaiter: TransportDelegate {
    private let state = Mutex<(ticks: Int, waiter: CheckedContinuation<Void, Never>?)>((0, nil))

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {}

    func transportTick() {
        let waiter = state.withLock { state in
            state.ticks += 1
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Returns once a tick has come.
    func firstTick() async {
        await withCheckedContinuation { continuation in
            let ticked = state.withLock { state in
                guard state.ticks == 0 else { return true }
                state.waiter = continuation
                return false
            }
            if ticked { continuation.resume() }
        }
    }
}

/// `MemoryNetwork.run` on the instant network, which moves time only while something waits.
@Suite struct InstantRunTests {
    /// A wake-up asked for a moment already past, long after any datagram was lost: the
    /// 2,000-node churn day hung on one now and then on a busy machine (its asker had read
    /// the clock, then waited for a thread while the run moved time on). Before the fix
    /// this test spun for good: the run's loop does not heed the time limit.
    @Test(.timeLimit(.minutes(1))) func aWakeUpAlreadyDueIsTickedWhateverTheHorizon() async {
        let network = MemoryNetwork()
        network.advance(by: .seconds(60))
        let before = network.clock.now()
        let transport = network.makeTransport()
        let delegate = TickWaiter()
        transport.start(delegate: delegate)
        await network.run {
            transport.wake(at: network.clock.now() - .milliseconds(500))
            await delegate.firstTick()
        }
        #expect(network.clock.now() == before, "no time passed: the wake-up was due")
    }
}
