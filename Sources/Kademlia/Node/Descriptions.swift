/// Readable one-line forms of the values the library hands back, for `print` and logs.
extension NodeStatus: CustomStringConvertible {
    /// `node 3fa2b1c0 at 127.0.0.1:8001: 12 contacts in 4 buckets, 3 keys, 1 tombstone`
    public var description: String {
        "node \(id.hex.prefix(8)) at \(address): \(totalNodes) contacts in \(buckets.count) buckets, "
            + "\(storedKeys) keys, \(tombstones) tombstones, \(expiringWithinHour) expiring within 1 h"
    }
}

extension FoundValue: CustomStringConvertible {
    /// `seq 3: "world"` (UTF-8, invalid bytes replaced; long values cut), or `seq 4: deleted`.
    public var description: String {
        guard !isDeleted else { return "seq \(seq): deleted" }
        let text = String(decoding: value.prefix(64), as: UTF8.self)
        return "seq \(seq): \(text.debugDescription)" + (value.count > 64 ? " (\(value.count) bytes)" : "")
    }
}

extension BucketCount: CustomStringConvertible {
    /// `bucket 159: 8 contacts`
    public var description: String { "bucket \(index): \(count) contacts" }
}

extension HeldValue: CustomStringConvertible {
    /// `"hello" seq 3, 5 bytes, 86399 s left`
    public var description: String {
        "\((key ?? target.hex).debugDescription) seq \(seq), " + (isTombstone ? "deleted" : "\(size) bytes")
            + ", \(timeLeft.components.seconds) s left"
    }
}

extension Peer: CustomStringConvertible {
    /// `3fa2b1c0 at 127.0.0.1:8002, bucket 159, quiet 4 s`
    public var description: String {
        "\(contact.id.hex.prefix(8)) at \(contact.address), bucket \(bucket), quiet \(quietFor.components.seconds) s"
    }
}

extension Placement: CustomStringConvertible {
    /// `3fa2b1c0 at 127.0.0.1:8002 holds seq 3: "world"` or `... holds nothing`
    public var description: String {
        "\(contact.id.hex.prefix(8)) at \(contact.address)\(isThisNode ? " (this node)" : "") holds " + (holds.map(\.description) ?? "nothing")
    }
}
