import Foundation
import Testing
@testable import dht

/// End-to-end: the built `dht` binary in child processes on 127.0.0.1.
///
/// Every child binds port 0 (or a port the test just got from the OS) and is
/// killed in a `defer`, so a failing test leaves nothing running.
@Suite(.timeLimit(.minutes(2))) struct ReplProcessTests {
    /// One-shot run with stdin closed at once, for invocations that must exit by themselves.
    private func runToExit(_ arguments: [String], timeout: Duration = .seconds(15)) async throws
        -> (status: Int32, stdout: String, stderr: [String]) {
        let child = try ReplProcess(arguments)
        defer { child.kill() }
        try child.closeInput()
        let status = try await child.waitForExit(timeout: timeout)
        return (status, try await child.remainingOutput(), try await child.errorLines())
    }

    /// Starts a lone node and returns it with the "127.0.0.1:PORT" others join through.
    private func startSeed() async throws -> (ReplProcess, String) {
        let seed = try ReplProcess(["0"])
        return (seed, "127.0.0.1:\(try await seed.port())")
    }

    @Test func threeNodeSession() async throws {
        let (node1, seed) = try await startSeed()
        defer { node1.kill() }
        let node2 = try ReplProcess(["0", seed])
        defer { node2.kill() }
        _ = try await node2.status()  // the REPL answers only after bootstrap returned
        let node3 = try ReplProcess(["0", seed])
        defer { node3.kill() }
        _ = try await node3.status()

        #expect(try await node2.command("put hello world") == "Stored key 'hello' at 3 nodes")
        #expect(try await node2.command("get hello") == "Value: world")
        #expect(try await node2.command("get nope") == "Key 'nope' not found")

        let status = try await node2.status()
        #expect(status.first == "=== Node Status ===")
        let id = status.first { $0.hasPrefix("Node ID: ") }?.dropFirst("Node ID: ".count) ?? ""
        #expect(id.count == 40 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "bad ID in \(status)")
        #expect(status.contains { $0.hasPrefix("Address: 127.0.0.1:") })
        #expect(status.contains { $0.wholeMatch(of: /Bucket \d+: \d+ nodes/) != nil }, "no bucket line in \(status)")
        #expect(status.contains("Total known nodes: 2"), "\(status)")
        #expect(status.contains("Stored keys: 1"), "\(status)")

        #expect(try await node2.command("quit") == "Goodbye!")
        #expect(try await node2.waitForExit() == 0)

        #expect(try await node3.command("get hello") == "Value: world")
        try node3.closeInput()
        #expect(try await node3.readLine() == "Goodbye!")
        #expect(try await node3.waitForExit() == 0)

        #expect(try await node1.command("quit") == "Goodbye!")
        #expect(try await node1.waitForExit() == 0)
    }

    @Test func pipedInputRunsInOrderAndExitsAtEndOfInput() async throws {
        let (node1, seed) = try await startSeed()
        defer { node1.kill() }
        let client = try ReplProcess(["0", seed])
        defer { client.kill() }
        try client.send("put a 1")
        try client.send("get a")
        try client.closeInput()
        #expect(try await client.waitForExit(timeout: .seconds(20)) == 0)
        let lines = try await client.remainingOutput().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 4, "\(lines)")  // no prompt anywhere, so exactly these lines and a final newline
        #expect(lines.first?.hasPrefix("Stored key 'a' at ") == true && lines.first?.hasSuffix(" nodes") == true, "\(lines)")
        #expect(lines.dropFirst().first == "Value: 1")
        #expect(lines.dropFirst(2).first == "Goodbye!")
        #expect(lines.last == "")
    }

    @Test(arguments: [
        [], ["abc"], ["70000"], ["--bogus"], ["0", "localhost"], ["0", "localhost:99999"], ["0", "--log-level", "loud"],
        ["0", "--replication-interval", "5"], ["0", "--leave-timeout=0s"], ["0", "--failure-limit", "0"], ["0", "--rejoin-max"],
    ])
    func usageErrorsExit64WithOneErrorLine(arguments: [String]) async throws {
        let result = try await runToExit(arguments)
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.count == 2, "\(result.stderr)")
        #expect(result.stderr.first?.hasPrefix("dht: ") == true, "\(result.stderr)")
        #expect(result.stderr.last == "Try 'dht --help'.")
    }

    @Test func unresolvableBootstrapHostExits1() async throws {
        let result = try await runToExit(["0", "no-such-host.invalid:8001"], timeout: .seconds(60))
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.count == 1, "\(result.stderr)")
        #expect(result.stderr.first?.hasPrefix("dht: cannot resolve bootstrap host 'no-such-host.invalid'") == true, "\(result.stderr)")
    }

    @Test func portInUseExits1() async throws {
        let taken = try SilentUDPSocket()
        let result = try await runToExit(["\(taken.port)", "--bind", "127.0.0.1"])
        #expect(result.status == 1)
        #expect(result.stderr == ["dht: UDP port \(taken.port) is already in use on 127.0.0.1"])
        withExtendedLifetime(taken) {}
    }

    @Test func unansweredBootstrapWarnsAndRunsAlone() async throws {
        let silent = try SilentUDPSocket()
        let node = try ReplProcess(["0", "--bind", "127.0.0.1", "127.0.0.1:\(silent.port)"])
        defer { node.kill() }
        let status = try await node.status(timeout: .seconds(30))
        #expect(status.contains("Total known nodes: 0"), "\(status)")
        let address = status.first { $0.hasPrefix("Address: ") }?.dropFirst("Address: ".count) ?? "?"
        #expect(node.errorOutput.contains(
            "dht: no bootstrap node answered; running alone and retrying (others can still join at \(address))\n"), "\(node.errorOutput)")
        #expect(try await node.command("quit") == "Goodbye!")
        #expect(try await node.waitForExit() == 0)
        withExtendedLifetime(silent) {}
    }

    @Test func timingOptionsRunANodeWithTheNewCommandsAndStatusLines() async throws {
        let (seed, endpoint) = try await startSeed()
        defer { seed.kill() }
        let node = try ReplProcess([
            "0", "--bind", "127.0.0.1", "--replication-interval", "2s", "--republish-interval=1m",
            "--value-lifetime", "1h", "--refresh-interval", "10m", "--questionable-after=5m",
            "--rejoin-initial", "500ms", "--rejoin-max", "5s", "--leave-timeout", "1s", "--failure-limit", "3",
        ])
        defer { node.kill() }
        #expect(try await node.command("join \(endpoint)") == "Joined through \(endpoint): 1 node known")
        #expect(try await node.command("put --ttl 30m k v") == "Stored key 'k' at 2 nodes")
        #expect(try await node.failingCommand("put --ttl 30") ==
            "Invalid duration '30' for --ttl: no unit; expected a whole number and a unit (ms, s, m, h or d), such as 30s or 2h")
        #expect(try await node.command("get k") == "Value: v")

        let status = try await node.status()
        let tail = Array(status.drop { !$0.hasPrefix("Total known nodes: ") })
        #expect(tail.count == 5, "\(status)")
        #expect(tail.first == "Total known nodes: 1", "\(status)")
        #expect(tail.dropFirst().first == "Stored keys: 1", "\(status)")
        #expect(tail.dropFirst(2).first?.wholeMatch(of: /Values expiring within 1 h: \d+/) != nil, "\(status)")
        #expect(tail.dropFirst(3).first?.wholeMatch(of: /Tombstones: \d+/) != nil, "\(status)")
        #expect(tail.last == "==================")

        #expect(try await node.command("quit") == "Goodbye!")
        #expect(try await node.waitForExit() == 1)
        #expect(node.errorOutputAfterBanner == "Invalid duration '30' for --ttl: no unit; expected a whole number and a unit "
                + "(ms, s, m, h or d), such as 30s or 2h\ndht: 1 command failed\n", "\(node.errorOutput)")
    }

    @Test func helpAndVersionExit0() async throws {
        let help = try await runToExit(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout == Output.usage + "\n")
        #expect(help.stderr.isEmpty)
        let version = try await runToExit(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "dht \(Output.version)\n")
    }

    @Test func unknownCommandAndUsageErrorsKeepTheREPLGoing() async throws {
        let node = try ReplProcess(["0", "--bind", "127.0.0.1"])
        defer { node.kill() }
        #expect(try await node.failingCommand("frobnicate") == "Unknown command: frobnicate")
        #expect(try await node.readErrorLine() == "Type 'help' for the list of commands.")
        try node.send("")
        #expect(try await node.failingCommand("get") == "Usage: get <key>")
        #expect(try await node.failingCommand("put k") == "Usage: put <key> <value>")
        #expect(try await node.status().contains("Stored keys: 0"))
        #expect(try await node.command("exit") == "Goodbye!")
        // Errors went to stderr, so a script reading stdout sees only answers; and it learns of them from the status.
        #expect(try await node.waitForExit() == 1)
        #expect(node.errorOutput.hasSuffix("dht: 3 commands failed\n"), "\(node.errorOutput)")
    }
}
