import Foundation
import Testing

/// The build's guard on the house: `KademliaCore` is pure (it takes `now` and returns what
/// to do), so none of its files may import a module that reaches the system, or read a
/// clock, the terminal or a file by any other door the standard library leaves open.
@Suite struct PureCoreTests {
    private static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// Modules that do I/O, locking or time: the shell's, never the core's.
    static let forbiddenModules = ["Glibc", "Musl", "Darwin", "Foundation", "FoundationEssentials", "Dispatch",
                                   "Synchronization", "CLinux"]
    /// What the standard library itself offers that reads the clock, sleeps or prints.
    static let forbiddenCalls = ["ContinuousClock", "SuspendingClock", "Task.sleep", "print(", "readLine("]

    /// The Swift sources of one module (the core by default), with their text.
    private static func moduleSources(module: String = "KademliaCore") throws -> [(name: String, text: String)] {
        let root = sources.appendingPathComponent(module)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" } ?? []
        return try files.map { ($0.path.replacingOccurrences(of: root.path + "/", with: ""), try String(contentsOf: $0, encoding: .utf8)) }
    }

    /// A line's code, without a trailing comment.
    private static func code(_ line: Substring) -> Substring {
        guard let comment = line.range(of: "//") else { return line }
        return line[..<comment.lowerBound]
    }

    /// Whether `code` names `call` as a word of its own (so `fingerprint(` is no `print(`).
    private static func mentions(_ code: Substring, _ call: String) -> Bool {
        var rest = code[...]
        while let found = rest.range(of: call) {
            let before = found.lowerBound == code.startIndex ? nil : code[code.index(before: found.lowerBound)]
            if !(before.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false) { return true }
            rest = code[found.upperBound...]
        }
        return false
    }

    @Test func theCoreImportsNothingThatReachesTheSystem() throws {
        let sources = try Self.moduleSources()
        #expect(sources.count > 40, "the core's files were found: \(sources.count)")
        for (name, text) in sources {
            for line in text.split(separator: "\n") {
                let code = Self.code(line).trimmingCharacters(in: .whitespaces)
                guard code.hasPrefix("import ") || code.contains(" import ") else { continue }
                let module = code.split(separator: " ").last.map(String.init) ?? ""
                #expect(!Self.forbiddenModules.contains(module), "\(name): \(code)")
            }
        }
    }

    @Test func theCoreReadsNoClockAndPrintsNothing() throws {
        for (name, text) in try Self.moduleSources() {
            for line in text.split(separator: "\n") {
                let code = Self.code(line)
                for call in Self.forbiddenCalls where Self.mentions(code, call) {
                    Issue.record("\(name) uses \(call): \(code.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
    }

    /// One way to change journaled state: the shell opens the node's state lock only in
    /// `read` and `mutate`, and `mutate` journals every change.
    @Test func onlyTheTwoDoorsOpenTheNodesState() throws {
        let shell = try Self.moduleSources(module: "Kademlia")
        #expect(shell.count > 20, "the shell's files were found: \(shell.count)")
        for (name, text) in shell where name != "Node/DHTNode+State.swift" {
            for line in text.split(separator: "\n") where Self.mentions(Self.code(line), "stateLock.") {
                Issue.record("\(name) opens the state lock itself: \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
    }
}
