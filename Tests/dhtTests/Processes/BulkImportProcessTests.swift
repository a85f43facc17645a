import Foundation
import Testing
@testable import dht

/// Issue 16's scenario with real processes on loopback: five nodes, a sixth that imports
/// thousands of values by piped stdin and leaves, then a newcomer that must take its share
/// while every original node keeps the others in its table.
@Suite(.serialized, .timeLimit(.minutes(4))) struct BulkImportProcessTests {
    /// Values imported; 100 bytes each, as in the issue.
    static let values = 5_000

    /// The ports a node lists in `peers`.
    private func knownPorts(of node: ReplProcess) async throws -> Set<UInt16> {
        try node.send("peers")
        let lines = try await node.readLines { $0 == "No contacts known" || $0.hasSuffix(" bucket") || $0.hasSuffix(" buckets") }
        return Set(lines.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("127.0.0.1:") }.flatMap { UInt16($0.dropFirst("127.0.0.1:".count)) }
        })
    }

    /// `Stored keys: N` from `status`.
    private func storedKeys(of node: ReplProcess) async throws -> Int {
        let line = try await node.status().first { $0.hasPrefix("Stored keys: ") }
        return line.flatMap { Int($0.dropFirst("Stored keys: ".count)) } ?? -1
    }

    @Test func anImportReachesEveryNodeAndANewcomerTakesItsShareWithNoContactLost() async throws {
        let seed = try ReplProcess(["0", "--bind", "127.0.0.1"])
        defer { seed.kill() }
        let seedPort = try await seed.port()
        let endpoint = "127.0.0.1:\(seedPort)"
        var originals = [seed]
        defer { originals.forEach { $0.kill() } }
        for _ in 0..<4 {
            let node = try ReplProcess(["0", endpoint, "--bind", "127.0.0.1"])
            _ = try await node.status()
            originals.append(node)
        }
        var ports: [UInt16] = []
        for node in originals { ports.append(try await node.port()) }
        // Every original knows the other four before the import (joins may take a rejoin round).
        for (node, port) in zip(originals, ports) {
            let others = Set(ports).subtracting([port])
            let deadline = ContinuousClock.now + .seconds(20)
            while try await !others.isSubset(of: knownPorts(of: node)), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
        }

        let importer = try ReplProcess(["0", endpoint, "--bind", "127.0.0.1", "--json"])
        defer { importer.kill() }
        let value = String(repeating: "x", count: 100)
        let started = ContinuousClock.now
        for index in 0..<Self.values { try importer.send("put bulk\(index) \(value)") }
        try importer.closeInput()
        var storedAt: [Int: Int] = [:]
        for _ in 0..<Self.values {
            let line = try await importer.readLine(timeout: .seconds(30))
            let reply = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            storedAt[reply?["stored_at"] as? Int ?? -1, default: 0] += 1
        }
        let imported = ContinuousClock.now - started
        // Every put reached at least five of the six; a store lost to a loaded machine (the
        // suites beside this one) may leave one short, which the checks below see made up.
        #expect(storedAt[6, default: 0] * 1000 >= Self.values * 999 && storedAt.keys.allSatisfy { $0 >= 5 },
                "every put stored at the five and the importer: \(storedAt)")
        #expect(try await importer.waitForExit(timeout: .seconds(60)) == 0)
        print("imported \(Self.values) values in \(imported): \(Int(Double(Self.values) / imported.seconds)) puts/s")

        let newcomer = try ReplProcess(["0", endpoint, "--bind", "127.0.0.1"])
        defer { newcomer.kill() }
        let joined = ContinuousClock.now
        var held = 0
        var lost: [String] = []
        while ContinuousClock.now - joined < .seconds(60) {
            held = try await storedKeys(of: newcomer)
            for (node, port) in zip(originals, ports) {
                let missing = Set(ports).subtracting([port]).subtracting(try await knownPorts(of: node))
                if !missing.isEmpty { lost.append("\(port) lost \(missing.sorted()) after \(ContinuousClock.now - joined)") }
            }
            if held >= Self.values { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        print("the newcomer held \(held) of \(Self.values) values after \(ContinuousClock.now - joined)")
        #expect(held * 100 >= Self.values * 99, "the newcomer holds its share: \(held) of \(Self.values)")
        #expect(lost.isEmpty, "every original node kept the other four: \(lost.prefix(5))")
        for node in originals {
            let stored = try await storedKeys(of: node)
            #expect(stored == Self.values, "each original holds every value: \(stored)")
        }
    }
}
