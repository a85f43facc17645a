import Kademlia

/// A datagram on its way across the modelled internet.
struct DatagramInFlight: Sendable {
    var arrival: Timestamp
    /// Orders datagrams arriving at the same instant by what they are, not by who sent first.
    var fingerprint: UInt64
    var sender: SocketAddress
    var receiver: SocketAddress
    var bytes: [UInt8]

    func arrives(before other: DatagramInFlight) -> Bool {
        arrival != other.arrival ? arrival < other.arrival : fingerprint < other.fingerprint
    }
}

/// The datagrams in flight, earliest arrival first, with the NAT mappings the model keeps
/// and a digest of every delivery, so two runs can be compared event for event.
struct DatagramsInFlight: Sendable {
    private var heap: [DatagramInFlight] = []
    /// For each host behind NAT, the addresses it may hear from, until when.
    private var mappings: [SocketAddress: [SocketAddress: Timestamp]] = [:]
    /// FNV-1a over every delivery: its time, its two ends and its bytes' fingerprint.
    private(set) var digest: UInt64 = 0xCBF2_9CE4_8422_2325
    private(set) var deliveredCount = 0

    var count: Int { heap.count }
    var earliest: Timestamp? { heap.first?.arrival }

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

    mutating func push(_ datagram: DatagramInFlight) {
        heap.append(datagram)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].arrives(before: heap[parent]) else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest datagram if it has arrived by `now`, folding it into the digest.
    mutating func popArrived(by now: Timestamp) -> DatagramInFlight? {
        guard let first = heap.first, first.arrival <= now else { return nil }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var earliest = parent
            if left < heap.count, heap[left].arrives(before: heap[earliest]) { earliest = left }
            if right < heap.count, heap[right].arrives(before: heap[earliest]) { earliest = right }
            guard earliest != parent else { break }
            heap.swapAt(parent, earliest)
            parent = earliest
        }
        for word in [UInt64(bitPattern: first.arrival.nanoseconds), UInt64(first.sender.ip), UInt64(first.receiver.ip), first.fingerprint] {
            digest = (digest ^ word) &* 0x100_0000_01B3
        }
        deliveredCount += 1
        return first
    }
}
