/// A JSON value with its object keys in a fixed order, written on one line (`--json`
/// replies, `--log-format json`) or indented (the benchmark's report), without Foundation.
package enum JSONValue: Equatable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case string(String)
    case integer(Int64)
    /// Written with up to three decimals (round trips in milliseconds).
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    /// Keys in the order given, so replies read the same every time.
    case object([(String, JSONValue)])

    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int64) { self = .integer(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }

    /// An integer from any width.
    package static func int(_ value: some BinaryInteger) -> JSONValue { .integer(Int64(clamping: value)) }

    /// The compact encoding: no spaces, no newlines (a newline inside a string is `\n`).
    package var encoded: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// The indented encoding: an object's members one per line, two spaces a level.
    package var indented: String {
        var out = ""
        writeIndented(to: &out, level: 0)
        return out
    }

    private func writeIndented(to out: inout String, level: Int) {
        guard case .object(let members) = self, !members.isEmpty else { return write(to: &out) }
        let pad = String(repeating: "  ", count: level + 1)
        out += "{\n"
        for (index, member) in members.enumerated() {
            if index > 0 { out += ",\n" }
            out += pad
            Self.writeString(member.0, to: &out)
            out += ": "
            member.1.writeIndented(to: &out, level: level + 1)
        }
        out += "\n" + String(repeating: "  ", count: level) + "}"
    }

    private func write(to out: inout String) {
        switch self {
        case .string(let text): Self.writeString(text, to: &out)
        case .integer(let value): out += String(value)
        case .number(let value): out += value.isFinite ? Self.decimal(value) : "null"
        case .bool(let value): out += value ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(member.0, to: &out)
                out += ":"
                member.1.write(to: &out)
            }
            out += "}"
        }
    }

    /// Escapes quotes, backslashes and every control character (RFC 8259 section 7).
    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// A number with at most three decimals and no exponent, trailing zeros dropped.
    private static func decimal(_ value: Double) -> String {
        let thousandths = (value * 1000).rounded()
        guard abs(thousandths) < 9e15 else { return String(Int64(clamping: Int64(value.rounded()))) }
        let whole = Int64(thousandths)
        let sign = whole < 0 ? "-" : ""
        let magnitude = whole.magnitude
        var fraction = String(magnitude % 1000)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return sign + String(magnitude / 1000) + (fraction.isEmpty ? "" : "." + fraction)
    }
}

extension JSONValue {
    /// Two values are equal when they are written the same.
    package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.encoded == rhs.encoded }
}
