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

    @Test func dataDirectoryAndFsyncPolicy() {
        #expect(options(["0"])?.dataDirectory == nil)
        #expect(options(["0"])?.fsync == .always)
        #expect(options(["0", "--data-dir", "/var/lib/dht", "--fsync=batch"])?.dataDirectory == "/var/lib/dht")
        #expect(options(["0", "--data-dir", "d", "--fsync", "NEVER"])?.fsync == .never)
        #expect(errorMessage(["0", "--fsync", "sometimes"]) == "invalid fsync policy 'sometimes' (expected always, batch or never)")
        #expect(errorMessage(["0", "--data-dir="]) == "option '--data-dir' needs a directory")
        #expect(errorMessage(["0", "--data-dir"]) == "option '--data-dir' needs a value")
        if case .success(.run(let fromEnvironment)) = CommandLineOptions.parse(["0"], environment: ["DHT_DATA_DIR": "/srv/dht", "DHT_FSYNC": "batch"]) {
            #expect(fromEnvironment.dataDirectory == "/srv/dht" && fromEnvironment.fsync == .batch)
        } else {
            Issue.record("DHT_DATA_DIR and DHT_FSYNC were not taken")
        }
    }

    @Test func pipelineAndSpareRate() {
        #expect(options(["0"])?.pipeline == 1)
        #expect(options(["0", "--pipeline", "16"])?.pipeline == 16)
        #expect(options(["0", "--pipeline=64"])?.pipeline == 64)
        #expect(errorMessage(["0", "--pipeline", "65"]) == "invalid pipeline '65' (expected a whole number from 1 to 64)")
        #expect(errorMessage(["0", "--pipeline", "0"]) == "invalid pipeline '0' (expected a whole number from 1 to 64)")
        #expect(errorMessage(["0", "--pipeline", "many"]) == "invalid pipeline 'many' (expected a whole number from 1 to 64)")
        if case .success(.run(let parsed)) = CommandLineOptions.parse(["0"], environment: ["DHT_PIPELINE": "8"]) {
            #expect(parsed.pipeline == 8)
        } else {
            Issue.record("DHT_PIPELINE should parse")
        }
        var configuration = NodeConfiguration()
        options(["0", "--spare-rate", "200"])?.limits.apply(to: &configuration)
        #expect(configuration.limits.spareQueriesPerSecond == 200)
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

    @Test func timingOptionsInBothSpellings() {
        let parsed = options([
            "0", "--replication-interval", "2s", "--republish-interval=1m", "--value-lifetime", "1d",
            "--refresh-interval=10m", "--questionable-after", "5m", "--rejoin-initial=500ms",
            "--rejoin-max", "5s", "--leave-timeout=1s", "--failure-limit", "3",
        ])
        let expected = NodeTuning(
            replicationInterval: .seconds(2), republishInterval: .seconds(60), valueLifetime: .seconds(86_400),
            bucketRefreshInterval: .seconds(600), questionableAfter: .seconds(300), rejoinInitialDelay: .milliseconds(500),
            rejoinMaximumDelay: .seconds(5), leaveTimeout: .seconds(1), failureLimit: 3)
        #expect(parsed?.tuning == expected)
        #expect(options(["0", "--failure-limit=12"])?.tuning.failureLimit == 12)
        #expect(options(["0", "--leave-timeout", "1s", "--leave-timeout", "3s"])?.tuning.leaveTimeout == .seconds(3))
        #expect(options(["0"])?.tuning == NodeTuning())
    }

    @Test func tuningOverridesOnlyWhatWasGiven() {
        var configuration = NodeConfiguration()
        let defaults = NodeConfiguration()
        NodeTuning(replicationInterval: .seconds(2), failureLimit: 5).apply(to: &configuration)
        #expect(configuration.replicationInterval == .seconds(2))
        #expect(configuration.failureLimit == 5)
        #expect(configuration.republishInterval == defaults.republishInterval)
        #expect(configuration.valueLifetime == defaults.valueLifetime)
        #expect(configuration.leaveTimeout == defaults.leaveTimeout)

        let all = NodeTuning(
            replicationInterval: .seconds(1), republishInterval: .seconds(2), valueLifetime: .seconds(3),
            bucketRefreshInterval: .seconds(4), questionableAfter: .seconds(5), rejoinInitialDelay: .seconds(6),
            rejoinMaximumDelay: .seconds(7), leaveTimeout: .seconds(8), failureLimit: 9)
        all.apply(to: &configuration)
        let applied = [
            configuration.replicationInterval, configuration.republishInterval, configuration.valueLifetime,
            configuration.bucketRefreshInterval, configuration.questionableAfter, configuration.rejoinInitialDelay,
            configuration.rejoinMaximumDelay, configuration.leaveTimeout,
        ]
        #expect(applied == (1...8).map { .seconds($0) })
        #expect(configuration.failureLimit == 9)
    }

    @Test func helpAndVersion() {
        #expect(CommandLineOptions.parse(["--help"]) == .success(.help))
        #expect(CommandLineOptions.parse(["-h"]) == .success(.help))
        #expect(CommandLineOptions.parse(["8001", "--help"]) == .success(.help))
        #expect(CommandLineOptions.parse(["--version"]) == .success(.version))
    }

    @Test(arguments: [
        ([], "missing port (give it as the first argument or in DHT_PORT)"),
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
        (["0", "--replication-interval"], "option '--replication-interval' needs a value"),
        (["0", "--replication-interval", "5"],
         "invalid duration '5' for --replication-interval: no unit; expected a whole number and a unit (ms, s, m, h or d), such as 30s or 2h"),
        (["0", "--value-lifetime=0s"], "invalid duration '0s' for --value-lifetime: must be more than zero"),
        (["0", "--leave-timeout", "-5s"], "invalid duration '-5s' for --leave-timeout: must be more than zero"),
        (["0", "--rejoin-max=99999999999999999999d"], "invalid duration '99999999999999999999d' for --rejoin-max: longer than 36500d"),
        (["0", "--rejoin-initial", "5x"],
         "invalid duration '5x' for --rejoin-initial: unknown unit 'x'; expected a whole number and a unit (ms, s, m, h or d), such as 30s or 2h"),
        (["0", "--questionable-after="],
         "invalid duration '' for --questionable-after: empty; expected a whole number and a unit (ms, s, m, h or d), such as 30s or 2h"),
        (["0", "--failure-limit"], "option '--failure-limit' needs a value"),
        (["0", "--failure-limit", "0"], "invalid failure limit '0' (expected a whole number of 1 or more)"),
        (["0", "--failure-limit=-1"], "invalid failure limit '-1' (expected a whole number of 1 or more)"),
        (["0", "--failure-limit", "2s"], "invalid failure limit '2s' (expected a whole number of 1 or more)"),
        (["0", "--failure-limit", "99999999999999999999"], "invalid failure limit '99999999999999999999' (too large)"),
        (["0", "--ttl", "30s"], "unknown option '--ttl'"),
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
