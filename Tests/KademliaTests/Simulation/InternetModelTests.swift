import Synchronization
import Testing
@testable import KademliaTestKit
import Kademlia

/// The modelled internet: round trips with the asked-for median and a long tail, loss at
/// the asked-for rate, NAT that lets in only answers, delivery in virtual time.
@Suite("The internet model")
struct InternetModelTests {
    private func address(_ host: UInt32) -> SocketAddress {
        SocketAddress(ip: 0x7F00_0000 | host, port: 6881)
    }

    @Test("round trips between random hosts have the asked-for median, a long tail, and stay put per pair")
    func roundTrips() {
        for (seed, median) in [(UInt64(1), 100), (7, 100), (3, 250)] {
            let model = InternetModel(seed: seed, rttMedian: .milliseconds(median))
            var random = SeededGenerator(seed: seed + 100)
            let samples = (0..<5000).map { _ in
                model.baseRoundTrip(address(UInt32.random(in: 1...900_000, using: &random)),
                                    address(UInt32.random(in: 1...900_000, using: &random))).seconds * 1000
            }.sorted()
            let observed = samples[samples.count / 2]
            #expect(abs(observed - Double(median)) < Double(median) * 0.06, "median \(observed) ms for \(median) asked")
            // Same continent at a fraction of the median, the far side of the world at several times it.
            #expect(samples[samples.count / 20] < Double(median) * 0.6)
            #expect(samples[samples.count * 99 / 100] > Double(median) * 3)
            #expect(samples[samples.count * 99 / 100] < Double(median) * 6)
            #expect(model.baseRoundTrip(address(5), address(9)) == model.baseRoundTrip(address(5), address(9)))
            #expect(model.baseRoundTrip(address(5), address(9)) == model.baseRoundTrip(address(9), address(5)))
        }
    }

    @Test("each datagram takes at least the pair's one-way delay, plus jitter that varies")
    func jitter() throws {
        let model = InternetModel(seed: 2, loss: 0)
        let oneWay = model.baseRoundTrip(address(1), address(2)) / 2
        let delays = try (0..<1000).map { try #require(model.transit(from: address(1), to: address(2), fingerprint: UInt64($0))) }
        let early = delays.filter { $0 < oneWay - .microseconds(1) }
        #expect(early.isEmpty)
        #expect(Set(delays).count > 900)
        let meanExtra = delays.map { ($0 - oneWay).seconds }.reduce(0, +) / Double(delays.count)
        #expect(abs(meanExtra - 0.1 * oneWay.seconds) < 0.03 * oneWay.seconds, "jitter averages a tenth of the one-way delay")
    }

    @Test("loss takes the asked-for share of datagrams, independently, and none while suspended")
    func loss() {
        let model = InternetModel(seed: 4, loss: 0.01)
        let lost = (0..<200_000).filter { model.transit(from: address(1), to: address(2), fingerprint: UInt64($0)) == nil }.count
        #expect((1700...2300).contains(lost), "\(lost) of 200,000 lost at 1%")
        let spared = (0..<10_000).filter { model.transit(from: address(1), to: address(2), fingerprint: UInt64($0), losing: false) != nil }
        #expect(spared.count == 10_000)
    }

    @Test("a datagram arrives after its delay in virtual time, not when it is sent")
    func delivery() throws {
        let network = MemoryNetwork(internet: InternetModel(seed: 5, loss: 0))
        let (sender, receiver) = (network.makeTransport(), network.makeTransport())
        let inbox = HeardDatagrams(clock: network.clock)
        receiver.start(delegate: inbox)
        sender.start(delegate: HeardDatagrams())
        let start = network.clock.now()
        sender.send([1, 2, 3], to: receiver.localAddress)
        #expect(inbox.received.isEmpty)
        #expect(network.datagramsInFlight == 1)
        network.advance(by: .milliseconds(1))
        #expect(inbox.received.isEmpty, "nothing on the internet arrives within a millisecond")
        #expect(network.advanceToNextWake())
        let arrival = try #require(inbox.received.first)
        #expect(arrival.bytes == [1, 2, 3])
        #expect(arrival.at - start >= network.internet.map { $0.baseRoundTrip(sender.localAddress, receiver.localAddress) / 2 } ?? .zero)
    }

    @Test("behind NAT a host hears only from addresses it sent to lately")
    func nat() {
        let model = InternetModel(seed: 6, loss: 0, natShare: 1, natMappingLifetime: .seconds(60))
        let network = MemoryNetwork(internet: model)
        let (a, b) = (network.makeTransport(), network.makeTransport())
        let (inboxA, inboxB) = (HeardDatagrams(), HeardDatagrams())
        a.start(delegate: inboxA)
        b.start(delegate: inboxB)
        a.send([1], to: b.localAddress)
        network.advance(by: .seconds(1))
        #expect(inboxB.received.isEmpty, "b never spoke to a, so its NAT drops a's datagram")
        b.send([2], to: a.localAddress)
        network.advance(by: .seconds(1))
        #expect(inboxA.received.map(\.bytes) == [[2]], "a spoke to b first, so b's datagram gets in")
        a.send([3], to: b.localAddress)
        network.advance(by: .seconds(1))
        #expect(inboxB.received.map(\.bytes) == [[3]], "now b has spoken to a")
        network.advance(by: .seconds(120))
        a.send([4], to: b.localAddress)
        network.advance(by: .seconds(1))
        #expect(inboxB.received.count == 1, "b's mapping for a has expired")
        #expect(network.counts.dropped == 2)
    }
}

/// A transport delegate that keeps what it hears, with the virtual time it heard it.
final class HeardDatagrams: TransportDelegate {
    private let clock: ManualClock?
    private let log = Mutex<[(bytes: [UInt8], at: Timestamp)]>([])

    init(clock: ManualClock? = nil) { self.clock = clock }

    var received: [(bytes: [UInt8], at: Timestamp)] { log.withLock { $0 } }

    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress) {
        let bytes = Array(datagram)
        log.withLock { $0.append((bytes, clock?.now() ?? Timestamp(nanoseconds: 0))) }
    }

    func transportTick() {}
}
