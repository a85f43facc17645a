import Foundation
import Kademlia

/// The crawl's replies: the REPL's summary and the JSON object `GET /api/v1/crawl` serves.
enum CrawlReplies {
    /// The reply to `crawl`: the figures as text, the whole map as JSON.
    static func finished(_ result: CrawlResult) -> Reply {
        Reply(text: summary(result), json: object(phase: .done, result))
    }

    /// The reply when a crawl is already under way.
    static let busy = Reply.failure("crawl", "A crawl is already running; GET /api/v1/crawl shows it",
                                    error: "a crawl is already running", kind: .unavailable)

    /// Two lines: who was found and asked, then how load spreads.
    static func summary(_ result: CrawlResult) -> String {
        let progress = result.progress
        let load = result.load
        let seconds = Double(progress.elapsed.totalNanoseconds) / 1e9
        return """
            Crawled \(progress.found) nodes in \(fixed(seconds, 1)) s: \(progress.answered) answered, \(progress.failed) silent, \(progress.queries) queries
            Held: \(load.total) targets in all; per node \(fixed(load.mean, 1)) on average, \(load.max) at most (spread \(fixed(load.spread, 2)))
            """
    }

    /// The crawl object: phase, figures, load and every node.
    static func object(phase: CrawlKeeper.Phase, _ result: CrawlResult?) -> JSONValue {
        let progress = result?.progress
        let load = result?.load ?? LoadSpread([])
        let nodes = (result?.nodes ?? []).map { node in
            JSONValue.object([
                ("id", .string(node.contact.id.hex)), ("address", .string(node.contact.address.description)),
                ("load", node.load.map { .integer($0) } ?? .null),
                ("rtt_ms", node.roundTrip.map { .number(Double($0.totalNanoseconds) / 1e6) } ?? .null),
                ("state", .string(node.state.rawValue)), ("self", .bool(node.isLocal)),
            ])
        }
        return .object([
            ("op", "crawl"), ("state", .string(phase.rawValue)), ("found", .int(progress?.found ?? 0)),
            ("answered", .int(progress?.answered ?? 0)), ("failed", .int(progress?.failed ?? 0)),
            ("queries", .int(progress?.queries ?? 0)),
            ("seconds", .number(Double(progress?.elapsed.totalNanoseconds ?? 0) / 1e9)),
            ("load", .object([("total", .integer(load.total)), ("mean", .number(load.mean)), ("max", .integer(load.max)),
                              ("spread", .number(load.spread))])),
            ("nodes", .array(nodes)),
        ])
    }

    /// The `crawl` event: the figures without the nodes.
    static func event(_ result: CrawlResult) -> JSONValue {
        let progress = result.progress
        return .object([
            ("state", .string(progress.isRunning ? "running" : "done")), ("found", .int(progress.found)),
            ("answered", .int(progress.answered)), ("queries", .int(progress.queries)),
            ("seconds", .number(Double(progress.elapsed.totalNanoseconds) / 1e9)),
        ])
    }

    /// `value` with `digits` decimals.
    private static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}
