import Kademlia

/// The HTTP API's command-line settings: `--http`, `--http-token`, `--http-allow-host`.
struct HTTPOptions: Equatable {
    /// The options with a value, each also read from its `DHT_*` variable.
    static let valueOptions = ["--http", "--http-token", "--http-allow-host"]

    /// Where to listen (`--http [ADDR:]PORT`); nil when the API is off (the default).
    var address: String?
    var port: UInt16 = 0
    /// The bearer token every request must carry; required to listen beyond loopback.
    var token: String?
    /// Host names the API answers to besides the loopback ones and the bound address.
    var allowedHosts: [String] = []

    /// Sets `name` from `value`; returns the usage message if `value` cannot be used.
    mutating func set(_ name: String, to value: String) -> String? {
        switch name {
        case "--http":
            let (host, portText) = value.contains(":")
                ? (String(value[..<(value.lastIndex(of: ":") ?? value.endIndex)]), String(value[value.index(after: value.lastIndex(of: ":") ?? value.startIndex)...]))
                : ("127.0.0.1", value)
            guard CommandLineOptions.isIPv4(host), let port = UInt16(portText), portText.allSatisfy(\.isNumber) else {
                return "invalid --http '\(value.prefix(60))' (expected PORT or ADDRESS:PORT, such as 8080 or 127.0.0.1:8080)"
            }
            address = host
            self.port = port
        case "--http-token":
            guard !value.isEmpty, value.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                return "invalid --http-token (expected printable ASCII without spaces)"
            }
            token = value
        default:
            let names = value.split(separator: ",").map { String($0.trimmingBlanks()).lowercased() }
            guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty && !$0.contains(":") && !$0.contains("/") }) else {
                return "invalid --http-allow-host '\(value.prefix(60))' (expected host names, comma-separated, without ports)"
            }
            allowedHosts += names
        }
        return nil
    }

    /// Why these settings cannot run, if they cannot: beyond loopback a token is required.
    var problem: String? {
        guard let address, !address.hasPrefix("127."), token == nil else { return nil }
        return "--http on \(address) is reachable beyond this machine: give --http-token TOKEN (or DHT_HTTP_TOKEN), "
            + "or listen on 127.0.0.1"
    }

    /// The access policy for a server bound to `port`: it answers to the address it is bound
    /// to, or when bound to every interface to each of `interfaces` (IP literals cannot be
    /// rebound, unlike names), besides the loopback names and `--http-allow-host`'s.
    func policy(port boundPort: UInt16, interfaces: [String] = []) -> HTTPAccessPolicy {
        let bound = address.map { $0 == "0.0.0.0" ? interfaces : [$0] } ?? []
        return HTTPAccessPolicy(port: boundPort, extraHosts: bound + allowedHosts, token: token)
    }
}
