import Glibc
import Synchronization

/// How soon an appended record must be on disk.
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// fsync after every append: an acknowledged write survives a crash or power loss.
    case always
    /// fsync at most every 100 ms: a crash of the process loses nothing (the kernel has the
    /// bytes), a power loss at most the last 100 ms.
    case batch
    /// Never fsync: the kernel writes back when it likes; a power loss may lose seconds.
    case never
}

/// Why the journal file cannot be used.
public struct JournalFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, for the user.
    public var description: String
}

/// The journal on disk: one file in the data directory, locked by its owner (flock), read
/// once at start, appended to after, and compacted by writing a temporary file, fsyncing
/// it, renaming it over the journal and fsyncing the directory.
public final class JournalFile: Sendable {
    private struct State {
        var fd: Int32
        /// Where the last whole record ends: a write that fails is cut back to here, so no
        /// torn record ever stands in front of later ones.
        var length: Int
        /// Set when a failed write could not be cut back: nothing more is appended until a
        /// compaction replaces the file.
        var torn = false
        var lastSync: UInt64 = 0
        var dirty = false
    }

    private let directory: String
    private let path: String
    private let policy: FsyncPolicy
    private let state: Mutex<State>

    /// The file's name in the data directory.
    public static let fileName = "journal.dht"
    /// The batch policy's longest gap between fsyncs.
    static let batchNanoseconds: UInt64 = 100_000_000
    /// The batch policy's longest gap between fsyncs.
    public static let batchInterval: Duration = .nanoseconds(Int64(batchNanoseconds))

    /// Opens (creating if needed) the journal in `directory` and takes its lock; throws if
    /// another process holds it. Returns the file and what its bytes say, the torn or
    /// corrupt tail already cut off (`scan.damage` says what was cut).
    public static func open(directory: String, policy: FsyncPolicy) throws(JournalFileError) -> (JournalFile, JournalFormat.Scan) {
        try open(directory: directory, policy: policy, appendingWith: FileIO.writeAll)
    }

    /// Writes all of `bytes` to a descriptor, or says it could not (`FileIO.writeAll`).
    package typealias Appender = @Sendable (_ bytes: [UInt8], _ fd: Int32) -> Bool

    /// `open` with the appends made by `appender`: tests cut writes short at a byte of their choosing.
    package static func open(directory: String, policy: FsyncPolicy,
                             appendingWith appender: @escaping Appender) throws(JournalFileError) -> (JournalFile, JournalFormat.Scan) {
        try makeDirectories(directory)
        let path = directory + "/" + fileName
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot open \(path)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(fd)
            throw JournalFileError(description: "\(directory) is in use by another dht process (its journal is locked)")
        }
        let bytes: [UInt8]
        do {
            bytes = try readAll(fd)
        } catch {
            Glibc.close(fd)
            throw error
        }
        let file = JournalFile(directory: directory, path: path, policy: policy, fd: fd, openedLength: bytes.count, appender: appender)
        let scan = JournalFormat.scan(bytes)
        guard scan.damage != .foreignHeader else {
            file.close()
            throw JournalFileError(description: "\(path) is not a dht journal; move it away to start afresh")
        }
        try file.state.withLock { state throws(JournalFileError) in
            if scan.intactLength < JournalFormat.header.count {
                try truncate(&state, to: 0, path: path)
                try file.write(JournalFormat.header, into: &state, sync: true)
            } else if scan.intactLength < bytes.count {
                try truncate(&state, to: scan.intactLength, path: path)
            }
            state.length = max(state.length, scan.intactLength)
        }
        return (file, scan)
    }

    /// The file's length when it was opened, before a damaged tail was cut.
    public let openedLength: Int

    /// Creates `directory` and any missing parents (mode 0700, as `mkdir -p`); throws if a
    /// part of the path is not a directory.
    private static func makeDirectories(_ directory: String) throws(JournalFileError) {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw JournalFileError(description: "\(directory) is not a directory") }
            return
        }
        var path = directory.hasPrefix("/") ? "" : "."
        for part in directory.split(separator: "/") {
            path += "/" + part
            guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw failure("cannot create data directory \(directory)") }
        }
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw JournalFileError(description: "\(directory) is not a directory")
        }
    }

    private let appender: Appender

    private init(directory: String, path: String, policy: FsyncPolicy, fd: Int32, openedLength: Int, appender: @escaping Appender) {
        self.appender = appender
        self.directory = directory
        self.path = path
        self.policy = policy
        self.openedLength = openedLength
        state = Mutex(State(fd: fd, length: 0))
    }

    deinit { close() }

    /// Appends `entries` as records; on disk before returning under `.always` when
    /// `durable` (contacts are not: losing the last few costs nothing). Under `.batch`
    /// the caller runs `flushIfDue` within 100 ms.
    public func append(_ entries: [JournalEntry], durable: Bool = true) throws(JournalFileError) {
        guard !entries.isEmpty else { return }
        let bytes = entries.flatMap { JournalFormat.frame($0.payload) }
        try state.withLock { state throws(JournalFileError) in
            // Under `.batch` the fsync is `flushIfDue`'s, off the path of the acknowledgement.
            try write(bytes, into: &state, sync: policy == .always && durable)
        }
    }

    /// Fsyncs what was appended if 100 ms have passed since the last fsync (under `.batch`,
    /// and for contacts under `.always`); call it within 100 ms of an append.
    public func flushIfDue() throws(JournalFileError) {
        // The fsync runs on a duplicate descriptor outside the lock, so appends go on
        // meanwhile (they mark the file dirty again) and a compaction may swap the file.
        let copy = state.withLock { state -> Int32? in
            guard state.fd >= 0, state.dirty, policy != .never, Self.monotonic() - state.lastSync >= Self.batchNanoseconds else { return nil }
            state.dirty = false
            state.lastSync = Self.monotonic()
            return dup(state.fd)
        }
        guard let copy else { return }
        defer { Glibc.close(copy) }
        guard copy >= 0, fsync(copy) == 0 else {
            let error = Self.failure("cannot fsync \(path)")
            state.withLock { $0.dirty = true }
            throw error
        }
    }

    /// Replaces the journal with `entries` alone: written to a temporary file, fsynced,
    /// renamed over the journal, and the directory fsynced, so a crash leaves the old
    /// journal or the new one, never half of either.
    public func compact(to entries: [JournalEntry]) throws(JournalFileError) {
        let bytes = JournalFormat.header + entries.flatMap { JournalFormat.frame($0.payload) }
        try state.withLock { state throws(JournalFileError) in
            let temporary = path + ".tmp"
            let out = Glibc.open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
            guard out >= 0 else { throw Self.failure("cannot write \(temporary)") }
            // The new file takes the lock before it replaces the old one, so no other
            // process can open the journal between the two.
            guard FileIO.writeAll(bytes, to: out), fsync(out) == 0, flock(out, LOCK_EX | LOCK_NB) == 0, rename(temporary, path) == 0 else {
                let error = Self.failure("cannot replace \(path)")
                Glibc.close(out)
                unlink(temporary)
                throw error
            }
            Glibc.close(state.fd)
            state.fd = out
            state.length = bytes.count
            state.torn = false
            let directoryFD = Glibc.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryFD >= 0 {
                _ = fsync(directoryFD)
                Glibc.close(directoryFD)
            }
            state.lastSync = Self.monotonic()
            state.dirty = false
        }
    }

    /// Whether something appended is not yet fsynced.
    public var isDirty: Bool { state.withLock { $0.dirty } }

    /// The journal's size in bytes.
    public var size: Int {
        state.withLock { state in
            var info = stat()
            return fstat(state.fd, &info) == 0 ? Int(info.st_size) : 0
        }
    }

    /// Flushes and releases the file and its lock.
    public func close() {
        state.withLock { state in
            guard state.fd >= 0 else { return }
            if state.dirty && policy != .never { _ = fsync(state.fd) }
            Glibc.close(state.fd)
            state.fd = -1
        }
    }

    /// Appends `bytes` whole or not at all: a write cut short (a full disk) is cut back to
    /// the end of the last whole record, so later records are never stranded behind a torn one.
    private func write(_ bytes: [UInt8], into state: inout State, sync shouldSync: Bool) throws(JournalFileError) {
        guard state.fd >= 0 else { throw JournalFileError(description: "the journal is closed") }
        guard !state.torn else { throw JournalFileError(description: "\(path) ends in a torn record it could not cut off") }
        guard appender(bytes, state.fd) else {
            let error = Self.failure("cannot append to \(path)")
            if ftruncate(state.fd, off_t(state.length)) != 0 || lseek(state.fd, off_t(state.length), SEEK_SET) < 0 {
                state.torn = true
            }
            throw error
        }
        state.length += bytes.count
        state.dirty = true
        if shouldSync { try sync(&state) }
    }

    private func sync(_ state: inout State) throws(JournalFileError) {
        guard fsync(state.fd) == 0 else { throw Self.failure("cannot fsync \(path)") }
        state.lastSync = Self.monotonic()
        state.dirty = false
    }

    private static func truncate(_ state: inout State, to length: Int, path: String) throws(JournalFileError) {
        guard ftruncate(state.fd, off_t(length)) == 0, lseek(state.fd, off_t(length), SEEK_SET) >= 0, fsync(state.fd) == 0 else {
            throw failure("cannot cut \(path) to \(length) bytes")
        }
    }

    /// An error naming what failed and errno's reason.
    private static func failure(_ what: String) -> JournalFileError {
        JournalFileError(description: "\(what): \(String(cString: strerror(errno)))")
    }

    private static func readAll(_ fd: Int32) throws(JournalFileError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got > 0 {
                bytes += chunk[0..<got]
            } else if got == 0 {
                return bytes
            } else if errno != EINTR {
                throw failure("cannot read the journal")
            }
        }
    }

    private static func monotonic() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
