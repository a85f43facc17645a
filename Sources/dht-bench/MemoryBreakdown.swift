import Kademlia

/// The nodes' memory by structure, in KiB per node (`MemoryTally`, summed over `nodes`),
/// and what the resident memory measured holds beyond it: the runtime, the node objects,
/// their transports and tasks, and malloc's slack.
struct MemoryBreakdown {
    /// KiB per node by structure, in the tally's order.
    var parts: [(name: String, kib: Double)] = []
    /// KiB per node the tally accounts for.
    var tallied = 0.0
    /// Resident KiB per node beyond the tally.
    var rest = 0.0

    init(of nodes: [DHTNode], residentKiBPerNode: Double) {
        var total = MemoryTally()
        for node in nodes { total.add(node.memoryTally()) }
        let count = Double(max(nodes.count, 1))
        parts = total.parts.map { ($0.name, Double($0.bytes) / 1024 / count) }
        tallied = Double(total.total) / 1024 / count
        rest = residentKiBPerNode - tallied
    }

    /// The breakdown as the JSON reports carry it.
    var report: Report {
        var report = Report()
        for part in parts { report.add(part.name.replacingOccurrences(of: " ", with: "_") + "_kib", part.kib) }
        report.add("tallied_kib", tallied)
        report.add("rest_kib", rest)
        return report
    }

    /// One line for the churn scenario's text report.
    var line: String {
        let listed = parts.map { "\($0.name) \(format($0.kib))" } + ["the rest (runtime, node objects, tasks, malloc) \(format(rest))"]
        return "memory per node by structure, KiB: " + listed.joined(separator: ", ")
    }
}
