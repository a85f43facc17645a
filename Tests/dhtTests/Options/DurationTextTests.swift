import Testing
@testable import dht

/// The duration grammar shared by `put --ttl` and the timing options: every unit and every refusal.
@Suite struct DurationTextTests {
    private func problem(_ text: String) -> DurationProblem? {
        do {
            _ = try DurationText.parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyUnit() throws {
        #expect(try DurationText.parse("500ms") == .milliseconds(500))
        #expect(try DurationText.parse("90s") == .seconds(90))
        #expect(try DurationText.parse("10m") == .seconds(600))
        #expect(try DurationText.parse("2h") == .seconds(7200))
        #expect(try DurationText.parse("1d") == .seconds(86_400))
        #expect(try DurationText.parse("007s") == .seconds(7))
        #expect(try DurationText.parse(Substring("1ms")) == .milliseconds(1))
    }

    @Test func theLongestAcceptedIsTheMaximum() throws {
        #expect(try DurationText.parse("36500d") == DurationText.maximum)
        #expect(problem("36501d") == .tooLong)
    }

    @Test(arguments: [
        ("", DurationProblem.empty),
        ("5", .missingUnit),
        ("-5", .missingUnit),
        ("5x", .unknownUnit("x")),
        ("5S", .unknownUnit("S")),
        ("5sec", .unknownUnit("sec")),
        ("0s", .notPositive),
        ("000ms", .notPositive),
        ("-5s", .notPositive),
        ("-0s", .notPositive),
        ("-99999999999999999999d", .notPositive),
        ("99999999999999999999d", .tooLong),
        ("9223372036854775807d", .tooLong),
        ("9223372036854775807ms", .tooLong),
        ("s", .malformed),
        ("ms", .malformed),
        ("1.5s", .malformed),
        ("+5s", .malformed),
        ("5 s", .malformed),
        (" 5s", .malformed),
        ("٥s", .malformed),
    ] as [(String, DurationProblem)])
    func refusals(text: String, expected: DurationProblem) {
        #expect(problem(text) == expected, "\(text.debugDescription)")
    }

    @Test func explanationsNameTheGrammarOnlyForMisshapenText() {
        #expect(DurationProblem.missingUnit.explanation ==
            "no unit; expected a whole number and a unit (ms, s, m, h or d), such as 30s or 2h")
        #expect(DurationProblem.unknownUnit("x").explanation.hasPrefix("unknown unit 'x'; expected "))
        #expect(DurationProblem.empty.explanation.hasPrefix("empty; expected "))
        #expect(DurationProblem.malformed.explanation.hasPrefix("not a whole number followed by a unit; expected "))
        #expect(DurationProblem.notPositive.explanation == "must be more than zero")
        #expect(DurationProblem.tooLong.explanation == "longer than 36500d")
    }

    @Test func formatPicksTheLargestExactUnit() {
        #expect(DurationText.format(.seconds(3600)) == "1h")
        #expect(DurationText.format(.seconds(86_400)) == "1d")
        #expect(DurationText.format(.seconds(60)) == "1m")
        #expect(DurationText.format(.seconds(90)) == "90s")
        #expect(DurationText.format(.milliseconds(1500)) == "1500ms")
        #expect(DurationText.format(.zero) == "0ms")
        #expect(DurationText.format(.seconds(Int64.max)) == "\(Int64.max)s")
    }

    @Test(arguments: ["500ms", "90s", "15m", "2h", "1d", "36500d"])
    func formatRoundTrips(text: String) throws {
        #expect(DurationText.format(try DurationText.parse(text)) == text)
    }
}
