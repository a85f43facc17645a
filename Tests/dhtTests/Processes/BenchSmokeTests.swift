import Foundation
import Testing

/// Keeps dht-bench from rotting: a tiny run must finish and print the keys scripts read.
@Suite("dht-bench smoke run")
struct BenchSmokeTests {
    /// Runs dht-bench with `arguments` and returns its JSON report.
    private func runBench(_ arguments: [String], environment: [String: String] = [:]) throws -> [String: Any] {
        let process = Process()
        process.executableURL = try ReplProcess.binaryURL(named: "dht-bench")
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
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

    /// Swift seeds its hashing afresh in every process, so a simulation whose sends follow a
    /// dictionary's order plays out differently from run to run (the hand-offs and the pings
    /// of replicas' neighbours did). One of the two runs hashes with the fixed seed, so the
    /// two differ in their hash seeds for certain.
    @Test("across the modelled internet, the same seed gives the same run in two processes")
    func wanRunsAreTheSameInEveryProcess() throws {
        let arguments = ["--scenario", "wan", "--nodes", "300", "--puts", "1000", "--gets", "100", "--probes", "20", "--seed", "3"]
        let first = try runBench(arguments)
        let second = try runBench(arguments, environment: ["SWIFT_DETERMINISTIC_HASHING": "1"])
        let digest = try #require(first["delivery_digest"] as? String)
        #expect(second["delivery_digest"] as? String == digest)
        let firstGet = try #require(first["get"] as? [String: Any])
        #expect((firstGet["success_rate"] as? NSNumber)?.doubleValue == 1)
        // Each phase is also seen from its requesters' links.
        let share = try #require((firstGet["ordinary_link_share"] as? NSNumber)?.doubleValue)
        #expect(share > 0.5 && share <= 1)
        #expect(((firstGet["p50_requester_round_trips"] as? NSNumber)?.doubleValue ?? 0) >= 1)
        #expect(firstGet["ordinary_link_p99_virtual_ms"] is NSNumber)
    }
}
