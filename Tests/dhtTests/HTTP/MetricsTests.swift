import Foundation
@testable import Kademlia
import Testing
@testable import dht

/// `/metrics`: the text format's rules, checked here and by promtool when it is installed.
@Suite struct MetricsTests {
    /// promtool from PATH, or where `.ci/run` unpacks Debian's prometheus package.
    static let promtool: String? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [root.appendingPathComponent(".build-tools/prometheus/usr/bin/promtool").path]
            + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/promtool" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    private func page() -> String {
        var status = NodeStatus(id: NodeID(key: "n"), address: SocketAddress(ip: 0x7F00_0001, port: 1),
                                buckets: [BucketCount(index: 150, count: 3), BucketCount(index: 158, count: 8)], totalNodes: 11,
                                storedKeys: 40)
        status.tombstones = 2
        var traffic = TrafficCounts()
        traffic.datagramsSent = 120
        traffic.findValuesSent = 30
        traffic.queriesReceived = [.findNode: 7, .listen: 2]
        traffic.bytesSent = 9000
        var seconds = LookupStats.durationHistogram
        for value in [0.003, 0.02, 0.02, 0.7, 30] { seconds.observe(value) }
        var gauges = NodeGauges()
        gauges.replacements = [BucketCount(index: 158, count: 2)]
        return Metrics.page(Metrics.Inputs(status: status, traffic: traffic, gauges: gauges, httpReplies: [200: 5, 404: 1], streams: 3,
                                           lookupSeconds: seconds))
    }

    @Test func everyFamilyHasHelpAndTypeCountersEndInTotalAndNoSeriesRepeats() {
        let text = page()
        #expect(text.hasSuffix("\n"))
        var declared: [String: String] = [:]
        var seen = Set<String>()
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if line.hasPrefix("# TYPE ") { declared[String(words[2])] = String(words[3]) }
            if line.hasPrefix("#") { continue }
            let series = String(line.prefix { $0 != "{" && $0 != " " })
            let name = ["_bucket", "_sum", "_count"].reduce(series) { name, suffix in
                declared[name] == nil && name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
            }
            #expect(declared[name] != nil, "\(name) has a TYPE before its samples")
            #expect(declared[name] != "counter" || name.hasSuffix("_total"), "\(name)")
            #expect(seen.insert(String(words[0])).inserted, "\(words[0]) appears once")
            #expect(Double(words.last ?? "") != nil, "\(line)")
        }
        #expect(text.contains("dht_bucket_nodes{bucket=\"158\"} 8\n") && text.contains("dht_http_requests_total{code=\"404\"} 1\n"))
        #expect(text.contains("dht_queries_out_total{method=\"find_value\"} 30\n") && text.contains("dht_nodes 11\n"))
        #expect(text.contains("dht_queries_in_total{method=\"listen\"} 2\n") && text.contains("dht_bytes_out_total 9000\n"))
        #expect(text.contains("dht_bucket_replacements{bucket=\"158\"} 2\n") && text.contains("dht_http_streams 3\n"))
        #expect(text.contains("dht_lookup_duration_seconds_bucket{le=\"0.005\"} 1\n"))
        #expect(text.contains("dht_lookup_duration_seconds_bucket{le=\"0.025\"} 3\n"))
        #expect(text.contains("dht_lookup_duration_seconds_bucket{le=\"+Inf\"} 5\n") && text.contains("dht_lookup_duration_seconds_count 5\n"))
        #expect(text.contains("dht_lookup_duration_seconds_sum 30.743\n"))
    }

    @Test(.enabled(if: MetricsTests.promtool != nil, "promtool is not installed (.ci/run unpacks it into .build-tools)"))
    func promtoolFindsNothingToSay() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.promtool))
        process.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(page().utf8))
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "promtool: \(said)")
    }
}
