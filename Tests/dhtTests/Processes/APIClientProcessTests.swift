import Foundation
import Testing
@testable import dht

/// `dht --api`: the REPL's lines and exit statuses against a running node, with no node of its own.
@Suite(.timeLimit(.minutes(1))) struct APIClientProcessTests {
    /// Runs `dht --api URL` with `arguments` and stdin closed (or fed `input`); returns stdout, stderr and the status.
    private func client(_ port: UInt16, _ arguments: [String], token: String? = "s3cret", input: String? = nil)
        async throws -> (out: String, err: String, status: Int32) {
        let tokenArguments = token.map { ["--http-token", $0] } ?? []
        let process = try ReplProcess(["--api", "http://127.0.0.1:\(port)"] + tokenArguments + arguments, stdinClosed: input == nil)
        defer { process.kill() }
        if let input {
            for line in input.split(separator: "\n") { try process.send(String(line)) }
            try process.closeInput()
        }
        let status = try await process.waitForExit()
        return (try await process.remainingOutput(), try await process.errorLines().joined(separator: "\n"), status)
    }

    @Test func oneShotCommandsPrintTheREPLsLinesAndExitAsItWould() async throws {
        let (node, port) = try await HTTPProcessTests.start(["--http-token", "s3cret"])
        defer { node.kill() }
        let put = try await client(port, ["put", "my key", "hello", "world"])
        #expect(put.out == "Stored key 'my key' at 1 nodes\n" && put.status == 0, "\(put)")
        let long = try await client(port, ["put", "--ttl", "3d", "long", "v"])
        #expect(long.status == 0 && long.err.contains("3d"), "the REPL's note, on stderr: \(long)")
        #expect(try await client(port, ["get", "my key"]).out == "Value: hello world\n")
        let missing = try await client(port, ["get", "nothing"])
        #expect(missing.out == "Key 'nothing' not found\n" && missing.status == 0)
        let json = try await client(port, ["--json", "get", "my key"])
        #expect(json.out == #"{"op":"get","key":"my key","found":true,"value":"hello world","seq":0}"# + "\n")
        let status = try await client(port, ["status"])
        #expect(status.out.hasPrefix("=== Node Status ===\n") && status.status == 0)

        let refused = try await client(port, ["get", "my key"], token: nil)
        #expect(refused.status == 1 && refused.out.isEmpty && refused.err.contains("401"), "\(refused)")
        let badTTL = try await client(port, ["put", "--ttl", "1x", "k", "v"])
        #expect(badTTL.status == 1 && badTTL.err.contains("Invalid duration '1x' for --ttl"))
        let unreachable = try await client(1, ["get", "k"])
        #expect(unreachable.status == 1 && unreachable.err.contains("cannot reach the node's API"))
        let usage = try await client(port, ["--bind", "x", "get", "k"])
        #expect(usage.status == 64)
    }

    @Test func pipedCommandsRunInOrderAndAFailureSetsTheStatus() async throws {
        let (node, port) = try await HTTPProcessTests.start(["--http-token", "s3cret"])
        defer { node.kill() }
        let session = try await client(port, [], input: "put a 1\nget a\nbogus\ndelete a\nget a\n")
        #expect(session.out == "Stored key 'a' at 1 nodes\nValue: 1\nDeleted key 'a' at 1 nodes\nKey 'a' not found\n", "\(session)")
        #expect(session.status == 1 && session.err.contains("Unknown command: bogus"))
    }

    @Test func aOneShotWatchPrintsEachVersion() async throws {
        let (node, port) = try await HTTPProcessTests.start(["--http-token", "s3cret"])
        defer { node.kill() }
        _ = try await client(port, ["put", "w", "first"])
        let watcher = try ReplProcess(["--api", "http://127.0.0.1:\(port)", "--http-token", "s3cret", "watch", "w"], stdinClosed: true)
        defer { watcher.kill() }
        #expect(try await watcher.readLine() == "Value: first (seq 0)")
        _ = try await client(port, ["put", "w", "second"])
        #expect(try await watcher.readLine() == "Value: second (seq 1)")
        _ = try await client(port, ["delete", "w"])
        #expect(try await watcher.readLine() == "Key 'w' deleted (seq 2)")
    }
}
