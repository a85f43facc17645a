import Synchronization
import Testing
@testable import Kademlia

/// A stand-in transport: its current due time is whatever the test last scheduled, as a
/// UDPTransport's is whatever its last wake(at:) or tick made it.
private final class Ticker: TickScheduled {
    let name: String
    let interval: UInt64
    private let due = Mutex<UInt64?>(0)

    init(_ name: String, interval: UInt64 = 100) {
        self.name = name
        self.interval = interval
    }

    var scheduledTick: UInt64? { due.withLock { $0 } }

    /// Moves the due time and schedules it, as wake(at:) does.
    func schedule(at time: UInt64, in schedule: inout TickSchedule<Ticker>) {
        schedule.schedule(self, at: move(to: time))
    }

    /// Moves the due time without scheduling it, and returns it.
    func move(to time: UInt64) -> UInt64 {
        due.withLock { $0 = time }
        return time
    }

    /// Never ticks again, as a closed transport.
    func close() { due.withLock { $0 = nil } }

    /// The tick: the next due time is one interval after `now`.
    func tick(now: UInt64) -> UInt64 {
        move(to: now + interval)
    }
}

/// Runs what is due at `now` and returns who ticked, in order.
private func run(_ schedule: inout TickSchedule<Ticker>, now: UInt64) -> [String] {
    var ticked: [String] = []
    schedule.runDue(now: now) { ticker in
        ticked.append(ticker.name)
        return ticker.tick(now: now)
    }
    return ticked
}

@Suite struct TickScheduleTests {
    @Test func ticksWhatIsDueInDueOrderAndNothingElse() {
        var schedule = TickSchedule<Ticker>()
        #expect(schedule.earliest == nil)
        let a = Ticker("a"), b = Ticker("b"), c = Ticker("c")
        a.schedule(at: 30, in: &schedule)
        b.schedule(at: 10, in: &schedule)
        c.schedule(at: 20, in: &schedule)
        #expect(schedule.earliest == 10)
        #expect(run(&schedule, now: 5).isEmpty)
        #expect(run(&schedule, now: 25) == ["b", "c"])
        #expect(schedule.earliest == 30)
        #expect(run(&schedule, now: 30) == ["a"])
        // Each rescheduled itself one interval after the run it ticked in.
        #expect(run(&schedule, now: 124).isEmpty)
        #expect(run(&schedule, now: 125).sorted() == ["b", "c"])
        #expect(run(&schedule, now: 130) == ["a"])
        #expect(schedule.count == 3)
    }

    @Test func aWakeBringsATickForwardAndItsOldEntryGoesStale() {
        var schedule = TickSchedule<Ticker>()
        let a = Ticker("a"), b = Ticker("b")
        a.schedule(at: 100, in: &schedule)
        b.schedule(at: 60, in: &schedule)
        a.schedule(at: 40, in: &schedule)
        #expect(schedule.earliest == 40)
        #expect(run(&schedule, now: 50) == ["a"])
        #expect(a.scheduledTick == 150)
        // The entry at 100 pops with b's but is no longer a's time: a does not tick twice.
        #expect(run(&schedule, now: 100) == ["b"])
        #expect(run(&schedule, now: 150) == ["a"])
        #expect(schedule.count == 2)
    }

    @Test func twoEntriesWithTheSameTimeTickOnce() {
        var schedule = TickSchedule<Ticker>()
        let a = Ticker("a")
        a.schedule(at: 10, in: &schedule)
        schedule.schedule(a, at: 10)
        #expect(schedule.count == 2)
        #expect(run(&schedule, now: 10) == ["a"])
        #expect(schedule.count == 1)
    }

    @Test func aTickRescheduledIntoThePastWaitsForTheNextRun() {
        var schedule = TickSchedule<Ticker>()
        let a = Ticker("a")
        a.schedule(at: 10, in: &schedule)
        var ticks = 0
        for _ in 0..<3 {
            schedule.runDue(now: 20) { ticker in
                ticks += 1
                return ticker.move(to: 15)
            }
        }
        #expect(ticks == 3)
        #expect(schedule.count == 1)
    }

    @Test func aTickThatSchedulesNothingLeavesNoEntry() {
        var schedule = TickSchedule<Ticker>()
        let a = Ticker("a")
        a.schedule(at: 10, in: &schedule)
        var ticked = 0
        schedule.runDue(now: 10) { _ in
            ticked += 1
            return nil
        }
        #expect(ticked == 1)
        #expect(schedule.count == 0)
        #expect(schedule.earliest == nil)
    }

    @Test func closedTargetsNeverTickAndTheirEntriesGo() {
        var schedule = TickSchedule<Ticker>()
        let a = Ticker("a"), b = Ticker("b")
        a.schedule(at: 10, in: &schedule)
        b.schedule(at: 10, in: &schedule)
        a.close()
        #expect(run(&schedule, now: 10) == ["b"])
        #expect(schedule.count == 1)
    }

    @Test func droppedTargetsAreNotKeptAliveAndTheirEntriesGo() {
        var schedule = TickSchedule<Ticker>()
        weak var dropped: Ticker?
        let kept = Ticker("kept")
        do {
            let ticker = Ticker("dropped")
            ticker.schedule(at: 10, in: &schedule)
            dropped = ticker
        }
        #expect(dropped == nil)
        kept.schedule(at: 10, in: &schedule)
        #expect(run(&schedule, now: 10) == ["kept"])
        #expect(schedule.count == 1)
    }

    @Test func wakesOverAndOverCannotGrowTheHeapWithoutLimit() {
        var schedule = TickSchedule<Ticker>()
        let tickers = (0..<10).map { Ticker("\($0)", interval: 1_000_000) }
        for ticker in tickers { ticker.schedule(at: 1_000_000, in: &schedule) }
        // Every wake brings a tick forward by one, leaving a stale entry behind each time.
        for step in 1...5_000 {
            let ticker = tickers[step % tickers.count]
            ticker.schedule(at: 1_000_000 - UInt64(step), in: &schedule)
            schedule.compact(live: tickers.count)
            #expect(schedule.count <= 3 * tickers.count + TickSchedule<Ticker>.compactionSlack + 1)
        }
        // Compaction kept every current entry: each ticks once, at its latest time.
        #expect(run(&schedule, now: 1_000_000).sorted() == tickers.map(\.name).sorted())
    }
}
