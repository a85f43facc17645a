import Foundation

/// `--config FILE` (or `DHT_CONFIG`): settings from a JSON object whose keys are the long
/// option names without dashes (`"port"`, `"bootstrap"`, `"http"`, `"data-dir"`, ...).
///
/// The file is the lowest layer above the defaults: the environment beats it and a flag
/// beats both. It is read by turning each key into the `DHT_*` variable of its option, so
/// the values are checked by exactly the code that checks the environment's.
enum ConfigFile {
    /// The file's settings as `DHT_*` variables, or the reason it cannot be used.
    static func variables(fromJSON data: Data, path: String) -> Result<[String: String], UsageError> {
        func fail(_ message: String) -> Result<[String: String], UsageError> {
            .failure(UsageError(message: "\(path): \(message)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return fail("expected one JSON object, such as {\"port\": 8001, \"http\": 8080}")
        }
        let known = CommandLineOptions.environmentNames
        var variables: [String: String] = [:]
        for key in object.keys.sorted() {
            let name = key == "config" ? "" : CommandLineOptions.environmentName(of: "--" + key)
            guard known.contains(name) else { return fail("unknown setting \"\(key.prefix(60))\"") }
            guard let text = text(of: object[key], listAllowed: key == "bootstrap" || key == "routers" || key == "http-allow-host") else {
                return fail("setting \"\(key)\" must be a string, a number\(key == "bootstrap" ? ", a list of host:port strings" : "") or true/false")
            }
            variables[name] = text
        }
        return .success(variables)
    }

    /// A JSON value as the text its variable would hold: numbers and strings as they are,
    /// true and false as 1 and 0, a list of strings joined with commas where a list is allowed.
    private static func text(of value: Any?, listAllowed: Bool) -> String? {
        switch value {
        // Foundation on Linux gives JSON's true and false as Bool and numbers as NSNumber, which is no Bool.
        case let flag as Bool: return flag ? "1" : "0"
        case let number as NSNumber: return number.stringValue
        case let string as String: return string
        case let list as [Any] where listAllowed:
            let strings = list.compactMap { $0 as? String }
            return strings.count == list.count && !strings.isEmpty ? strings.joined(separator: ",") : nil
        default: return nil
        }
    }
}
