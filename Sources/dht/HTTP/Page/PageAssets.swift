import Kademlia

/// The live page's files, compiled into the binary so `GET /` needs nothing on disk and
/// makes no request outside this node (docs/HTTP.md § The page).
enum PageAssets {
    /// The policy every page file is served with: nothing but this origin's own files and
    /// API, no inline script or style, no framing, no forms posting elsewhere.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    /// The media type of the page's scripts (ES modules, which need a JavaScript type).
    static let script = "text/javascript; charset=utf-8"

    /// The files by name: their media type and text.
    static let files: [String: (type: String, text: String)] = [
        "index.html": ("text/html; charset=utf-8", PageHTML.text),
        "style.css": ("text/css; charset=utf-8", PageStyle.text),
        "icon.svg": ("image/svg+xml", PageIcon.text),
        "core.js": (script, PageCoreScript.text),
        "app.js": (script, PageAppScript.text),
        "ring.js": (script, PageRingScript.text),
        "where.js": (script, PageWhereScript.text),
        "holds.js": (script, PageHoldsScript.text),
        "watch.js": (script, PageWatchScript.text),
        "map.js": (script, PageMapScript.text),
    ]

    /// The reply for the page file `name`: 200 with it, or 404.
    static func response(for name: String) -> HTTPResponse {
        guard let file = files[name] else {
            return HTTPResponse.json(404, #"{"op":"http","error":"no such page file"}"#)
        }
        return HTTPResponse(status: 200, headers: HTTPHeaders([
            ("Content-Type", file.type),
            ("Content-Security-Policy", contentSecurityPolicy),
            ("Referrer-Policy", "no-referrer"),
            ("X-Frame-Options", "DENY"),
        ]), body: Array(file.text.utf8))
    }
}
