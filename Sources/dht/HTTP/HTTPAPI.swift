import Foundation
import Kademlia

/// The node's HTTP API: routes a request to the REPL's own replies, so the HTTP bodies
/// are the `--json` objects and the two cannot drift (docs in README § HTTP).
struct HTTPAPI: Sendable {
    /// Runs the commands.
    let repl: REPL
    /// Who may call.
    let policy: HTTPAccessPolicy

    /// The reply to `request`, refusals included.
    func respond(to request: HTTPRequest) async -> HTTPResponse {
        let segments: [String]
        let query: [(name: String, value: String)]
        do {
            segments = try HTTPTarget.segments(of: request.rawPath)
            query = try HTTPTarget.queryItems(of: request.rawQuery)
        } catch {
            return Self.error(400, op: "http", error.reason)
        }
        let route = HTTPRoute(segments: segments)
        if case .refused(let status, let reason) = policy.check(request, isOpen: route == .health) {
            var refusal = Self.error(status, op: "http", reason)
            if status == 401 { refusal.headers.add("WWW-Authenticate", "Bearer") }
            return refusal
        }
        guard let route else { return Self.error(404, op: "http", "no such path") }
        let method = request.method == "HEAD" ? "GET" : request.method
        guard route.methods.contains(method) else {
            var refusal = Self.error(405, op: "http", "\(request.method) is not allowed here")
            refusal.headers.add("Allow", (route.methods + (route.methods.contains("GET") ? ["HEAD"] : [])).joined(separator: ", "))
            return refusal
        }
        return await answer(route, method: method, query: query, body: request.body)
    }

    /// Runs an allowed route.
    private func answer(_ route: HTTPRoute, method: String, query: [(name: String, value: String)], body: [UInt8]) async -> HTTPResponse {
        switch (route, method) {
        case (.status, _): return Self.reply(await repl.reply(to: .status))
        case (.health, _): return health()
        case (.keys, _): return Self.reply(await repl.reply(to: .keys(all: query.contains { $0.name == "all" })))
        case (.peers, _): return Self.reply(await repl.reply(to: .peers))
        case (.placement(let key), _): return Self.reply(await repl.reply(to: .where(key: key)))
        case (.key(let key), "GET"): return Self.reply(await repl.reply(to: .get(key: key)))
        case (.key(let key), "DELETE"): return Self.reply(await repl.reply(to: .delete(key: key)))
        case (.key(let key), _): return await put(key: key, value: body, ttlText: query.first { $0.name == "ttl" }?.value)
        case (.legacyGet, _):
            guard let key = query.first(where: { $0.name == "key" })?.value else { return Self.error(400, op: "get", "give ?key=") }
            return Self.reply(await repl.reply(to: .get(key: key)))
        case (.legacyPut, _): return await legacyPut(body)
        }
    }

    /// A put of `value` under `key`, with the lifetime `?ttl=` gives.
    private func put(key: String, value: [UInt8], ttlText: String?) async -> HTTPResponse {
        var ttl: Duration?
        if let ttlText {
            do {
                ttl = try DurationText.parse(ttlText)
            } catch {
                return Self.error(400, op: "put", Output.invalidDuration(option: "ttl", text: ttlText, problem: error))
            }
        }
        if key.isEmpty { return Self.error(400, op: "put", Output.reply(to: .emptyKey(command: "put")) ?? "empty key") }
        return Self.reply(await repl.put(key: key, value: value, ttl: ttl))
    }

    /// `POST /api/put` with `{"key":…,"value":…}`, read as JSON whatever its content type says
    /// (`curl -d` sends a form type).
    private func legacyPut(_ body: [UInt8]) async -> HTTPResponse {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let key = object["key"] as? String, let value = object["value"] as? String else {
            return Self.error(400, op: "put", #"the body must be {"key":"…","value":"…"}"#)
        }
        return await put(key: key, value: Array(value.utf8), ttlText: nil)
    }

    /// 200 while the node has contacts and heard from one within a minute, else 503: a node
    /// cut off from the network must not look healthy to whoever balances load over it.
    private func health() -> HTTPResponse {
        let peers = repl.node.peers()
        let heard = peers.contains { $0.quietFor < .seconds(60) }
        let healthy = !peers.isEmpty && heard
        let body = JSONValue.object([("op", "health"), ("healthy", .bool(healthy)), ("contacts", .int(peers.count))]).encoded
        return HTTPResponse.json(healthy ? 200 : 503, body)
    }

    /// A REPL reply as HTTP: found and done are 200, not found 404, refusals 4xx, failures 503.
    static func reply(_ reply: Reply?) -> HTTPResponse {
        guard let reply else { return error(500, op: "http", "no reply") }
        return HTTPResponse.json(status(of: reply), reply.json.encoded)
    }

    /// The status a REPL reply maps to.
    static func status(of reply: Reply) -> Int {
        let text = reply.json.encoded
        if !reply.isError { return text.contains(#""found":false"#) ? 404 : 200 }
        if text.contains("too large") { return 413 }
        if text.contains(#""error":"usage""#) || text.contains("Invalid") || text.contains("refused") { return 400 }
        return 503
    }

    /// A JSON error reply.
    static func error(_ status: Int, op: String, _ reason: String) -> HTTPResponse {
        HTTPResponse.json(status, JSONValue.object([("op", .string(op)), ("error", .string(reason))]).encoded)
    }
}

/// The API's paths.
enum HTTPRoute: Equatable {
    case status, health, keys, peers
    case key(String)
    case placement(String)
    /// Seed 000's `GET /api/get?key=` and `GET /api/status` (as `.status`) and `POST /api/put`.
    case legacyGet, legacyPut

    /// The route for a decoded path; nil when there is none.
    init?(segments: [String]) {
        switch segments.count {
        case 2 where segments[0] == "api":
            switch segments[1] {
            case "status": self = .status
            case "get": self = .legacyGet
            case "put": self = .legacyPut
            default: return nil
            }
        case 3 where segments[0] == "api" && segments[1] == "v1":
            switch segments[2] {
            case "status": self = .status
            case "health": self = .health
            case "keys": self = .keys
            case "peers": self = .peers
            default: return nil
            }
        case 4 where segments[0] == "api" && segments[1] == "v1":
            switch segments[2] {
            case "keys": self = .key(segments[3])
            case "where": self = .placement(segments[3])
            default: return nil
            }
        default: return nil
        }
    }

    /// The methods the route takes (HEAD goes with GET).
    var methods: [String] {
        switch self {
        case .key: ["GET", "PUT", "DELETE"]
        case .legacyPut: ["POST"]
        default: ["GET"]
        }
    }
}
