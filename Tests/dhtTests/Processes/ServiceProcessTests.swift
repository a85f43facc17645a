import Foundation
import Glibc
import Kademlia
import Testing
@testable import dht

/// The real binary run as a service: signals, `--no-repl` with stdin closed, `--json`,
/// configuration from the environment, and the size limits end to end.
@Suite(.timeLimit(.minutes(2))) struct ServiceProcessTests {
    /// A `--no-repl` node on 127.0.0.1 with stdin closed, and the endpoint others join through.
    private func startService(_ extra: [String] = []) async throws -> (ReplProcess, String) {
        let node = try ReplProcess(["0", "--bind", "127.0.0.1", "--no-repl"] + extra, stdinClosed: true)
        return (node, "127.0.0.1:\(try await node.bannerPort())")
    }

    @Test func serviceWithStdinClosedStaysUpAndAnswersUntilSIGTERM() async throws {
        let (service, endpoint) = try await startService()
        defer { service.kill() }
        try await Task.sleep(for: .milliseconds(300))
        let probe = try DHTNode.udp(port: 0, host: "127.0.0.1")
        defer { probe.stop() }
        #expect(try await probe.bootstrap([endpoint]).answered == 1, "a service node answers pings with stdin closed")
        service.signal(SIGTERM)
        #expect(try await service.waitForExit() == 0)
        #expect(try await service.remainingOutput() == "Goodbye!\n")
    }

    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func shutdownSignalsLeaveGracefullyAndKeepTheKeyReadable(signal: Int32) async throws {
        let (seed, endpoint) = try await startService()
        defer { seed.kill() }
        let holder = try ReplProcess(["0", "--bind", "127.0.0.1", endpoint])
        defer { holder.kill() }
        let stored = try await holder.command("put held by-the-leaver")
        #expect(stored == "Stored key 'held' at 2 nodes", "stderr: \(holder.errorOutput)")
        holder.signal(signal)
        #expect(try await holder.readLine() == "Goodbye!")
        #expect(try await holder.waitForExit() == 0)

        let reader = try ReplProcess(["0", "--bind", "127.0.0.1", endpoint])
        defer { reader.kill() }
        let read = try await reader.command("get held")
        #expect(read == "Value: by-the-leaver", "stderr: \(reader.errorOutput)")
        seed.signal(SIGTERM)
        #expect(try await seed.waitForExit() == 0)
    }

    @Test func environmentConfiguresTheNodeAndAFlagWins() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["DHT_PORT"] = "0"
        environment["DHT_BIND"] = "127.0.0.1"
        environment["DHT_NO_REPL"] = "1"
        environment["DHT_LOG_LEVEL"] = "nonsense"
        let bad = try ReplProcess([], environment: environment, stdinClosed: true)
        defer { bad.kill() }
        #expect(try await bad.waitForExit() == 64)
        #expect(bad.errorOutput.hasPrefix("dht: DHT_LOG_LEVEL: invalid log level 'nonsense'"))

        let good = try ReplProcess(["--log-level", "info"], environment: environment, stdinClosed: true)
        defer { good.kill() }
        try await good.waitForError(containing: "listening on UDP 127.0.0.1:")
        good.signal(SIGTERM)
        #expect(try await good.waitForExit() == 0)
        #expect(good.errorOutput.contains(" info ["), "the flag's level wins: \(good.errorOutput)")
    }

    @Test func jsonRepliesAreOneObjectPerLine() async throws {
        let (seed, endpoint) = try await startService()
        defer { seed.kill() }
        let node = try ReplProcess(["0", "--bind", "127.0.0.1", "--json", endpoint])
        defer { node.kill() }
        func object(_ line: String) async throws -> [String: Any] {
            try node.send(line)
            let reply = try await node.readLine()
            let parsed = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any]
            return try #require(parsed, "not a JSON object: \(reply)")
        }
        let put = try await object("put \"my key\" world")
        #expect(put["op"] as? String == "put")
        #expect(put["stored_at"] as? Int == 2)
        let get = try await object("get \"my key\"")
        #expect(get["found"] as? Bool == true)
        #expect(get["value"] as? String == "world")
        #expect(get["seq"] as? Int == 0)
        #expect(try await object("get nope")["found"] as? Bool == false)
        #expect(try await object("frobnicate")["error"] as? String == "unknown command")
        let placement = try await object("where \"my key\"")
        let nodes = try #require(placement["nodes"] as? [[String: Any]])
        #expect(nodes.count == 2)
        #expect(nodes.allSatisfy { $0["holds"] as? Bool == true && $0["seq"] as? Int == 0 })
        #expect(try await object("peers")["peers"] as? [Any] != nil)
        #expect(try await object("keys")["keys"] as? [Any] != nil)
        #expect(try await object("status")["total_nodes"] as? Int == 1)
        #expect(try await object("quit")["op"] as? String == "quit")
        #expect(try await node.waitForExit() == 1, "frobnicate failed")
    }

    @Test func sizeLimitsAtAndOnePastEachLimit() async throws {
        let (seed, endpoint) = try await startService()
        defer { seed.kill() }
        let node = try ReplProcess(["0", "--bind", "127.0.0.1", endpoint])
        defer { node.kill() }
        let longestKey = String(repeating: "k", count: DHTNode.maxKeySize)
        let largestValue = String(repeating: "v", count: DHTNode.maxValueSize)
        // At both limits at once the store datagram still fits, so the other node takes it too.
        #expect(try await node.command("put \(longestKey) \(largestValue)") == "Stored key '\(longestKey)' at 2 nodes")
        #expect(try await node.command("get \(longestKey)") == "Value: \(largestValue)")
        #expect(try await node.failingCommand("put \(longestKey)k v") ==
            "Key too large: \(DHTNode.maxKeySize + 1) bytes (limit \(DHTNode.maxKeySize))")
        #expect(try await node.failingCommand("put k \(largestValue)v") ==
            "Value too large: \(DHTNode.maxValueSize + 1) bytes (limit \(DHTNode.maxValueSize))")
        #expect(try await node.failingCommand("get \(longestKey)k") ==
            "Key too large: \(DHTNode.maxKeySize + 1) bytes (limit \(DHTNode.maxKeySize))")
        let status = try await node.status()
        #expect(status.contains("Stored keys: 1"), "nothing over a limit was stored: \(status)")
    }

    @Test func aPutThatOnlyThisNodeTookSaysSo() async throws {
        let (seed, endpoint) = try await startService()
        defer { seed.kill() }
        let node = try ReplProcess(["0", "--bind", "127.0.0.1", endpoint])
        defer { node.kill() }
        #expect(try await node.command("put first v") == "Stored key 'first' at 2 nodes")
        seed.kill()
        _ = try await seed.waitForExit()
        #expect(try await node.command("put lonely v", timeout: .seconds(20)) == "Stored key 'lonely' at 1 nodes")
        try await node.waitForError(containing: Output.storedOnlyHere)
    }
}
