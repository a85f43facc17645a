import Kademlia

/// A datagram on its way across the modelled internet.
struct DatagramInFlight: Sendable {
    var fingerprint: UInt64
    var sender: SocketAddress
    var receiver: SocketAddress
    var bytes: [UInt8]
}

/// The datagrams in flight, earliest arrival first (on the core's `DeadlineHeap`; with
/// the nodes' tasks drained between events, datagrams arrive in the same order every
/// run), with the NAT mappings the model keeps and a digest of every delivery, so two
/// runs can be compared event for event.
struct DatagramsInFlight: Sendable {
    private var heap = DeadlineHeap<DatagramInFlight>()
    /// For each host behind NAT, the addresses it may hear from, until when.
    private var mappings: [SocketAddress: [SocketAddress: Timestamp]] = [:]
    /// FNV-1a over every delivery: its time, its two ends and its bytes' fingerprint.
    private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325

    var count: Int { heap.count }
    var earliest: Timestamp? { heap.earliest }

    /// Notes that `host` (behind NAT) sent to `destination`, opening the way back.
    mutating func openMapping(from host: SocketAddress, to destination: SocketAddress, until end: Timestamp) {
        mappings[host, default: [:]][destination] = end
        if let held = mappings[host], held.count > 4096 {
            mappings[host] = held.filter { $0.value > end - .seconds(3600) }
        }
    }

    /// Whether a host behind NAT lets a datagram from `sender` in at `now`.
    func admits(_ sender: SocketAddress, to host: SocketAddress, now: Timestamp) -> Bool {
        guard let until = mappings[host]?[sender] else { return false }
        return now <= until
    }

    mutating func push(_ datagram: DatagramInFlight, arrivingAt arrival: Timestamp) {
        heap.push(arrival, datagram)
    }

    /// Removes and returns the earliest datagram if it has arrived by `now`, folding it into the digest.
    mutating func popArrived(by now: Timestamp) -> DatagramInFlight? {
        guard let (arrival, datagram) = heap.popDue(now: now) else { return nil }
        for word in [UInt64(bitPattern: arrival.nanoseconds), UInt64(datagram.sender.ip), UInt64(datagram.receiver.ip), datagram.fingerprint] {
            digest = (digest ^ word) &* 0x100_0000_01B3
        }
        return datagram
    }
}
