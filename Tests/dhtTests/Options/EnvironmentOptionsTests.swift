import Kademlia
import Testing
@testable import dht

/// Every option from the environment, the flag winning, and bad values naming their variable.
@Suite struct EnvironmentOptionsTests {
    private func options(_ arguments: [String], _ environment: [String: String]) -> CommandLineOptions? {
        guard case .success(.run(let options)) = CommandLineOptions.parse(arguments, environment: environment) else { return nil }
        return options
    }

    private func problem(_ arguments: [String], _ environment: [String: String]) -> String? {
        guard case .failure(let error) = CommandLineOptions.parse(arguments, environment: environment) else { return nil }
        return error.message
    }

    @Test func everyOptionHasAVariable() {
        let environment = [
            "DHT_PORT": "8005", "DHT_BOOTSTRAP": "a:1, b:2", "DHT_BIND": "127.0.0.1", "DHT_LOG_LEVEL": "debug",
            "DHT_LOG_FORMAT": "json", "DHT_NO_REPL": "1", "DHT_JSON": "true", "DHT_HISTORY_FILE": "",
            "DHT_REPLICATION_INTERVAL": "2m", "DHT_FAILURE_LIMIT": "4", "DHT_LEAVE_TIMEOUT": "1s",
        ]
        let parsed = options([], environment)
        #expect(parsed?.port == 8005)
        #expect(parsed?.bootstrap == ["a:1", "b:2"])
        #expect(parsed?.bindAddress == "127.0.0.1")
        #expect(parsed?.logLevel == .debug)
        #expect(parsed?.logFormat == .json)
        #expect(parsed?.serviceMode == true)
        #expect(parsed?.jsonReplies == true)
        #expect(parsed?.historyFile == "")
        #expect(parsed?.tuning.replicationInterval == .seconds(120))
        #expect(parsed?.tuning.failureLimit == 4)
        #expect(parsed?.tuning.leaveTimeout == .seconds(1))
    }

    @Test func flagsAndArgumentsWin() {
        let environment = ["DHT_PORT": "8005", "DHT_BOOTSTRAP": "a:1", "DHT_LOG_LEVEL": "debug", "DHT_BIND": "127.0.0.1"]
        let parsed = options(["9000", "c:3", "--log-level", "error", "--bind=127.0.0.2"], environment)
        #expect(parsed?.port == 9000)
        #expect(parsed?.bootstrap == ["c:3"])
        #expect(parsed?.logLevel == .error)
        #expect(parsed?.bindAddress == "127.0.0.2")
    }

    @Test func everyVariableIsNamedInTheHelp() {
        for option in CommandLineOptions.flags + CommandLineOptions.valueOptions + NodeTuning.durationOptions {
            #expect(CommandLineOptions.environmentName(of: option).hasPrefix("DHT_"))
        }
        #expect(CommandLineOptions.environmentName(of: "--no-repl") == "DHT_NO_REPL")
        #expect(Output.usage.contains("DHT_SOME_NAME"))
        #expect(Output.usage.contains("DHT_PORT") && Output.usage.contains("DHT_BOOTSTRAP"))
    }

    @Test func badValuesNameTheirVariable() {
        #expect(problem([], ["DHT_PORT": "x"]) == "invalid port 'x' in DHT_PORT (expected a number from 0 to 65535)")
        #expect(problem(["1"], ["DHT_NO_REPL": "maybe"]) == "invalid DHT_NO_REPL 'maybe' (expected 1 or 0)")
        #expect(problem(["1"], ["DHT_BOOTSTRAP": "nohost"]) == "DHT_BOOTSTRAP: bootstrap node 'nohost' has no port (expected host:port)")
        #expect(problem(["1"], ["DHT_LOG_FORMAT": "xml"]) == "DHT_LOG_FORMAT: invalid log format 'xml' (expected text or json)")
        #expect(problem(["1"], ["DHT_REPLICATION_INTERVAL": "5"])?.hasPrefix("DHT_REPLICATION_INTERVAL: invalid duration '5'") == true)
        #expect(options(["1"], ["DHT_NO_REPL": "0", "DHT_JSON": ""])?.serviceMode == false)
    }

    @Test func serviceAndJSONFlags() {
        #expect(options(["1", "--no-repl"], [:])?.serviceMode == true)
        #expect(options(["1", "--json"], [:])?.jsonReplies == true)
        // As the environment spells a switch, so may the command line.
        #expect(options(["1", "--no-repl=1"], [:])?.serviceMode == true)
        #expect(options(["1", "--json=yes"], [:])?.jsonReplies == true)
        #expect(options(["1", "--json=0"], ["DHT_JSON": "1"])?.jsonReplies == false)
        #expect(problem(["1", "--json=maybe"], [:]) == "option '--json' takes no value, or =1 or =0 (got 'maybe')")
    }

    @Test func unknownDHTVariablesAreNamedWithTheLikelyOne() {
        let warnings = CommandLineOptions.unknownEnvironmentWarnings(
            ["DHT_LOGLEVEL": "debug", "DHT_PORT": "1", "DHT_FROB": "x", "HOME": "/root", "DHT_DATA_DIR": "/tmp"])
        #expect(warnings == ["warning: ignoring unknown environment variable DHT_FROB",
                             "warning: ignoring unknown environment variable DHT_LOGLEVEL (did you mean DHT_LOG_LEVEL?)"])
        #expect(CommandLineOptions.environmentNames.isSuperset(of: ["DHT_BIND", "DHT_NO_REPL", "DHT_VALUE_LIFETIME", "DHT_MAX_VALUES"]))
    }

    @Test func limitOptionsByFlagAndVariable() {
        let parsed = options(["1", "--max-values", "1000", "--max-store-bytes=4M", "--query-rate", "500", "--strict-loopback"],
                             ["DHT_QUERY_BURST": "900", "DHT_CONTACTS_PER_HOST": "2", "DHT_QUERY_RATE": "7"])
        #expect(parsed?.limits == LimitOptions(maxStoredValues: 1000, maxStoredBytes: 4 << 20, queriesPerSecondPerHost: 500,
                                               queryBurstPerHost: 900, contactsPerHost: 2, strictLoopback: true))
        var configuration = NodeConfiguration()
        parsed?.limits.apply(to: &configuration)
        #expect(configuration.limits.maxStoredBytes == 4 << 20 && !configuration.limits.relaxLoopback)
        #expect(problem(["1", "--max-values", "0"], [:]) == "invalid number '0' for --max-values (expected a whole number of 1 or more)")
        #expect(problem(["1", "--max-store-bytes", "5T"], [:])?.hasSuffix("optionally with K, M or G)") == true)
        #expect(problem(["1", "--query-rate", String(repeating: "9", count: 100_000)], [:])?.count ?? 0 < 200,
                "a long bad argument is not echoed whole")
        #expect(LimitOptions.parseCount("2G", allowingUnits: true) == 2 << 30)
        #expect(LimitOptions.parseCount("2G", allowingUnits: false) == nil)
    }
}
