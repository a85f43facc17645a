import Foundation
import Testing
@testable import dht

/// `--config FILE`: a JSON object of long option names, beneath the environment and the flags.
@Suite struct ConfigFileTests {
    private func variables(_ json: String) -> Result<[String: String], UsageError> {
        ConfigFile.variables(fromJSON: Data(json.utf8), path: "node.json")
    }

    @Test func keysBecomeTheirVariablesWithValuesAsText() throws {
        let settings = try variables(#"{"port": 8001, "bootstrap": ["a:1", "b:2"], "http": "127.0.0.1:8080", "json": true, "#
                                     + #""mainline": false, "data-dir": "/var/lib/dht", "value-lifetime": "2h"}"#).get()
        #expect(settings == ["DHT_PORT": "8001", "DHT_BOOTSTRAP": "a:1,b:2", "DHT_HTTP": "127.0.0.1:8080", "DHT_JSON": "1",
                             "DHT_MAINLINE": "0", "DHT_DATA_DIR": "/var/lib/dht", "DHT_VALUE_LIFETIME": "2h"])
    }

    @Test(arguments: [
        (#"{"prot": 8001}"#, #"node.json: unknown setting "prot""#),
        (#"{"config": "other.json"}"#, #"node.json: unknown setting "config""#),
        (#"{"port": {"value": 1}}"#, #"node.json: setting "port" must be a string, a number or true/false"#),
        (#"{"port": null}"#, #"node.json: setting "port" must be a string, a number or true/false"#),
        (#"{"bootstrap": [1, 2]}"#, #"node.json: setting "bootstrap" must be a string, a number, a list of host:port strings or true/false"#),
        (#"{"port": [8001]}"#, #"node.json: setting "port" must be a string, a number or true/false"#),
        (#"[8001]"#, #"node.json: expected one JSON object, such as {"port": 8001, "http": 8080}"#),
        ("not json", #"node.json: expected one JSON object, such as {"port": 8001, "http": 8080}"#),
    ])
    func badFilesAreRefusedNamingTheSetting(_ json: String, _ message: String) {
        #expect(variables(json) == .failure(UsageError(message: message)))
    }

    @Test func aFlagBeatsTheEnvironmentWhichBeatsTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("dht-config-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(#"{"port": 8001, "bind": "127.0.0.1", "log-level": "info", "pipeline": 4}"#.utf8).write(to: URL(fileURLWithPath: path))
        let environment = try App.withConfigFile(arguments: ["--config", path, "--pipeline", "8"], environment: ["DHT_LOG_LEVEL": "error"]).get()
        guard case .success(.run(let options)) = CommandLineOptions.parse(["--config", path, "--pipeline", "8"], environment: environment) else {
            Issue.record("did not parse")
            return
        }
        #expect(options.port == 8001 && options.bindAddress == "127.0.0.1", "from the file")
        #expect(options.logLevel == .error, "the environment beats the file")
        #expect(options.pipeline == 8, "a flag beats both")
        let viaVariable = try App.withConfigFile(arguments: [], environment: ["DHT_CONFIG": path]).get()
        #expect(viaVariable["DHT_PORT"] == "8001")
        #expect(App.withConfigFile(arguments: ["--config", path + ".missing"], environment: [:])
                == .failure(UsageError(message: "cannot read the config file \(path).missing")))
    }
}
