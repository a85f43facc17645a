import Kademlia

/// The node's lifetime and timing settings given on the command line; nil keeps the library default.
///
/// Kept as overrides rather than a whole `NodeConfiguration` so parsing stays pure and
/// comparable, and a default changed in the library reaches every run that did not set it.
struct NodeTuning: Equatable {
    /// `--replication-interval`: how often a holder re-stores its values at the K closest.
    var replicationInterval: Duration?
    /// `--republish-interval`: how often the publisher stores its own values afresh.
    var republishInterval: Duration?
    /// `--value-lifetime`: the default and longest life of a stored value.
    var valueLifetime: Duration?
    /// `--refresh-interval`: how long a bucket may go without a lookup before it is refreshed.
    var bucketRefreshInterval: Duration?
    /// `--questionable-after`: how long a contact may stay quiet before it is pinged.
    var questionableAfter: Duration?
    /// `--rejoin-initial`: the first wait before retrying the bootstrap nodes.
    var rejoinInitialDelay: Duration?
    /// `--rejoin-max`: the longest wait between bootstrap retries.
    var rejoinMaximumDelay: Duration?
    /// `--leave-timeout`: the longest quitting spends handing values on.
    var leaveTimeout: Duration?
    /// `--failure-limit`: unanswered queries in a row that drop a contact.
    var failureLimit: Int?

    /// The duration options, in the order `--help` lists them, with the setting each one overrides.
    static let durationOptions = [
        "--replication-interval", "--republish-interval", "--value-lifetime", "--refresh-interval",
        "--questionable-after", "--rejoin-initial", "--rejoin-max", "--leave-timeout",
    ]

    /// The integer option.
    static let failureLimitOption = "--failure-limit"

    /// Whether `name` is one of the options this type parses.
    static func handles(_ name: String) -> Bool {
        name == failureLimitOption || durationOptions.contains(name)
    }

    /// Sets the option `name` from `text`; returns the usage message if `text` cannot be used.
    mutating func set(_ name: String, to text: String) -> String? {
        if name == Self.failureLimitOption {
            let digitsOnly = !text.isEmpty && text.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
            guard digitsOnly, let limit = Int(text), limit > 0 else {
                let reason = digitsOnly && text.contains(where: { $0 != "0" }) ? "too large" : "expected a whole number of 1 or more"
                return "invalid failure limit '\(text)' (\(reason))"
            }
            failureLimit = limit
            return nil
        }
        let duration: Duration
        do {
            duration = try DurationText.parse(text)
        } catch {
            return "invalid duration '\(text)' for \(name): \(error.explanation)"
        }
        switch name {
        case "--replication-interval": replicationInterval = duration
        case "--republish-interval": republishInterval = duration
        case "--value-lifetime": valueLifetime = duration
        case "--refresh-interval": bucketRefreshInterval = duration
        case "--questionable-after": questionableAfter = duration
        case "--rejoin-initial": rejoinInitialDelay = duration
        case "--rejoin-max": rejoinMaximumDelay = duration
        case "--leave-timeout": leaveTimeout = duration
        default: return "unknown option '\(name)'"
        }
        return nil
    }

    /// Writes every override into `configuration`, leaving the settings not given alone.
    func apply(to configuration: inout NodeConfiguration) {
        if let replicationInterval { configuration.replicationInterval = replicationInterval }
        if let republishInterval { configuration.republishInterval = republishInterval }
        if let valueLifetime { configuration.valueLifetime = valueLifetime }
        if let bucketRefreshInterval { configuration.bucketRefreshInterval = bucketRefreshInterval }
        if let questionableAfter { configuration.questionableAfter = questionableAfter }
        if let rejoinInitialDelay { configuration.rejoinInitialDelay = rejoinInitialDelay }
        if let rejoinMaximumDelay { configuration.rejoinMaximumDelay = rejoinMaximumDelay }
        if let leaveTimeout { configuration.leaveTimeout = leaveTimeout }
        if let failureLimit { configuration.failureLimit = failureLimit }
    }
}
