import Foundation
import Glibc

/// Keeps a `History` in a file, one entry per line, so it survives between runs.
///
/// History is a convenience, so every file error is swallowed: a missing,
/// unreadable or unwritable file only means less is remembered. Each entry is
/// appended as it is added (a crash keeps it); the file is rewritten with just
/// the kept entries once it holds more than twice the capacity.
struct HistoryFile: Sendable {
    /// Longer lines are skipped when loading and never written.
    static let maxLineBytes = 4096

    /// Where the file is.
    let path: String
    /// How many entries are kept; also decides when the file is compacted.
    let capacity: Int
    /// How many lines the file holds, as far as this process knows.
    private(set) var linesInFile = 0
    /// Whether the file ends in a cut-off line, which the next append must not run into.
    private var endsMidLine = false

    /// The history file at `path`; nothing is read until `load`.
    init(path: String, capacity: Int = History.defaultCapacity) {
        self.path = path
        self.capacity = max(0, capacity)
    }

    /// `$DHT_HISTORY_FILE` if set and not empty, else `$HOME/.dht_history`; nil if neither is usable.
    static func defaultPath(environment: [String: String]) -> String? {
        if let path = environment["DHT_HISTORY_FILE"], !path.isEmpty { return path }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home.hasSuffix("/") ? home + ".dht_history" : home + "/.dht_history"
    }

    /// The history file this process's environment names, or nil for history in memory only.
    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> HistoryFile? {
        defaultPath(environment: environment).map { HistoryFile(path: $0) }
    }

    /// Reads the last `capacity` usable entries; an unusable file gives an empty history.
    ///
    /// Only the file's tail is read (room for twice the capacity of the longest
    /// lines), so a huge file costs a bounded read. Lines that are too long, not
    /// UTF-8, blank or hold control characters are skipped.
    mutating func load() -> History {
        let window = 2 * max(1, capacity) * (Self.maxLineBytes + 1)
        guard let (bytes, skippedStart) = Self.readTail(of: path, window: window) else {
            return History(capacity: capacity)
        }
        var pieces = bytes.split(separator: 0x0a, omittingEmptySubsequences: false)
        endsMidLine = !(pieces.last?.isEmpty ?? true)
        if pieces.last?.isEmpty == true { pieces.removeLast() }
        // A file too big to read whole is compacted on the first append.
        linesInFile = skippedStart ? max(pieces.count, 2 * capacity + 1) : pieces.count
        let lines: [String] = pieces.compactMap { piece in
            let line = piece.last == 0x0d ? piece.dropLast() : piece  // tolerate CR LF files
            guard line.count <= Self.maxLineBytes else { return nil }
            return String(validating: line, as: UTF8.self)
        }
        return History(capacity: capacity, lines: lines)
    }

    /// Appends `entry` as one line, then compacts to `history` if the file grew past twice the capacity.
    mutating func append(_ entry: String, keeping history: History) {
        guard History.isStorable(entry), entry.utf8.count <= Self.maxLineBytes else { return }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0o600)
        guard fd >= 0 else { return }
        let written = RawIO.writeAll((endsMidLine ? "\n" : "") + entry + "\n", to: fd)
        close(fd)
        guard written else { return }
        endsMidLine = false
        linesInFile += 1
        if linesInFile > 2 * capacity { compact(to: history) }
    }

    /// Replaces the file by one holding only `history`'s entries: written to a
    /// temporary file next to it, then renamed over it, so a crash leaves one or the other.
    mutating func compact(to history: History) {
        let temporary = "\(path).\(getpid()).tmp"
        unlink(temporary)  // a leftover from a crashed run with the same pid
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        let text = history.entries.map { $0 + "\n" }.joined()
        let written = RawIO.writeAll(text, to: fd) && fsync(fd) == 0
        close(fd)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            return
        }
        linesInFile = history.entries.count
        endsMidLine = false
    }

    /// The last `window` bytes of the regular file at `path`, starting at a line
    /// boundary, and whether anything before them was skipped; nil if unreadable.
    private static func readTail(of path: String, window: Int) -> (bytes: [UInt8], skippedStart: Bool)? {
        // O_NONBLOCK so that a FIFO put in the file's place cannot hang start-up.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        let size = Int(status.st_size)
        guard size > window else { return RawIO.read(from: fd, count: size).map { ($0, false) } }
        // Start one byte early: if that byte is a newline, the window starts with a whole line.
        guard lseek(fd, off_t(size - window - 1), SEEK_SET) >= 0,
              let bytes = RawIO.read(from: fd, count: window + 1) else { return nil }
        guard let newline = bytes.firstIndex(of: 0x0a) else { return ([], true) }
        return (Array(bytes[(newline + 1)...]), true)
    }
}
