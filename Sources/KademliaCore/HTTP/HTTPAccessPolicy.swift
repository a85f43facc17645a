/// Whether a request may reach the API, decided before any route runs.
public enum HTTPAccess: Equatable, Sendable {
    /// Go on.
    case allowed
    /// Refuse with `status` (400, 401 or 403), saying `reason`.
    case refused(status: Int, reason: String)
}

/// Who may talk to the node's HTTP API: safe by default on a machine shared with a browser.
///
/// The browser is the attacker here (kubo's CSRF history, DNS rebinding): a page on any
/// site can make the user's browser send requests to `127.0.0.1`. So the `Host` must be
/// exactly one of the names this server answers to (a rebound `evil.test` fails, and so
/// does `127.0.0.1.evil.test`, which a prefix test would let through); an `Origin`, when
/// sent, must be `http://` plus one of them (a page on another port of 127.0.0.1 is
/// another origin, and its form posts carry it); `Sec-Fetch-Site: cross-site` is refused;
/// and with a token every request but the health check must carry it.
public struct HTTPAccessPolicy: Sendable, Equatable {
    /// The port the server listens on, part of every allowed `Host`.
    public var port: UInt16
    /// Host names allowed besides the loopback ones: the bound address and `--http-allow-host` names.
    public var extraHosts: [String]
    /// The bearer token every request must carry; nil for none (loopback only).
    public var token: String?

    /// A policy for a server on `port` that also answers to `extraHosts`, with `token` if given.
    public init(port: UInt16, extraHosts: [String] = [], token: String? = nil) {
        self.port = port
        self.extraHosts = extraHosts
        self.token = token
    }

    /// Every `Host` value accepted: `127.0.0.1:P`, `localhost:P`, `[::1]:P` and each extra name with `:P`, lowercased.
    public var allowedHosts: Set<String> {
        Set((["127.0.0.1", "localhost", "[::1]"] + extraHosts).map { "\($0.lowercased()):\(port)" })
    }

    /// The decision for `request`; `isOpen` marks a path (the health check) that needs no token.
    public func check(_ request: HTTPRequest, isOpen: Bool = false) -> HTTPAccess {
        let hosts = allowedHosts
        if let host = request.headers["host"], !hosts.contains(host.lowercased()) {
            return .refused(status: 403, reason: "this server does not answer to that Host")
        }
        if let origin = request.headers["origin"] {
            let lowered = origin.lowercased()
            guard lowered.hasPrefix("http://"), hosts.contains(String(lowered.dropFirst("http://".count))) else {
                return .refused(status: 403, reason: "requests from another origin are refused")
            }
        }
        if request.headers["sec-fetch-site"]?.lowercased() == "cross-site" {
            return .refused(status: 403, reason: "cross-site requests are refused")
        }
        if let token, !isOpen {
            guard let given = Self.bearerToken(request.headers["authorization"]), Self.constantTimeEqual(given, token) else {
                return .refused(status: 401, reason: "a bearer token is required")
            }
        }
        return .allowed
    }

    /// The token of an `Authorization: Bearer TOKEN` header.
    private static func bearerToken(_ header: String?) -> String? {
        guard let header, header.count > 7, header.prefix(7).lowercased() == "bearer " else { return nil }
        return String(header.dropFirst(7).trimmingBlanks())
    }

    /// Whether `given` equals `expected`, in time that depends on their lengths only, so
    /// the time a refusal takes tells nothing of how much of a guess was right.
    public static func constantTimeEqual(_ given: String, _ expected: String) -> Bool {
        let lhs = Array(given.utf8), rhs = Array(expected.utf8)
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count) | (lhs.count == rhs.count ? 0 : 1)
        for index in 0..<max(lhs.count, rhs.count) {
            let left = index < lhs.count ? lhs[index] : 0
            let right = index < rhs.count ? rhs[index] : 0
            difference |= left ^ right
        }
        return difference == 0
    }
}
