import Kademlia
import Testing
@testable import dht

/// Command-line parsing: every accepted form and every usage error.
@Suite struct CommandLineOptionsTests {
    private func options(_ arguments: [String]) -> CommandLineOptions? {
        if case .success(.run(let options)) = CommandLineOptions.parse(arguments) { return options }
        return nil
    }

    private func errorMessage(_ arguments: [String]) -> String? {
        if case .failure(let error) = CommandLineOptions.parse(arguments) { return error.message }
        return nil
    }

    @Test func portAloneUsesDefaults() {
        #expect(options(["8001"]) == CommandLineOptions(port: 8001, bootstrap: [], bindAddress: "0.0.0.0", logLevel: .warning))
        #expect(options(["0"])?.port == 0)
        #expect(options(["65535"])?.port == 65535)
        #expect(options(["08001"])?.port == 8001)
    }

    @Test func bootstrapNodesFollowThePort() {
        #expect(options(["8002", "localhost:8001"])?.bootstrap == ["localhost:8001"])
        #expect(options(["8003", "127.0.0.1:8001", "example.org:9"])?.bootstrap == ["127.0.0.1:8001", "example.org:9"])
    }

    @Test func optionsInAnyPositionAndBothSpellings() {
        let expected = CommandLineOptions(port: 8002, bootstrap: ["a:1"], bindAddress: "127.0.0.1", logLevel: .debug)
        #expect(options(["--bind", "127.0.0.1", "8002", "--log-level", "debug", "a:1"]) == expected)
        #expect(options(["8002", "a:1", "--bind=127.0.0.1", "--log-level=debug"]) == expected)
        #expect(options(["8002", "--log-level", "error"])?.logLevel == .error)
        #expect(options(["8002", "--log-level", "info"])?.logLevel == .info)
        #expect(options(["--", "8002"])?.port == 8002)
    }

    @Test func helpAndVersion() {
        #expect(CommandLineOptions.parse(["--help"]) == .success(.help))
        #expect(CommandLineOptions.parse(["-h"]) == .success(.help))
        #expect(CommandLineOptions.parse(["8001", "--help"]) == .success(.help))
        #expect(CommandLineOptions.parse(["--version"]) == .success(.version))
    }

    @Test(arguments: [
        ([], "missing port"),
        (["abc"], "invalid port 'abc' (expected a number from 0 to 65535)"),
        (["70000"], "invalid port '70000' (expected a number from 0 to 65535)"),
        (["65536"], "invalid port '65536' (expected a number from 0 to 65535)"),
        (["+80"], "invalid port '+80' (expected a number from 0 to 65535)"),
        (["--bogus"], "unknown option '--bogus'"),
        (["8001", "-x"], "unknown option '-x'"),
        (["0", "localhost"], "bootstrap node 'localhost' has no port (expected host:port)"),
        (["0", "localhost:"], "bootstrap node 'localhost:' has an invalid port (expected 1 to 65535)"),
        (["0", "localhost:99999"], "bootstrap node 'localhost:99999' has an invalid port (expected 1 to 65535)"),
        (["0", "localhost:0"], "bootstrap node 'localhost:0' has an invalid port (expected 1 to 65535)"),
        (["0", "localhost:http"], "bootstrap node 'localhost:http' has an invalid port (expected 1 to 65535)"),
        (["0", ":8001"], "bootstrap node ':8001' has no host (expected host:port)"),
        (["0", "::1:8001"], "bootstrap node '::1:8001' is not host:port (IPv6 is not supported)"),
        (["0", "--log-level", "loud"], "invalid log level 'loud' (expected debug, info, warning or error)"),
        (["0", "--log-level"], "option '--log-level' needs a value"),
        (["0", "--bind"], "option '--bind' needs a value"),
        (["0", "--bind", "localhost"], "invalid bind address 'localhost' (expected an IPv4 address such as 127.0.0.1)"),
        (["0", "--bind", "256.0.0.1"], "invalid bind address '256.0.0.1' (expected an IPv4 address such as 127.0.0.1)"),
        (["0", "--bind=1.2.3"], "invalid bind address '1.2.3' (expected an IPv4 address such as 127.0.0.1)"),
    ] as [([String], String)])
    func usageErrors(arguments: [String], message: String) {
        #expect(errorMessage(arguments) == message)
    }

    @Test func ipv4Check() {
        #expect(CommandLineOptions.isIPv4("0.0.0.0"))
        #expect(CommandLineOptions.isIPv4("255.255.255.255"))
        #expect(!CommandLineOptions.isIPv4("1.2.3.4.5"))
        #expect(!CommandLineOptions.isIPv4("1..3.4"))
        #expect(!CommandLineOptions.isIPv4("1.2.3.0004"))
    }
}
