import Kademlia

/// The store, rate and routing-table limits given on the command line; nil keeps the
/// library default (`NodeLimits`, whose defaults PROTOCOL.md lists).
struct LimitOptions: Equatable {
    /// `--max-values`: values and tombstones held at most.
    var maxStoredValues: Int?
    /// `--max-store-bytes`: bytes held at most (a number, or with K, M or G).
    var maxStoredBytes: Int?
    /// `--query-rate`: queries per second one host may send.
    var queriesPerSecondPerHost: Int?
    /// `--query-burst`: queries a quiet host may send at once.
    var queryBurstPerHost: Int?
    /// `--spare-rate`: queries per second answered beyond the hosts' shares while not busy.
    var spareQueriesPerSecond: Int?
    /// `--contacts-per-host`: routing-table places one IP address may hold.
    var contactsPerHost: Int?
    /// `--strict-loopback`: count 127.x.y.z as hosts of their own (not address and port).
    var strictLoopback = false

    /// The options with a value, in the order `--help` lists them.
    static let valueOptions = ["--max-values", "--max-store-bytes", "--query-rate", "--query-burst", "--spare-rate",
                               "--contacts-per-host"]
    /// The flag.
    static let strictLoopbackFlag = "--strict-loopback"

    /// Sets `name` from `text`; returns the usage message if `text` cannot be used.
    mutating func set(_ name: String, to text: String) -> String? {
        guard let number = Self.parseCount(text, allowingUnits: name == "--max-store-bytes") else {
            return "invalid number '\(text.prefix(40))' for \(name) (expected a whole number of 1 or more"
                + (name == "--max-store-bytes" ? ", optionally with K, M or G)" : ")")
        }
        switch name {
        case "--max-values": maxStoredValues = number
        case "--max-store-bytes": maxStoredBytes = number
        case "--query-rate": queriesPerSecondPerHost = number
        case "--query-burst": queryBurstPerHost = number
        case "--spare-rate": spareQueriesPerSecond = number
        case "--contacts-per-host": contactsPerHost = number
        default: return "unknown option '\(name)'"
        }
        return nil
    }

    /// Writes every limit given into `configuration`.
    func apply(to configuration: inout NodeConfiguration) {
        if let maxStoredValues { configuration.limits.maxStoredValues = maxStoredValues }
        if let maxStoredBytes { configuration.limits.maxStoredBytes = maxStoredBytes }
        if let queriesPerSecondPerHost { configuration.limits.queriesPerSecondPerHost = Double(queriesPerSecondPerHost) }
        if let queryBurstPerHost { configuration.limits.queryBurstPerHost = Double(queryBurstPerHost) }
        if let spareQueriesPerSecond { configuration.limits.spareQueriesPerSecond = Double(spareQueriesPerSecond) }
        if let contactsPerHost { configuration.limits.contactsPerHost = contactsPerHost }
        if strictLoopback { configuration.limits.relaxLoopback = false }
    }

    /// Digits, 1 or more and at most 2^40; with `allowingUnits` a K, M or G suffix (powers of 1024).
    static func parseCount(_ text: String, allowingUnits: Bool) -> Int? {
        var digits = Substring(text)
        var scale = 1
        if allowingUnits, let last = digits.last, let unit = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30][String(last).uppercased()] {
            scale = unit
            digits = digits.dropLast()
        }
        guard !digits.isEmpty, digits.count <= 13, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let value = Int(digits), value > 0, value <= (1 << 40) / scale else { return nil }
        return value * scale
    }
}
