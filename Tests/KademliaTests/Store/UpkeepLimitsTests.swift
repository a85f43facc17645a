import Testing
@testable import Kademlia
@testable import KademliaCore

/// The pure halves of issue 16: which queries a node answers (`InboundAdmission`) and how
/// upkeep is paced per destination (`UpkeepWindows`).
@Suite struct UpkeepLimitsTests {
    private func host(_ last: UInt32) -> TrafficSource { .host(SocketAddress(ip: 0x0A00_0000 | last, port: 6881), relaxLoopback: true) }

    @Test func anIdleNodeLendsItsSpareCapacityToAContactWritingFast() {
        var admission = InboundAdmission(limits: NodeLimits())
        admission.noteAnswer(from: host(1))
        var verdicts: [InboundAdmission.Verdict: Int] = [:]
        // 2,000 queries a second for 5 s: forty times the share, a fifth of the spare rate.
        for index in 0..<10_000 {
            verdicts[admission.admit(host(1), now: start + .microseconds(500 * index)), default: 0] += 1
        }
        #expect(verdicts == [.answer: 10_000], "\(verdicts)")
    }

    @Test func aStrangerGetsItsShareThenBusyAnswersThenSilence() {
        var admission = InboundAdmission(limits: NodeLimits())
        var verdicts: [InboundAdmission.Verdict] = []
        for _ in 0..<1_000 { verdicts.append(admission.admit(host(2), now: start)) }
        let share = Int(NodeLimits().queryBurstPerHost)
        #expect(verdicts.prefix(share).allSatisfy { $0 == .answer }, "its burst, not a token more")
        #expect(verdicts.dropFirst(share).prefix(share - 1).allSatisfy { $0 == .busy }, "then told it is over its share")
        #expect(verdicts.dropFirst(2 * share).allSatisfy { $0 == .drop }, "then dropped")
        #expect(admission.shouldDropUndecoded(host(2), now: start), "before decoding, too")
        #expect(!admission.shouldDropUndecoded(host(3), now: start), "another host is untouched")
        #expect(admission.admit(host(3), now: start) == .answer)
        // Twenty seconds of quiet at 50 a second refill the debt of ten bursts.
        #expect(!admission.shouldDropUndecoded(host(2), now: start + .seconds(20)))
        // Answering one of our queries proves the address: the debt is cleared at once.
        admission.noteAnswer(from: host(2))
        #expect(!admission.shouldDropUndecoded(host(2), now: start))
        #expect(admission.admit(host(2), now: start) == .answer, "its share is spent, but the spare is lent to it now")
    }

    @Test func aBusyNodeLendsNothingAndEachHostKeepsItsShare() {
        var admission = InboundAdmission(limits: NodeLimits())
        admission.noteAnswer(from: host(1))
        var flooderAnswered = 0, contactVerdicts: [InboundAdmission.Verdict: Int] = [:], quietAnswered = 0
        // A contact floods at 100,000 a second for 2 s: ten times the spare rate. A quiet
        // host pings 10 times a second throughout.
        for index in 0..<200_000 {
            let now = start + .microseconds(10 * index)
            let verdict = admission.admit(host(1), now: now)
            contactVerdicts[verdict, default: 0] += 1
            if verdict == .answer { flooderAnswered += 1 }
            if index % 10_000 == 0, admission.admit(host(9), now: now) == .answer { quietAnswered += 1 }
        }
        #expect(quietAnswered == 20, "the quiet host's share is untouched")
        let limits = NodeLimits()
        // The spare pool lends its burst, then stays empty while the flood lasts.
        let bound = limits.queryBurstPerHost + 2 * limits.queriesPerSecondPerHost + limits.spareQueryBurst * 1.2
        #expect(Double(flooderAnswered) <= bound, "at most its share and the spare: \(flooderAnswered)")
        #expect(contactVerdicts[.drop] == nil, "a contact is told busy, never dropped: \(contactVerdicts)")
    }

    @Test func aWindowLetsItsSizeThroughAndStartsTheRestInOrder() {
        var windows = UpkeepWindows<Int>(initialSize: 2, maximumSize: 4, totalLimit: 100)
        let peer = SocketAddress(ip: 0x0A00_0001, port: 1)
        let started = (0..<6).filter { windows.submit($0, to: peer) }
        #expect(started == [0, 1])
        #expect(windows.waiting == 4 && windows.inFlight == 2)
        var order = started
        var answered = 0
        while windows.inFlight > 0 {
            order += windows.finished(at: peer, .answered).start
            answered += 1
        }
        #expect(order == Array(0..<6), "in submission order")
        #expect(answered == 6)
        #expect(windows.backlog.isEmpty, "an idle destination costs nothing")
    }

    @Test func aWindowWidensWhileAnsweredAndHalvesOnBusy() {
        var windows = UpkeepWindows<Int>(initialSize: 4, maximumSize: 8, totalLimit: 100)
        let peer = SocketAddress(ip: 0x0A00_0001, port: 1)
        for index in 0..<1_000 { _ = windows.submit(index, to: peer) }
        for _ in 0..<200 { _ = windows.finished(at: peer, .answered) }
        #expect(windows.backlog.first?.window == 8, "widened to the maximum")
        #expect(windows.inFlight == 8)
        _ = windows.finished(at: peer, .busy)
        #expect(windows.backlog.first?.window == 4)
        windows.noteBusy(peer)
        #expect(windows.backlog.first?.window == 2)
        #expect(windows.inFlight == 7, "nothing new starts while over the window")
    }

    @Test func aSilentDestinationIsGivenUpAndOthersGoOn() {
        var windows = UpkeepWindows<Int>(initialSize: 2, maximumSize: 8, totalLimit: 3, giveUpAfterSilences: 2)
        let gone = SocketAddress(ip: 0x0A00_0001, port: 1), alive = SocketAddress(ip: 0x0A00_0002, port: 1)
        for index in 0..<10 { _ = windows.submit(index, to: gone) }
        let aliveStarted = (100..<105).filter { windows.submit($0, to: alive) }
        #expect(aliveStarted == [100], "the total limit holds across destinations")
        let first = windows.finished(at: gone, .silent)
        #expect(first.abandoned.isEmpty)
        #expect(first.start == [101], "the freed place goes to the destination waiting for the total")
        let second = windows.finished(at: gone, .silent)
        #expect(second.abandoned == Array(2..<10), "two silences in a row: what waited is handed back")
        #expect(second.start.isEmpty, "the other destination's window is full")
        #expect(windows.waiting == 3 && windows.inFlight == 2)
        #expect(windows.finished(at: alive, .answered).start == [102])
    }
}
