import Glibc
import Kademlia

/// The lines a node prints on stderr as it starts: who it is, where others reach it, and
/// whether it joined; so a node started on port 0 or as a service says what it got.
enum Banner {
    /// `dht 0.1.0: node <id>` then where it listens and the address to give others.
    static func started(id: NodeID, bindAddress: String, port: UInt16, interfaces: [String]) -> [String] {
        var lines = ["dht \(Output.version): node \(id.hex)"]
        if bindAddress == "0.0.0.0" {
            let shown = interfaces.isEmpty ? "" : ": " + interfaces.joined(separator: ", ")
            lines.append("listening on UDP 0.0.0.0:\(port) (every interface\(shown)); others join with \(reachable(bindAddress, interfaces)):\(port)")
        } else {
            lines.append("listening on UDP \(bindAddress):\(port); others join with \(bindAddress):\(port)")
        }
        return lines
    }

    /// The address to tell others: the bound one, or the first interface that is not loopback.
    static func reachable(_ bindAddress: String, _ interfaces: [String]) -> String {
        guard bindAddress == "0.0.0.0" else { return bindAddress }
        return interfaces.first { !$0.hasPrefix("127.") } ?? interfaces.first ?? "127.0.0.1"
    }

    /// After the join: how many contacts it found.
    static func joined(_ result: JoinResult) -> String {
        result.description
    }

    /// No bootstrap node answered: the node runs alone and its rejoin retries go on.
    static func runningAlone(reachableAt address: String) -> String {
        "dht: no bootstrap node answered; running alone and retrying (others can still join at \(address))"
    }

    /// What the data directory gave back; a damaged journal is the node's own warning.
    static func restored(_ storage: NodeStorage) -> String {
        let recovery = storage.recovery
        guard recovery.hadIdentity else { return "data directory \(storage.directory): new, fsync \(storage.fsync.rawValue)" }
        return "data directory \(storage.directory): restored \(recovery.values) values, \(recovery.publications) publications "
            + "and \(recovery.contacts) contacts (journal \(Output.byteCount(storage.size)), fsync \(storage.fsync.rawValue))"
    }

    /// No bootstrap node was given.
    static func newNetwork(reachableAt address: String) -> String {
        "no bootstrap node given: a new network; others join with dht <port> \(address)"
    }

    /// The IPv4 addresses of the interfaces that are up, loopback first (getifaddrs).
    static func interfaceAddresses() -> [String] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { return [] }
        defer { freeifaddrs(list) }
        var addresses: [String] = []
        var cursor = list
        while let entry = cursor?.pointee {
            cursor = entry.ifa_next
            guard let raw = entry.ifa_addr, raw.pointee.sa_family == sa_family_t(AF_INET),
                  entry.ifa_flags & UInt32(IFF_UP) != 0 else { continue }
            let ip = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            let text = "\(ip >> 24).\(ip >> 16 & 0xFF).\(ip >> 8 & 0xFF).\(ip & 0xFF)"
            if !addresses.contains(text) { addresses.append(text) }
        }
        return addresses.sorted { ($0.hasPrefix("127.") ? 0 : 1, $0) < ($1.hasPrefix("127.") ? 0 : 1, $1) }
    }
}
