import Foundation
import Testing

/// The library example under Examples/ runs, and the README shows exactly its code.
@Suite struct ExampleTests {
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The example's lines between `// README begin` and `// README end`, indentation removed.
    private func exampleSnippet() throws -> [String] {
        let source = try String(contentsOf: Self.root.appendingPathComponent("Examples/QuickStart/main.swift"), encoding: .utf8)
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let begin = try #require(lines.firstIndex { $0.contains("// README begin") })
        let end = try #require(lines.firstIndex { $0.contains("// README end") })
        return lines[(begin + 1)..<end].map { String($0.drop { $0 == " " }.isEmpty ? "" : $0.dropFirst(4)) }
    }

    @Test func theReadmeShowsTheExampleVerbatim() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let snippet = try exampleSnippet().joined(separator: "\n")
        #expect(readme.contains("```swift\nimport Kademlia\n\n" + snippet + "\n```"), "README's library snippet differs from Examples/QuickStart")
    }

    @Test func theExampleRuns() async throws {
        let process = Process()
        process.executableURL = try ReplProcess.binaryURL(named: "dht-example")
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(process.terminationStatus == 0, "\(lines)")
        #expect(lines.first == "joined through 1 of 1 bootstrap node; 1 contact known")
        #expect(lines.dropFirst().first == #"seq 0: "world""#)
        #expect(lines.dropLast().last?.contains(": 1 contacts in 1 buckets, 0 keys, 1 tombstones") == true, "\(lines)")
        #expect(lines.last == "1", "the watch's first event: the delete's tombstone, seq 1: \(lines)")
    }
}
