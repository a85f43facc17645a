import Foundation
import Kademlia
import Synchronization

/// `GET /metrics`: the node's counters and gauges in Prometheus's text format (0.0.4),
/// named after libtorrent's DHT counters with Prometheus's suffixes.
enum Metrics {
    /// One metric: its name, kind, help line and samples. A sample's `suffix` completes
    /// the series name (`_bucket`, `_sum`, `_count` for a histogram; empty otherwise).
    struct Family {
        var name: String
        var type: String
        var help: String
        var samples: [(suffix: String, labels: String, value: String)]
    }

    /// What the page reports: the node's status, traffic and gauges, and the HTTP side's counts.
    struct Inputs {
        var status: NodeStatus
        var traffic: TrafficCounts
        var gauges = NodeGauges()
        /// HTTP replies sent, by status code.
        var httpReplies: [Int: Int] = [:]
        /// Event and watch streams open.
        var streams = 0
        /// Lookups finished: their durations in seconds, and the queries each sent.
        var lookupSeconds = LookupStats.durationHistogram
        var lookupQueries = LookupStats.queriesHistogram
    }

    /// The page for `inputs`.
    static func page(_ inputs: Inputs) -> String {
        let traffic = inputs.traffic, status = inputs.status, gauges = inputs.gauges
        return render([
            counter("dht_messages_in_total", "Datagrams received.", traffic.datagramsReceived),
            counter("dht_messages_out_total", "Datagrams sent.", traffic.datagramsSent),
            counter("dht_bytes_in_total", "Bytes of the datagrams received.", traffic.bytesReceived),
            counter("dht_bytes_out_total", "Bytes of the datagrams sent.", traffic.bytesSent),
            family("dht_messages_dropped_total", "counter", "Datagrams dropped unread, by reason.", [
                (#"reason="oversized""#, traffic.droppedOversized), (#"reason="unreadable""#, traffic.droppedUnreadable),
                (#"reason="rate""#, traffic.queriesDroppedSilently),
            ]),
            family("dht_queries_in_total", "counter", "Queries received, by method.",
                   QueryMethod.allCases.map { (#"method="\#($0.rawValue)""#, traffic.queriesReceived[$0] ?? 0) }),
            counter("dht_invalid_queries_total", "Malformed queries received.", traffic.invalidQueries),
            family("dht_queries_out_total", "counter", "Queries sent, by method.", [
                (#"method="ping""#, traffic.pingsSent), (#"method="find_node""#, traffic.findNodesSent),
                (#"method="find_value""#, traffic.findValuesSent), (#"method="store""#, traffic.storesSent),
            ]),
            family("dht_upkeep_queries_out_total", "counter", "Queries sent to keep the routing table or the values alive.",
                   [(#"kind="routing""#, traffic.routingQueriesSent), (#"kind="data""#, traffic.dataQueriesSent)]),
            counter("dht_timeouts_total", "Queries this node sent that got no reply in time.", traffic.queriesTimedOut),
            gauge("dht_pending_queries", "Queries sent and not yet answered or timed out.", gauges.pendingQueries),
            counter("dht_busy_answers_out_total", "Queries refused with a busy answer (their host was over its rate).", traffic.busyAnswersSent),
            counter("dht_busy_answers_in_total", "Busy answers to this node's queries.", traffic.busyAnswersReceived),
            counter("dht_queries_dropped_total", "Queries dropped unanswered for their host's rate.", traffic.queriesDroppedSilently),
            counter("dht_stores_refused_total", "Stores refused for the quotas.", traffic.storesRefused),
            gauge("dht_nodes", "Contacts in the routing table.", status.totalNodes),
            family("dht_bucket_nodes", "gauge", "Contacts per routing-table bucket.",
                   status.buckets.map { (#"bucket="\#($0.index)""#, $0.count) }),
            family("dht_bucket_replacements", "gauge", "Contacts waiting to replace one in a full bucket, per bucket.",
                   gauges.replacements.map { (#"bucket="\#($0.index)""#, $0.count) }),
            gauge("dht_values", "Values held on this node.", status.storedKeys),
            gauge("dht_value_bytes", "Bytes the store charges for what it holds (values, keys, overhead).", gauges.storedBytes),
            gauge("dht_tombstones", "Tombstones held on this node.", status.tombstones),
            gauge("dht_values_expiring_soon", "Values held here that expire within an hour.", status.expiringWithinHour),
            gauge("dht_items", "BEP 44 items held on this node.", status.items),
            gauge("dht_torrents", "BEP 5 torrents with peers announced here.", gauges.torrents),
            gauge("dht_torrent_peers", "BEP 5 peers announced here, over all torrents.", gauges.torrentPeers),
            gauge("dht_listeners", "Registrations of other nodes' watches held here (listen).", gauges.listeners),
            histogram("dht_lookup_duration_seconds", "How long lookups took, from the first query to the end.", inputs.lookupSeconds),
            histogram("dht_lookup_queries", "Queries each lookup sent.", inputs.lookupQueries),
            family("dht_http_requests_total", "counter", "HTTP replies sent, by status code.",
                   inputs.httpReplies.sorted { $0.key < $1.key }.map { (#"code="\#($0.key)""#, $0.value) }),
            gauge("dht_http_streams", "Event and watch streams open.", inputs.streams),
        ])
    }

    /// The text format: HELP and TYPE before each family's samples, a newline after every line.
    static func render(_ families: [Family]) -> String {
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for sample in family.samples {
                text += family.name + sample.suffix + (sample.labels.isEmpty ? "" : "{\(sample.labels)}") + " \(sample.value)\n"
            }
        }
        return text
    }

    private static func family(_ name: String, _ type: String, _ help: String, _ samples: [(String, Int)]) -> Family {
        Family(name: name, type: type, help: help, samples: samples.map { ("", $0.0, String($0.1)) })
    }

    private static func counter(_ name: String, _ help: String, _ value: Int) -> Family {
        family(name, "counter", help, [("", value)])
    }

    private static func gauge(_ name: String, _ help: String, _ value: Int) -> Family {
        family(name, "gauge", help, [("", value)])
    }

    private static func histogram(_ name: String, _ help: String, _ histogram: Histogram) -> Family {
        let buckets = histogram.cumulative.map { bucket in
            (suffix: "_bucket", labels: #"le="\#(bucket.bound.map(number) ?? "+Inf")""#, value: String(bucket.count))
        }
        return Family(name: name, type: "histogram", help: help,
                      samples: buckets + [("_sum", "", number(histogram.sum)), ("_count", "", String(histogram.count))])
    }

    /// A number as Prometheus reads it: an integer without a fraction, else up to 6 decimals.
    private static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

/// Lookups as they finish, as the two histograms of `/metrics`.
final class LookupStats: Sendable {
    /// Seconds: 5 ms to 10 s.
    static let durationHistogram = Histogram(bounds: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    /// Queries: 1 to 100.
    static let queriesHistogram = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 100])

    private let histograms = Mutex((seconds: LookupStats.durationHistogram, queries: LookupStats.queriesHistogram))

    /// Counts a finished lookup.
    func record(_ report: LookupReport) {
        histograms.withLock { histograms in
            histograms.seconds.observe(Double(report.duration.totalNanoseconds) / 1e9)
            histograms.queries.observe(Double(report.queries))
        }
    }

    /// The histograms so far.
    var snapshot: (seconds: Histogram, queries: Histogram) { histograms.withLock { $0 } }
}

/// HTTP replies sent, by status code, for `/metrics`.
final class HTTPReplyCounts: Sendable {
    private let counts = Mutex<[Int: Int]>([:])

    /// Counts one reply with `status`.
    func count(_ status: Int) { counts.withLock { $0[status, default: 0] += 1 } }

    /// The counts so far.
    var snapshot: [Int: Int] { counts.withLock { $0 } }
}
