/// Why a request target cannot be read: a bad percent escape or bytes that are not UTF-8 (400).
public struct HTTPTargetError: Error, Equatable, Sendable {
    /// What was wrong, for the reply.
    public var reason: String
}

/// A request target's path and query, decoded the one safe way: split first, then
/// percent-decode each piece once, so `%2F` stays inside a key instead of splitting the
/// path (what `URL(string:)`'s normalisation gets wrong for an API whose keys are free
/// text). A `+` is a plus everywhere, in the query too: spaces are `%20`.
public enum HTTPTarget {
    /// The path's segments after the leading `/`, each decoded: `/api/v1/keys/a%2Fb` is
    /// `["api", "v1", "keys", "a/b"]`. An empty path (`/`) has no segments.
    public static func segments(of rawPath: Substring) throws(HTTPTargetError) -> [String] {
        let path = rawPath.hasPrefix("/") ? rawPath.dropFirst() : rawPath
        guard !path.isEmpty else { return [] }
        var segments: [String] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            segments.append(try decode(segment))
        }
        return segments
    }

    /// The query's `name=value` pairs in order, each side decoded; a name without `=` has an empty value.
    public static func queryItems(of rawQuery: Substring) throws(HTTPTargetError) -> [(name: String, value: String)] {
        var items: [(name: String, value: String)] = []
        for pair in rawQuery.split(separator: "&") {
            let name = pair.prefix { $0 != "=" }
            let value = pair.dropFirst(name.count + 1)
            items.append((try decode(name), try decode(value)))
        }
        return items
    }

    /// `text` with every `%XY` replaced by its byte; the bytes must be UTF-8.
    public static func decode(_ text: Substring) throws(HTTPTargetError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(NodeID.hexDigitValue), let low = iterator.next().flatMap(NodeID.hexDigitValue) else {
                throw HTTPTargetError(reason: "a bad percent escape in the target")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw HTTPTargetError(reason: "the target's escapes are not UTF-8")
        }
        return decoded
    }
}
