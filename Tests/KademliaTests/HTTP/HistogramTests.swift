@testable import KademliaCore
import Testing

/// The histograms `/metrics` reports, against a brute-force count.
@Suite struct HistogramTests {
    @Test func cumulativeCountsMatchCountingEveryObservation() {
        var histogram = Histogram(bounds: [10, 1, 5])
        var generator = SeededGenerator(seed: 3)
        var observed: [Double] = []
        for _ in 0..<2000 {
            let value = Double(Int.random(in: 0...1200, using: &generator)) / 100
            observed.append(value)
            histogram.observe(value)
        }
        #expect(histogram.bounds == [1, 5, 10])
        let expected: [(Double?, Int)] = [(1, observed.count { $0 <= 1 }), (5, observed.count { $0 <= 5 }), (10, observed.count { $0 <= 10 }),
                                         (nil, observed.count)]
        #expect(histogram.cumulative.map(\.bound) == expected.map(\.0) && histogram.cumulative.map(\.count) == expected.map(\.1))
        #expect(abs(histogram.sum - observed.reduce(0, +)) < 1e-6 && histogram.count == 2000)
    }
}
