/// The API's paths.
enum HTTPRoute: Equatable {
    case status, health, keys, peers
    /// `GET /metrics`, in Prometheus's text format.
    case metrics
    /// `GET /api/v1/events`: the node's live events (Server-Sent Events).
    case events
    /// `GET /api/v1/keys/{key}/watch`: every new version of a key (Server-Sent Events).
    case watch(String)
    case key(String)
    case placement(String)
    /// `POST /api/v1/join`.
    case join
    /// `POST /api/v1/command`: one REPL line in, its reply out (what `dht --api` sends).
    case command
    /// BEP 5: `POST /api/v1/torrents/{infohash}/announce`, `GET /api/v1/torrents/{infohash}/peers`.
    case announce(String), torrentPeers(String)
    /// BEP 44: `POST /api/v1/items`, `GET /api/v1/items/{hash}`, `POST /api/v1/mutable`, `GET /api/v1/mutable/{key or target}`.
    case items, item(String), mutableItems, mutableItem(String)
    /// Seed 000's `GET /api/get?key=` and `GET /api/status` (as `.status`) and `POST /api/put`.
    case legacyGet, legacyPut
    /// `GET /` (the page, as `index.html`) and `GET /page/{file}`: the live page's files.
    case page(String)
    /// `POST /api/v1/crawl` starts a crawl of the network; `GET /api/v1/crawl` gives its result so far.
    case crawl

    /// The route for a decoded path; nil when there is none.
    init?(segments: [String]) {
        switch segments.count {
        case 0:
            self = .page("index.html")
        case 1 where segments[0] == "metrics":
            self = .metrics
        case 2 where segments[0] == "page":
            self = .page(segments[1])
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
            case "join": self = .join
            case "items": self = .items
            case "mutable": self = .mutableItems
            case "events": self = .events
            case "command": self = .command
            case "crawl": self = .crawl
            default: return nil
            }
        case 4 where segments[0] == "api" && segments[1] == "v1":
            switch segments[2] {
            case "keys": self = .key(segments[3])
            case "where": self = .placement(segments[3])
            case "items": self = .item(segments[3])
            case "mutable": self = .mutableItem(segments[3])
            default: return nil
            }
        case 5 where segments[0] == "api" && segments[1] == "v1" && segments[2] == "keys" && segments[4] == "watch":
            self = .watch(segments[3])
        case 5 where segments[0] == "api" && segments[1] == "v1" && segments[2] == "torrents":
            switch segments[4] {
            case "announce": self = .announce(segments[3])
            case "peers": self = .torrentPeers(segments[3])
            default: return nil
            }
        default: return nil
        }
    }

    /// Whether the route needs no token: the health check, and the page's files (which hold
    /// nothing of the node's; the page asks for the token before it calls the API).
    var isOpen: Bool {
        switch self {
        case .health, .page: true
        default: false
        }
    }

    /// The info-hash, item hash or key a route names in its path, which must be hexadecimal.
    var hash: String? {
        switch self {
        case .announce(let hash), .torrentPeers(let hash), .item(let hash), .mutableItem(let hash): hash
        default: nil
        }
    }

    /// The key a route names in its path; nil for routes without one.
    var key: String? {
        switch self {
        case .key(let key), .placement(let key), .watch(let key): key
        default: nil
        }
    }

    /// The REPL command a key route runs with `method`, for its refusals.
    func command(for method: String) -> String {
        switch (self, method) {
        case (.placement, _): "where"
        case (.watch, _): "watch"
        case (_, "PUT"): "put"
        case (_, "DELETE"): "delete"
        default: "get"
        }
    }

    /// The methods the route takes (HEAD goes with GET).
    var methods: [String] {
        switch self {
        case .key: ["GET", "PUT", "DELETE"]
        case .crawl: ["GET", "POST"]
        case .legacyPut, .join, .command, .announce, .items, .mutableItems: ["POST"]
        default: ["GET"]
        }
    }
}
