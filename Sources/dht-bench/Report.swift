import Kademlia

/// Builds the one JSON object the benchmark prints, keys in a fixed order so runs diff cleanly.
struct Report {
    private var fields: [(String, JSONValue)] = []

    mutating func add(_ key: String, _ value: Int) { fields.append((key, .int(value))) }
    /// A figure, with at most three decimals; 0 when it could not be measured.
    mutating func add(_ key: String, _ value: Double) { fields.append((key, .number(value.isFinite ? value : 0))) }
    mutating func add(_ key: String, _ value: String) { fields.append((key, .string(value))) }
    mutating func add(_ key: String, _ nested: Report) { fields.append((key, .object(nested.fields))) }

    /// The phase's figures under the keys scripts read.
    static func phase(_ result: PhaseResult) -> Report {
        var report = Report()
        report.add("ops", result.operations)
        report.add("p50_ms", result.percentileMilliseconds(0.5))
        report.add("p90_ms", result.percentileMilliseconds(0.9))
        report.add("p99_ms", result.percentileMilliseconds(0.99))
        report.add("ops_per_s", result.wallSeconds > 0 ? Double(result.operations) / result.wallSeconds : 0)
        report.add("cpu_us_per_op", result.operations > 0 ? result.cpuSeconds * 1_000_000 / Double(result.operations) : 0)
        report.add("success_rate", result.operations > 0 ? Double(result.successes) / Double(result.operations) : 0)
        let perOp = { (count: Int) in result.operations > 0 ? Double(count) / Double(result.operations) : 0 }
        report.add("rpcs_per_op", perOp(result.traffic.total))
        var methods = Report()
        methods.add("ping", perOp(result.traffic.pings))
        methods.add("find_node", perOp(result.traffic.findNodes))
        methods.add("find_value", perOp(result.traffic.findValues))
        methods.add("store", perOp(result.traffic.stores))
        report.add("rpcs_per_op_by_method", methods)
        report.add("timeouts", result.traffic.timeouts)
        report.add("rounds_p50", result.medianHops)
        return report
    }

    /// The report, indented, keys in the order they were added.
    var json: String { JSONValue.object(fields).indented }
}
