/// Why a duration as typed cannot be used.
enum DurationProblem: Error, Equatable {
    /// Nothing was given.
    case empty
    /// Not a run of decimal digits followed by a unit (a sign, a fraction, no digits).
    case malformed
    /// Digits with no unit after them, such as `5`; a unit is required so `5` is never guessed.
    case missingUnit
    /// Digits followed by letters that are no unit; carries the letters.
    case unknownUnit(String)
    /// Zero or negative.
    case notPositive
    /// Longer than `DurationText.maximum`, including numbers too big to compute with.
    case tooLong

    /// The reason as a lowercase phrase, to follow "invalid duration 'x' for --opt: ".
    var reason: String {
        switch self {
        case .empty: "empty"
        case .malformed: "not a whole number followed by a unit"
        case .missingUnit: "no unit"
        case .unknownUnit(let unit): "unknown unit '\(unit)'"
        case .notPositive: "must be more than zero"
        case .tooLong: "longer than \(DurationText.format(DurationText.maximum))"
        }
    }

    /// The reason, followed by the grammar when the text was not shaped like a duration at all.
    var explanation: String {
        switch self {
        case .empty, .malformed, .missingUnit, .unknownUnit: "\(reason); expected \(DurationText.expected)"
        case .notPositive, .tooLong: reason
        }
    }
}

/// Durations as the command line and the REPL write them: a whole number and a unit, such as `30s`.
///
/// Pure text in, `Duration` out, so every edge case is a unit test.
enum DurationText {
    /// The units, longest suffix first where one ends another (`ms` before `s`), with their length in milliseconds.
    static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]

    /// The longest duration accepted: 100 years, far below where the node's nanosecond clock would overflow.
    static let maximum: Duration = .seconds(36_500 * 86_400)

    /// The grammar in words, for error messages and help.
    static let expected = "a whole number and a unit (ms, s, m, h or d), such as 30s or 2h"

    /// Parses `<digits><unit>`: no sign, no spaces, no fraction; a positive length up to `maximum`.
    static func parse(_ text: some StringProtocol) throws(DurationProblem) -> Duration {
        guard !text.isEmpty else { throw .empty }
        let negative = text.hasPrefix("-")
        let body = text.dropFirst(negative ? 1 : 0)
        let digits = body.prefix(while: isDigit)
        let unit = body.dropFirst(digits.count)
        guard !digits.isEmpty, unit.allSatisfy(\.isLetter) else { throw .malformed }
        guard !unit.isEmpty else { throw .missingUnit }
        guard let scale = units.first(where: { $0.suffix == unit })?.milliseconds else {
            throw .unknownUnit(String(unit))
        }
        // Checked before the size, so "-99999999999999999999d" is called negative, not long.
        guard !negative, digits.contains(where: { $0 != "0" }) else { throw .notPositive }
        guard let count = Int64(digits) else { throw .tooLong }
        let (milliseconds, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw .tooLong }
        let duration = Duration.milliseconds(milliseconds)
        guard duration <= maximum else { throw .tooLong }
        return duration
    }

    /// Writes `duration` in the largest unit that divides it exactly, as `parse` reads it: 3600 s is `1h`.
    ///
    /// Sub-millisecond parts are dropped; they cannot be typed and no default has them.
    static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let (wholeMilliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return "\(seconds)s" }
        let milliseconds = wholeMilliseconds + attoseconds / 1_000_000_000_000_000
        guard milliseconds != 0 else { return "0ms" }
        let unit = units.last { milliseconds % $0.milliseconds == 0 } ?? units[0]
        return "\(milliseconds / unit.milliseconds)\(unit.suffix)"
    }

    /// ASCII decimal digits only; `Character.isNumber` would also take other scripts' digits.
    private static func isDigit(_ character: Character) -> Bool {
        character >= "0" && character <= "9"
    }
}
