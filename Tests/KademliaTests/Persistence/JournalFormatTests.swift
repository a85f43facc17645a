import Testing
@testable import Kademlia
@testable import KademliaCore

/// CRC-32C against RFC 3720's vectors, and the journal's framing against every truncation
/// point and every single-bit flip of a sample log: what survives is exactly the intact prefix.
@Suite struct JournalFormatTests {
    @Test(arguments: [
        ([UInt8](repeating: 0, count: 32), UInt32(0x8A91_36AA)),
        ([UInt8](repeating: 0xFF, count: 32), UInt32(0x62A8_AB43)),
        ((0...31).map { UInt8($0) }, UInt32(0x46DD_794E)),
        ((0...31).reversed().map { UInt8($0) }, UInt32(0x113F_DB5C)),
        (Array("123456789".utf8), UInt32(0xE306_9283)),
    ] as [([UInt8], UInt32)])
    func crc32cMatchesRFC3720(bytes: [UInt8], expected: UInt32) {
        #expect(CRC32C.checksum(bytes) == expected)
    }

    /// Seven records of different sizes, one of them the largest allowed.
    private let records: [[UInt8]] = [
        Array("identity".utf8), [0x01], Array(repeating: 0xAB, count: 300), Array("value:hello=world".utf8),
        (0...255).map { UInt8($0) }, Array(repeating: 0x00, count: 17), Array("removed:hello".utf8),
    ]

    private func sampleLog() -> (bytes: [UInt8], ends: [Int]) {
        var bytes = JournalFormat.header
        var ends: [Int] = []
        for record in records {
            bytes += JournalFormat.frame(record)
            ends.append(bytes.count)
        }
        return (bytes, ends)
    }

    @Test func aWholeLogReadsBackEveryRecord() {
        let (bytes, _) = sampleLog()
        let scan = JournalFormat.scan(bytes)
        #expect(scan == JournalFormat.Scan(payloads: records, intactLength: bytes.count, damage: nil))
        #expect(JournalFormat.scan([]) == JournalFormat.Scan(payloads: [], intactLength: 0, damage: nil))
        let largest = Array(repeating: UInt8(7), count: JournalFormat.maxPayloadSize)
        #expect(JournalFormat.scan(JournalFormat.header + JournalFormat.frame(largest)).payloads == [largest])
    }

    @Test func everyTruncationPointKeepsExactlyTheCompleteRecords() {
        let (bytes, ends) = sampleLog()
        for cut in 0...bytes.count {
            let scan = JournalFormat.scan(Array(bytes.prefix(cut)))
            let complete = ends.filter { $0 <= cut }.count
            #expect(scan.payloads == Array(records.prefix(complete)), "cut at \(cut)")
            let intact = cut < JournalFormat.header.count ? 0 : (ends.last { $0 <= cut } ?? JournalFormat.header.count)
            #expect(scan.intactLength == intact, "cut at \(cut)")
            let atBoundary = cut == 0 || cut == intact
            #expect((scan.damage == nil) == atBoundary, "cut at \(cut): \(String(describing: scan.damage))")
            if !atBoundary, case .tornRecord = scan.damage {} else if !atBoundary {
                Issue.record("a cut is a torn record, not \(String(describing: scan.damage)) (cut at \(cut))")
            }
        }
    }

    @Test func everySingleBitFlipLosesOnlyTheDamagedRecordAndWhatFollows() {
        let (bytes, ends) = sampleLog()
        for position in bytes.indices {
            for bit in 0..<8 {
                var damaged = bytes
                damaged[position] ^= 1 << bit
                let scan = JournalFormat.scan(damaged)
                guard position >= JournalFormat.header.count else {
                    #expect(scan.payloads.isEmpty && scan.damage == .foreignHeader, "flip in the header at \(position)")
                    continue
                }
                let hit = ends.firstIndex { position < $0 } ?? records.count
                #expect(scan.payloads == Array(records.prefix(hit)), "flip at \(position) bit \(bit)")
                #expect(scan.damage != nil, "flip at \(position) bit \(bit) went unnoticed")
                #expect(scan.intactLength == (hit == 0 ? JournalFormat.header.count : ends[hit - 1]))
            }
        }
    }

    @Test func garbageIsForeignNotFatal() {
        var random = SeededGenerator(seed: 10)
        for length in [1, 5, 9, 100, 5000] {
            let noise = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            let scan = JournalFormat.scan(noise)
            #expect(scan.payloads.isEmpty && scan.intactLength == 0 && scan.damage != nil)
        }
        #expect(JournalFormat.scan(Array(JournalFormat.header.prefix(4))).damage == .tornRecord(offset: 0),
                "a header cut short by a crash is torn, not foreign")
        let hugeLength = JournalFormat.header + [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0]
        #expect(JournalFormat.scan(hugeLength).damage == .badLength(offset: JournalFormat.header.count))
    }
}
