import Foundation
import Kademlia

/// The node's HTTP API: routes a request to the REPL's own replies, so the HTTP bodies
/// are the `--json` objects and the two cannot drift (docs in README § HTTP).
struct HTTPAPI: Sendable {
    /// Runs the commands.
    let repl: REPL
    /// Who may call.
    let policy: HTTPAccessPolicy
    /// Replies sent, by status, for `/metrics`.
    let replies = HTTPReplyCounts()

    /// Live events and watches.
    let streams: HTTPStreams
    /// Lookups as they finished, for `/metrics`.
    var lookups = LookupStats()
    /// Keys read often, kept current by watches so a repeated GET needs no lookup.
    let hotKeys: HotKeys

    /// The reply to `request`, refusals included, counted by status.
    func respond(to request: HTTPRequest) async -> HTTPAnswer {
        let answer: HTTPAnswer
        switch admit(request) {
        case .refused(let refusal):
            answer = HTTPAnswer(refusal)
        case .accepted(let route, let method, let query):
            if request.method == "GET", let stream = await streams.open(route, request: request) {
                answer = stream
            } else if case .key(let key) = route, method == "GET", request.headers["accept"] == "application/octet-stream" {
                answer = HTTPAnswer(await rawValue(of: key))
            } else {
                answer = HTTPAnswer(await self.answer(route, method: method, query: query, body: request.body,
                                                     accept: request.headers["accept"]))
            }
        }
        replies.count(answer.response.status)
        return answer
    }

    /// Whether a request may run, and what it asks for.
    private enum Admission {
        case refused(HTTPResponse)
        /// The route, the method (HEAD as GET) and the query's items.
        case accepted(HTTPRoute, method: String, query: [(name: String, value: String)])
    }

    /// Decodes the target and applies the access policy, the routes and their methods.
    private func admit(_ request: HTTPRequest) -> Admission {
        // Who may ask is decided first: a client without the token learns nothing, not even
        // that its path was malformed.
        let segments = Result { () throws(HTTPTargetError) in try HTTPTarget.segments(of: request.rawPath) }
        let route = (try? segments.get()).flatMap(HTTPRoute.init(segments:))
        if case .refused(let status, let reason) = policy.check(request, isOpen: route?.isOpen ?? false) {
            var refusal = Self.error(status, op: "http", reason)
            if status == 401 { refusal.headers.add("WWW-Authenticate", "Bearer") }
            return .refused(refusal)
        }
        let query: [(name: String, value: String)]
        do {
            _ = try segments.get()
            query = try HTTPTarget.queryItems(of: request.rawQuery)
        } catch {
            return .refused(Self.error(400, op: "http", error.reason))
        }
        guard let route else { return .refused(Self.error(404, op: "http", "no such path")) }
        let method = request.method == "HEAD" ? "GET" : request.method
        guard route.methods.contains(method) else {
            var refusal = Self.error(405, op: "http", "\(request.method) is not allowed here")
            refusal.headers.add("Allow", (route.methods + (route.methods.contains("GET") ? ["HEAD"] : [])).joined(separator: ", "))
            return .refused(refusal)
        }
        if let key = route.key, key.isEmpty {
            return .refused(Self.reply(Replies.local(to: .emptyKey(command: route.command(for: method)))))
        }
        if let hash = route.hash, hash.isEmpty || !hash.allSatisfy(\.isHexDigit) {
            return .refused(Self.error(400, op: "http", "expected hexadecimal digits, not '\(hash.prefix(72))'"))
        }
        return .accepted(route, method: method, query: query)
    }

    /// `GET /api/v1/keys/{key}` with `Accept: application/octet-stream`: the value's bytes as they are.
    private func rawValue(of key: String) async -> HTTPResponse {
        do {
            let hot = hotKeys.cached(key)
            let lookedUp = hot == nil ? try await repl.node.get(key: key) : nil
            if hot == nil { hotKeys.read(key) }
            guard let found = hot ?? lookedUp else { return Self.error(404, op: "get", "not found") }
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/octet-stream"),
                                                                   ("X-DHT-Seq", String(found.seq))]), body: found.value)
        } catch {
            return Self.error(Self.status(of: FailureKind.of(error)), op: "get", error.description)
        }
    }

    /// Runs an allowed route.
    private func answer(_ route: HTTPRoute, method: String, query: [(name: String, value: String)], body: [UInt8],
                        accept: String?) async -> HTTPResponse {
        switch (route, method) {
        case (.status, _): return Self.reply(await repl.reply(to: .status))
        case (.metrics, _):
            let (seconds, queries) = lookups.snapshot
            let page = Metrics.page(Metrics.Inputs(status: repl.node.status(), traffic: repl.node.traffic, gauges: repl.node.gauges(),
                                                   httpReplies: replies.snapshot, streams: streams.count,
                                                   lookupSeconds: seconds, lookupQueries: queries))
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain; version=0.0.4; charset=utf-8")]),
                                body: Array(page.utf8))
        case (.health, _): return health()
        case (.events, _), (.watch, _):
            // HEAD: a stream's headers, without opening one.
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/event-stream")]))
        case (.keys, _): return Self.reply(await repl.reply(to: .keys(all: query.contains { $0.name == "all" })))
        case (.peers, _): return Self.reply(await repl.reply(to: .peers))
        case (.placement(let key), _): return Self.reply(await repl.reply(to: .where(key: key)))
        case (.key(let key), "GET"): return Self.reply(await get(key))
        case (.key(let key), "DELETE"):
            hotKeys.wrote(key)
            return Self.reply(await repl.reply(to: .delete(key: key)))
        case (.key(let key), _): return await put(key: key, value: body, ttlText: query.first { $0.name == "ttl" }?.value)
        case (.legacyGet, _):
            guard let key = query.first(where: { $0.name == "key" })?.value else { return Self.error(400, op: "get", "give ?key=") }
            return Self.reply(await get(key))
        case (.legacyPut, _): return await legacyPut(body)
        case (.command, _): return await command(body, accept: accept)
        case (.join, _):
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                  let address = object["address"] as? String else {
                return Self.error(400, op: "join", #"the body must be {"address":"host:port"}"#)
            }
            return Self.reply(await repl.reply(to: Command.parse(line: "join " + OutputViews.quoted(address)) ?? .usage(command: "join")))
        case (.page(let name), _): return PageAssets.response(for: name)
        case (.crawl, "POST"): return startCrawl(body)
        case (.crawl, _):
            let (phase, result) = repl.crawls.snapshot
            return HTTPResponse.json(200, CrawlReplies.object(phase: phase, result).encoded)
        case (.announce, _), (.torrentPeers, _), (.items, _), (.item, _), (.mutableItems, _), (.mutableItem, _):
            return await mainline(route, query: query, body: body) ?? Self.error(404, op: "http", "no such path")
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
        hotKeys.wrote(key)
        return Self.reply(await repl.put(key: key, value: value, ttl: ttl))
    }

    /// A get: from a hot key's watch while it keeps the key current, else a lookup, after
    /// which the key is watched (`HotKeys`). The reply is the REPL's either way.
    private func get(_ key: String) async -> Reply? {
        if let version = hotKeys.cached(key) { return Replies.found(key: key, version) }
        let reply = await repl.reply(to: .get(key: key))
        if reply?.isError == false { hotKeys.read(key) }
        return reply
    }

    /// `POST /api/v1/command`: runs one REPL line as the REPL would and answers with its
    /// reply, as text with `Accept: text/plain` and as the `--json` object otherwise; a
    /// warning goes in `X-DHT-Warning`, a field per line. So `dht --api` prints exactly what the REPL on the
    /// node would, and fails (a status other than 200 and 404) exactly when it would.
    private func command(_ body: [UInt8], accept: String?) async -> HTTPResponse {
        guard let line = String(validating: body, as: UTF8.self), !line.contains(where: \.isNewline) else {
            return Self.error(400, op: "command", "the body must be one line of UTF-8 text")
        }
        guard let command = Command.parse(line: line) else { return Self.reply(Replies.local(to: .usage(command: "command"))) }
        switch command {
        case .quit: return Self.error(400, op: "quit", "quit ends a client, not the node")
        case .watch: return Self.error(400, op: "watch", "watch is a stream: GET /api/v1/keys/{key}/watch")
        case .put(let key, _, _), .delete(let key): hotKeys.wrote(key)
        default: break
        }
        guard let reply = await repl.reply(to: command) else { return Self.error(500, op: "command", "no reply") }
        var response = Self.reply(reply)
        if accept == "text/plain" {
            response.headers = HTTPHeaders([("Content-Type", "text/plain; charset=utf-8")])
            response.body = Array((reply.text + "\n").utf8)
        }
        // One field per line of the warning, so its line breaks survive.
        for line in reply.warning?.split(whereSeparator: \.isNewline) ?? [] { response.headers.add("X-DHT-Warning", String(line)) }
        return response
    }

    /// `POST /api/v1/crawl`: starts a crawl with the limits the body gives, if any
    /// (`{"max_nodes":N,"max_queries":N}`); 202 with the crawl object, 409 while one runs.
    private func startCrawl(_ body: [UInt8]) -> HTTPResponse {
        var limits = CrawlLimits()
        if !body.isEmpty {
            guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
                  Set(object.keys).isSubset(of: ["max_nodes", "max_queries"]),
                  object.values.allSatisfy({ ($0 as? Int).map { $0 > 0 } ?? false }) else {
                return Self.error(400, op: "crawl", #"the body must be empty or {"max_nodes":N,"max_queries":N} with whole numbers over 0"#)
            }
            limits = CrawlLimits(maxNodes: object["max_nodes"] as? Int ?? CrawlLimits.nodeCeiling, maxQueries: object["max_queries"] as? Int)
        }
        guard repl.crawls.start(on: repl.node, limits: limits) else { return Self.error(409, op: "crawl", "a crawl is already running") }
        let (phase, result) = repl.crawls.snapshot
        return HTTPResponse.json(202, CrawlReplies.object(phase: phase, result).encoded)
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

    /// The status a REPL reply maps to: its failure's kind, or 404 for a key not found.
    static func status(of reply: Reply) -> Int {
        guard let failure = reply.failure else { return reply.isNotFound ? 404 : 200 }
        return status(of: failure)
    }

    /// The status a kind of failure maps to.
    static func status(of failure: FailureKind) -> Int {
        switch failure {
        case .refused: 400
        case .tooLarge: 413
        case .unavailable: 503
        }
    }

    /// A JSON error reply.
    static func error(_ status: Int, op: String, _ reason: String) -> HTTPResponse {
        HTTPResponse.json(status, JSONValue.object([("op", .string(op)), ("error", .string(reason))]).encoded)
    }
}
