import Synchronization
import Testing
@testable import dht

/// A stream body's bounds and its two ends telling each other they closed.
@Suite struct HTTPBodyStreamTests {
    @Test func aReaderTooFarBehindIsCutOffAndTheProducerIsTold() {
        let stream = HTTPBodyStream()
        let wakes = Atomic<Int>(0)
        stream.attach { wakes.add(1, ordering: .relaxed) }
        let chunk = [UInt8](repeating: 0x61, count: 1000)
        var accepted = 0
        while stream.write(chunk) { accepted += 1 }
        #expect(accepted == HTTPBodyStream.maxBacklog / 1000, "the backlog is bounded")
        #expect(wakes.load(ordering: .relaxed) == 3, "attach, the first write into an empty queue, and the cut")
        let taken = stream.take()
        #expect(taken.cut && taken.ended && taken.bytes.isEmpty)
        #expect(!stream.write(chunk), "nothing is queued after the cut")
    }

    @Test func aReaderThatKeepsUpIsNeverCut() {
        let stream = HTTPBodyStream()
        for _ in 0..<1000 {
            #expect(stream.write([UInt8](repeating: 0x61, count: 1000)))
            #expect(stream.take().bytes.count == 1000)
        }
        stream.finish()
        let last = stream.take()
        #expect(last.ended && !last.cut)
    }

    @Test func closingTellsEveryProducerOnceEvenALateOne() {
        let stream = HTTPBodyStream()
        let told = Atomic<Int>(0)
        stream.onClose { told.add(1, ordering: .relaxed) }
        stream.closed()
        stream.closed()
        #expect(told.load(ordering: .relaxed) == 1)
        stream.onClose { told.add(1, ordering: .relaxed) }
        #expect(told.load(ordering: .relaxed) == 2, "registered after the close: run at once")
        #expect(!stream.write([1]))
    }
}
