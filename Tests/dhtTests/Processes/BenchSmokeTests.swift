import Foundation
import Testing

/// Keeps dht-bench from rotting: a tiny run must finish and print the keys scripts read.
@Suite("dht-bench smoke run")
struct BenchSmokeTests {
    /// Runs dht-bench with `arguments` and returns its JSON report.
    private func runBench(_ arguments: [String]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = try ReplProcess.binaryURL(named: "dht-bench")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("20 nodes on loopback UDP: every phase succeeds and reports its figures")
    func smallRun() throws {
        let report = try runBench(["--nodes", "20", "--puts", "10", "--gets", "10", "--concurrency", "4", "--seed", "5"])
        #expect(report["nodes"] as? Int == 20)
        #expect(report["build_s"] is NSNumber)
        #expect(report["rss_per_node_kib"] is NSNumber)
        for phase in ["put", "get", "put_concurrent", "get_concurrent"] {
            let figures = try #require(report[phase] as? [String: Any], "phase \(phase)")
            for key in ["p50_ms", "p90_ms", "p99_ms", "ops_per_s", "success_rate", "rpcs_per_op", "rounds_p50"] {
                #expect(figures[key] is NSNumber, "\(phase).\(key)")
            }
            #expect((figures["success_rate"] as? NSNumber)?.doubleValue == 1, "\(phase) succeeded")
        }
    }

    @Test("the same workload runs on the in-memory network, and survives 20% silent nodes")
    func memoryRun() throws {
        let report = try runBench(["--nodes", "30", "--puts", "10", "--gets", "10", "--transport", "memory", "--silent", "0.2"])
        let silent = try #require(report["get_with_silent"] as? [String: Any])
        #expect((silent["success_rate"] as? NSNumber)?.doubleValue == 1)
    }
}
