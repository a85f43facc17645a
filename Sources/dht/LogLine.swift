import Glibc
import Kademlia

/// Formats log records as lines for stderr: text a person reads, or JSON a shipper parses.
enum LogLine {
    /// `2026-12-01T10:54:21.123Z warning [3fa2b1c0] membership: no bootstrap node answered`
    static func text(_ record: LogRecord, time: String) -> String {
        "\(time) \(record.level.name) [\(record.node)] \(record.event.rawValue): \(record.message)"
    }

    /// `{"time":"...","level":"info","node":"3fa2b1c0","event":"data","message":"...","key":"k","nodes":3}`:
    /// the record's fields follow the message, so a shipper filters by peer or counts without parsing text.
    static func json(_ record: LogRecord, time: String) -> String {
        let fixed = ["time", "level", "node", "event", "message"]
        let fields = record.fields.filter { !fixed.contains($0.name) }.map { field -> (String, JSONValue) in
            switch field.value {
            case .text(let text): (field.name, .string(text))
            case .count(let count): (field.name, .int(count))
            }
        }
        return JSONValue.object([
            ("time", .string(time)), ("level", .string(record.level.name)), ("node", .string(record.node)),
            ("event", .string(record.event.rawValue)), ("message", .string(record.message)),
        ] + fields).encoded
    }

    /// A line for `record` in `format`, stamped with the current time.
    static func format(_ record: LogRecord, as format: LogFormat) -> String {
        let time = timestamp(epochMilliseconds: nowMilliseconds())
        return format == .json ? json(record, time: time) : text(record, time: time)
    }

    /// Milliseconds since 1970 by the wall clock.
    static func nowMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    /// ISO 8601 in UTC with milliseconds, such as `2026-12-01T10:54:21.123Z`; pure, so
    /// tests can pin it (days to a civil date by Howard Hinnant's algorithm).
    static func timestamp(epochMilliseconds: Int64) -> String {
        let milliseconds = ((epochMilliseconds % 1000) + 1000) % 1000
        let seconds = (epochMilliseconds - milliseconds) / 1000
        let secondOfDay = ((seconds % 86_400) + 86_400) % 86_400
        let days = (seconds - secondOfDay) / 86_400 + 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millisecondText = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(year)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
            + ".\(millisecondText)Z"
    }
}
