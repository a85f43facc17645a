import Kademlia
import Synchronization

/// `GET /metrics`: the node's counters and gauges in Prometheus's text format (0.0.4),
/// named after libtorrent's DHT counters with Prometheus's suffixes.
enum Metrics {
    /// One metric: its name, kind, help line and samples (labels, value).
    struct Family {
        var name: String
        var type: String
        var help: String
        var samples: [(labels: String, value: Int)]
    }

    /// The page for a node's `status` and `traffic`, and the HTTP replies sent by status code.
    static func page(status: NodeStatus, traffic: TrafficCounts, httpReplies: [Int: Int]) -> String {
        render([
            counter("dht_messages_in_total", "Datagrams received.", traffic.datagramsReceived),
            counter("dht_messages_out_total", "Datagrams sent.", traffic.datagramsSent),
            Family(name: "dht_queries_out_total", type: "counter", help: "Queries sent, by method.", samples: [
                (#"method="ping""#, traffic.pingsSent), (#"method="find_node""#, traffic.findNodesSent),
                (#"method="find_value""#, traffic.findValuesSent), (#"method="store""#, traffic.storesSent),
            ]),
            Family(name: "dht_upkeep_queries_out_total", type: "counter", help: "Queries sent to keep the routing table or the values alive.",
                   samples: [(#"kind="routing""#, traffic.routingQueriesSent), (#"kind="data""#, traffic.dataQueriesSent)]),
            counter("dht_timeouts_total", "Queries this node sent that got no reply in time.", traffic.queriesTimedOut),
            counter("dht_busy_answers_out_total", "Queries refused with a busy answer (their host was over its rate).", traffic.busyAnswersSent),
            counter("dht_busy_answers_in_total", "Busy answers to this node's queries.", traffic.busyAnswersReceived),
            counter("dht_queries_dropped_total", "Queries dropped unanswered for their host's rate.", traffic.queriesDroppedSilently),
            counter("dht_stores_refused_total", "Stores refused for the quotas.", traffic.storesRefused),
            gauge("dht_nodes", "Contacts in the routing table.", status.totalNodes),
            Family(name: "dht_bucket_nodes", type: "gauge", help: "Contacts per routing-table bucket.",
                   samples: status.buckets.map { (#"bucket="\#($0.index)""#, $0.count) }),
            gauge("dht_values", "Values held on this node.", status.storedKeys),
            gauge("dht_tombstones", "Tombstones held on this node.", status.tombstones),
            gauge("dht_values_expiring_soon", "Values held here that expire within an hour.", status.expiringWithinHour),
            gauge("dht_items", "BEP 44 items held on this node.", status.items),
            Family(name: "dht_http_requests_total", type: "counter", help: "HTTP replies sent, by status code.",
                   samples: httpReplies.sorted { $0.key < $1.key }.map { (#"code="\#($0.key)""#, $0.value) }),
        ])
    }

    /// The text format: HELP and TYPE before each family's samples, a newline after every line.
    static func render(_ families: [Family]) -> String {
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for sample in family.samples {
                text += family.name + (sample.labels.isEmpty ? "" : "{\(sample.labels)}") + " \(sample.value)\n"
            }
        }
        return text
    }

    private static func counter(_ name: String, _ help: String, _ value: Int) -> Family {
        Family(name: name, type: "counter", help: help, samples: [("", value)])
    }

    private static func gauge(_ name: String, _ help: String, _ value: Int) -> Family {
        Family(name: name, type: "gauge", help: help, samples: [("", value)])
    }
}

/// HTTP replies sent, by status code, for `/metrics`.
final class HTTPReplyCounts: Sendable {
    private let counts = Mutex<[Int: Int]>([:])

    /// Counts one reply with `status`.
    func count(_ status: Int) { counts.withLock { $0[status, default: 0] += 1 } }

    /// The counts so far.
    var snapshot: [Int: Int] { counts.withLock { $0 } }
}
