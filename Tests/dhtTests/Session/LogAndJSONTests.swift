import Foundation
import Kademlia
import Testing
@testable import dht

/// Log lines (timestamps, text and JSON) and the JSON writer, checked against Foundation's parser.
@Suite struct LogAndJSONTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00.000Z"),
        (1_796_126_061_123, "2026-12-01T11:54:21.123Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ])
    func timestampsAreUTCWithMilliseconds(milliseconds: Int64, expected: String) {
        #expect(LogLine.timestamp(epochMilliseconds: milliseconds) == expected)
    }

    @Test func everyDayOfFourHundredYearsMatchesFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        // One instant per day from 1900 to 2300, at a varying time of day.
        var day: Int64 = -25_567
        while day < 120_000 {
            let milliseconds = day * 86_400_000 + (day * 7_919_113) % 86_400_000
            let expected = formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
            #expect(LogLine.timestamp(epochMilliseconds: milliseconds) == expected)
            day += 1
        }
    }

    @Test func textAndJSONLogLines() throws {
        let record = LogRecord(level: .debug, event: .rpc, node: "3fa2b1c0", message: "ping to 127.0.0.1:9: timed out in 2000.00 ms")
        #expect(LogLine.text(record, time: "2026-12-01T10:00:00.000Z") ==
            "2026-12-01T10:00:00.000Z debug [3fa2b1c0] rpc: ping to 127.0.0.1:9: timed out in 2000.00 ms")
        let json = LogLine.json(record, time: "2026-12-01T10:00:00.000Z")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String])
        #expect(parsed == ["time": "2026-12-01T10:00:00.000Z", "level": "debug", "node": "3fa2b1c0", "event": "rpc",
                           "message": "ping to 127.0.0.1:9: timed out in 2000.00 ms"])
    }

    @Test func jsonLogLinesCarryTheRecordsFieldsAfterTheMessage() {
        let record = LogRecord(level: .info, event: .data, node: "3fa2b1c0", message: "put 'k' seq 2: stored at 3 nodes after 9 queries",
                               fields: [.text("key", "k"), .count("seq", 2), .count("nodes", 3), .text("message", "not twice")])
        #expect(LogLine.json(record, time: "T") == #"{"time":"T","level":"info","node":"3fa2b1c0","event":"data","#
                + #""message":"put 'k' seq 2: stored at 3 nodes after 9 queries","key":"k","seq":2,"nodes":3}"#)
        #expect(!LogLine.text(record, time: "T").contains("nodes="), "text lines stay as they read")
    }

    @Test func jsonStringsSurviveEveryAwkwardCharacter() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t nul \u{0} bell \u{7} del \u{7F} é € 😀"
        let encoded = JSONValue.object([("s", .string(awkward)), ("n", .integer(-42)), ("x", .number(0.4125)),
                                        ("b", true), ("z", .null), ("a", .array([1, "two"]))]).encoded
        #expect(!encoded.contains("\n"), "one line")
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? [String: Any])
        #expect(parsed["s"] as? String == awkward)
        #expect(parsed["n"] as? Int == -42)
        #expect(parsed["x"] as? Double == 0.413)
        #expect(parsed["b"] as? Bool == true)
        #expect(parsed["z"] is NSNull)
        #expect(encoded.hasPrefix(#"{"s":"#), "keys keep their order")
    }

    @Test func theIndentedFormIsTheBenchmarksLayoutAndEscapesToo() throws {
        let report = JSONValue.object([("transport", "udp \"quoted\""), ("put", .object([("ops", 500), ("p50_ms", .number(0.1234))])),
                                       ("empty", .object([]))])
        #expect(report.indented == """
            {
              "transport": "udp \\"quoted\\"",
              "put": {
                "ops": 500,
                "p50_ms": 0.123
              },
              "empty": {}
            }
            """)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(report.indented.utf8)) as? [String: Any])
        #expect(parsed["transport"] as? String == "udp \"quoted\"")
    }

    @Test func wireErrorsReadAsPlainText() {
        let error = MessageDecodeError.unreadable(.unexpectedByte(103, offset: 0))
        #expect("\(error)" == "not bencode (byte 'g' at offset 0 cannot start a value)")
        #expect("\(RPCError.remote(code: 203, message: "bad token"))" == "error 203 'bad token'")
        #expect("\(BencodeError.unexpectedByte(0, offset: 3))" == "byte 0x0 at offset 3 cannot start a value")
    }
}
