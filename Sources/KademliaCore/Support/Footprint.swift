/// The heap bytes a collection's own storage takes, for the per-structure memory tally
/// `dht-bench` prints: capacity, not count, since that is what is allocated. An estimate
/// of the buffer alone (elements that point elsewhere, such as arrays, are added by their
/// owners), within a few percent of what malloc hands out.
package enum Footprint {
    /// A heap object's header, and malloc's own word, about.
    static let header = 32

    /// An array's buffer.
    package static func of<Element>(_ array: [Element]) -> Int {
        array.capacity == 0 ? 0 : header + array.capacity * MemoryLayout<Element>.stride
    }

    /// A dictionary's table: a power-of-two count of slots, at most three quarters full,
    /// each a key, a value and a bit.
    package static func of<Key, Value>(_ dictionary: [Key: Value]) -> Int {
        table(capacity: dictionary.capacity, slot: MemoryLayout<Key>.stride + MemoryLayout<Value>.stride)
    }

    /// A set's table, as a dictionary's without values.
    package static func of<Element>(_ set: Set<Element>) -> Int {
        table(capacity: set.capacity, slot: MemoryLayout<Element>.stride)
    }

    private static func table(capacity: Int, slot: Int) -> Int {
        guard capacity > 0 else { return 0 }
        var slots = 1
        while slots * 3 / 4 < capacity { slots *= 2 }
        return header + 32 + slots * slot + slots / 8
    }
}

/// What one node's state holds, in bytes, by structure: the estimate `dht-bench` prints
/// beside the resident memory it measures, so growth shows where it comes from.
public struct MemoryTally: Sendable {
    /// Bytes by structure, in a stable order.
    public var parts: [(name: String, bytes: Int)] = []

    /// An empty tally.
    public init() {}

    /// The sum of the parts.
    public var total: Int { parts.reduce(0) { $0 + $1.bytes } }

    /// Adds `bytes` under `name`, or to the part already named so.
    public mutating func add(_ name: String, _ bytes: Int) {
        if let index = parts.firstIndex(where: { $0.name == name }) { parts[index].bytes += bytes } else { parts.append((name, bytes)) }
    }

    /// Adds every part of `other`.
    public mutating func add(_ other: MemoryTally) {
        for part in other.parts { add(part.name, part.bytes) }
    }
}
