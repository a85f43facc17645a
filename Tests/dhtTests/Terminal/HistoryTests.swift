import Foundation
import Glibc
import Testing
@testable import dht

/// History in memory: what gets in, and the cap.
@Suite struct HistoryTests {
    /// Adds `line` and returns whether it went in (kept out of `#expect`, which cannot mutate).
    private func add(_ line: String, to history: inout History) -> Bool {
        history.add(line)
    }

    @Test func keepsEntriesOldestFirst() {
        var history = History()
        let first = add("put a 1", to: &history)
        let second = add("get a", to: &history)
        #expect(first && second)
        #expect(history.entries == ["put a 1", "get a"])
        #expect(history.capacity == 1000)
    }

    @Test func dropsTheOldestPastTheCap() {
        var history = History(capacity: 3)
        for entry in ["a", "b", "c", "d", "e"] { history.add(entry) }
        #expect(history.entries == ["c", "d", "e"])
        var big = History()
        for number in 0..<1500 { big.add("get \(number)") }
        #expect(big.entries.count == 1000)
        #expect(big.entries.first == "get 500")
        #expect(big.entries.last == "get 1499")
    }

    @Test func aRepeatOfTheNewestIsNotAddedButAnOlderOneIs() {
        var history = History()
        history.add("status")
        let repeatAdded = add("status", to: &history)
        #expect(!repeatAdded)
        history.add("get a")
        let olderAdded = add("status", to: &history)
        #expect(olderAdded)
        #expect(history.entries == ["status", "get a", "status"])
    }

    @Test func blankLinesAndControlCharactersAreNotAdded() {
        var history = History()
        for line in ["", " ", "\t", "  \t ", "a\nb", "\u{1b}[2J", "x\u{7f}", "y\u{85}", "z\u{0}"] {
            let added = add(line, to: &history)
            #expect(!added, "\(line.debugDescription)")
        }
        #expect(history.entries.isEmpty)
        history.add(" put k  v ")
        history.add("put k héllo ✓")
        #expect(history.entries == [" put k  v ", "put k héllo ✓"])
    }

    @Test func zeroCapacityKeepsNothing() {
        var history = History(capacity: 0)
        history.add("status")
        #expect(history.entries.isEmpty)
        #expect(History(capacity: -5).capacity == 0)
    }

    @Test func buildingFromLinesActsLikeAddingThem() {
        let lines = ["a", "a", "", "b", "\u{1b}x", "b", "c", "a", "d", "d"]
        var added = History(capacity: 3)
        for line in lines { added.add(line) }
        #expect(History(capacity: 3, lines: lines) == added)
        #expect(History(capacity: 3, lines: lines).entries == ["c", "a", "d"])
        #expect(History(capacity: 10, lines: lines).entries == ["a", "b", "c", "a", "d"])
    }
}

/// History kept in a file: path choice, round trip, damaged files, compaction.
@Suite struct HistoryFileTests {
    /// A fresh directory for one test, removed at the end by the caller's `defer`.
    private func makeDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dht-history-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// The file at `path` as text.
    private func contents(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    /// Replaces the file at `path` with `bytes`.
    private func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    @Test func pathComesFromTheEnvironment() {
        #expect(HistoryFile.defaultPath(environment: ["DHT_HISTORY_FILE": "/tmp/h", "HOME": "/home/u"]) == "/tmp/h")
        #expect(HistoryFile.defaultPath(environment: ["DHT_HISTORY_FILE": "", "HOME": "/home/u"]) == "/home/u/.dht_history")
        #expect(HistoryFile.defaultPath(environment: ["HOME": "/home/u/"]) == "/home/u/.dht_history")
        #expect(HistoryFile.defaultPath(environment: ["HOME": ""]) == nil)
        #expect(HistoryFile.defaultPath(environment: [:]) == nil)
        #expect(HistoryFile.fromEnvironment([:]) == nil)
        #expect(HistoryFile.fromEnvironment(["HOME": "/h"])?.path == "/h/.dht_history")
    }

    @Test func entriesSurviveARestartAndTheFileIsPrivate() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        var file = HistoryFile(path: path)
        var history = file.load()
        #expect(history.entries.isEmpty)
        for entry in ["put a 1", "get a", "get a", "status", "  "] where history.add(entry) {
            file.append(entry, keeping: history)
        }
        #expect(try contents(path) == "put a 1\nget a\nstatus\n")
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        var reopened = HistoryFile(path: path)
        let reopenedHistory = reopened.load()
        #expect(reopenedHistory.entries == ["put a 1", "get a", "status"])
        #expect(reopened.linesInFile == 3)
    }

    @Test func missingEmptyAndUnusableFilesGiveAnEmptyHistoryWithoutCrashing() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var missing = HistoryFile(path: directory.appendingPathComponent("none").path)
        let missingHistory = missing.load()
        #expect(missingHistory.entries.isEmpty)
        let emptyPath = directory.appendingPathComponent("empty").path
        try writeFile(emptyPath, [])
        var empty = HistoryFile(path: emptyPath)
        let emptyHistory = empty.load()
        #expect(emptyHistory.entries.isEmpty)
        var isDirectory = HistoryFile(path: directory.path)
        let isDirectoryHistory = isDirectory.load()
        #expect(isDirectoryHistory.entries.isEmpty)
        isDirectory.append("status", keeping: History())
        var unwritable = HistoryFile(path: directory.appendingPathComponent("no/such/dir/history").path)
        let unwritableHistory = unwritable.load()
        #expect(unwritableHistory.entries.isEmpty)
        unwritable.append("status", keeping: History())
        unwritable.compact(to: History())
    }

    @Test func binaryAndNonUTF8LinesAreSkipped() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        var bytes = Array("get a\n".utf8)
        bytes += [0xff, 0xfe, 0x00, 0x01, 0x0a]  // not UTF-8
        bytes += Array("put b \u{1b}[31mred\n".utf8)  // an escape would reach the terminal
        bytes += [0x00, 0x00, 0x0a, 0xc3, 0x28, 0x0a]  // NULs, a broken sequence
        bytes += Array("get é\r\n\n\n   \nstatus".utf8)  // CR LF, blank lines, no final newline
        try writeFile(path, bytes)
        var file = HistoryFile(path: path)
        var history = file.load()
        #expect(history.entries == ["get a", "get é", "status"])
        // The cut-off last line is ended before the next entry goes in.
        history.add("help")
        file.append("help", keeping: history)
        var reopened = HistoryFile(path: path)
        let reopenedHistory = reopened.load()
        #expect(reopenedHistory.entries == ["get a", "get é", "status", "help"])
    }

    @Test func randomBytesNeverCrash() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        var generator = SystemRandomNumberGenerator()
        try writeFile(path, (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) })
        var file = HistoryFile(path: path)
        let history = file.load()
        #expect(history.entries.count <= History.defaultCapacity)
        #expect(history.entries.allSatisfy(History.isStorable))
    }

    @Test func aHugeFileKeepsOnlyTheLastValidLinesAndSkipsLongOnes() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        var text = (0..<20_000).map { "get \($0)\n" }.joined()
        text += String(repeating: "x", count: 5000) + "\n"  // too long: skipped
        text += "put k " + String(repeating: "v", count: 4090) + "\n"  // 4096 bytes: kept
        text += "status\n"
        try writeFile(path, Array(text.utf8))
        var file = HistoryFile(path: path)
        let history = file.load()
        #expect(history.entries.count == 1000)
        #expect(history.entries.first == "get 19002")
        #expect(history.entries[history.entries.count - 2].utf8.count == 4096)
        #expect(history.entries.last == "status")
    }

    @Test func onlyTheTailOfAFileTooBigToReadIsRead() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        // Capacity 2 reads at most 2 * 2 * 4097 bytes; the file is far bigger.
        try writeFile(path, Array(((0..<10_000).map { "get \($0)\n" }.joined()).utf8))
        var file = HistoryFile(path: path, capacity: 2)
        var history = file.load()
        #expect(history.entries == ["get 9998", "get 9999"])
        // Too big to have been counted: the first append compacts it.
        history.add("status")
        file.append("status", keeping: history)
        #expect(try contents(path) == "get 9999\nstatus\n")
    }

    @Test func theFileIsRewrittenOncePastTwiceTheCap() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        var file = HistoryFile(path: path, capacity: 3)
        var history = file.load()
        for number in 1...6 {
            history.add("get \(number)")
            file.append("get \(number)", keeping: history)
        }
        #expect(try contents(path) == (1...6).map { "get \($0)\n" }.joined())
        history.add("get 7")
        file.append("get 7", keeping: history)
        #expect(try contents(path) == "get 5\nget 6\nget 7\n")
        #expect(file.linesInFile == 3)
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["history"])
    }

    @Test func overlongEntriesAreNotWritten() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("history").path
        var file = HistoryFile(path: path)
        file.append(String(repeating: "x", count: 4097), keeping: History())
        file.append("status", keeping: History())
        #expect(try contents(path) == "status\n")
    }
}
