import Synchronization

/// What a data directory gave back when it was opened.
public struct RecoveryReport: Sendable, Equatable, CustomStringConvertible {
    /// Whether the journal named the node's id (false for a new directory).
    public var hadIdentity = false
    /// Values and tombstones still live.
    public var values = 0
    /// The user's own puts, to go on republishing.
    public var publications = 0
    /// Contacts to rejoin through.
    public var contacts = 0
    /// BEP 44 items still live.
    public var items = 0
    /// Intact records that were not readable entries, skipped.
    public var unreadable = 0
    /// What was wrong with the end of the journal, which was cut off; nil when it was whole.
    public var damage: JournalFormat.Damage?
    /// How many bytes were cut.
    public var cutBytes = 0

    /// One line for the log.
    public var description: String {
        var text = "restored \(values) values, \(publications) publications and \(contacts) contacts"
        if items > 0 { text += ", and \(items) BEP 44 items" }
        if let damage { text += "; the journal's tail was damaged (\(damage)): cut \(cutBytes) bytes, kept what came before" }
        if unreadable > 0 { text += "; skipped \(unreadable) unreadable records" }
        return text
    }
}

/// A node's data directory: the journal its state is replayed from at start and every
/// change is appended to while it runs. Changes are queued in the order the node made
/// them (under its lock) and written by `commit`, which any thread may call: writes are
/// serialized, so a caller whose changes were queued finds them on disk (fsynced, under
/// `.always`) when its `commit` returns, whoever wrote them. Concurrent commits share an fsync.
public final class NodeStorage: Sendable {
    /// The directory.
    public let directory: String
    /// How soon a write must be on disk.
    public let fsync: FsyncPolicy
    /// What the directory held when it was opened.
    public let recovery: RecoveryReport
    /// The contacts the journal knew, most recent last: where a restarted node rejoins.
    public let savedContacts: [Contact]

    private enum Operation {
        case append([JournalEntry], durable: Bool)
        case compact([JournalEntry])
    }

    /// What is queued, each operation with its ticket (numbered in queue order).
    private struct Queue {
        var operations: [(ticket: Int, operation: Operation)] = []
        var lastTicket = 0

        /// Queues `operation` under the next ticket, and returns it.
        mutating func add(_ operation: Operation) -> Int {
            lastTicket += 1
            operations.append((lastTicket, operation))
            return lastTicket
        }
    }

    private struct Progress {
        /// Records appended since the journal was last compacted (or opened).
        var recordsSinceCompaction: Int
        /// The last write's error, while writes fail.
        var failure: String?
        /// Every ticket up to this one has been written or has failed.
        var settledThrough = 0
        /// Tickets whose records failed to reach the file and that no whole image written
        /// since covers: the node rewrites the journal from its state until this is empty.
        var lost: [ClosedRange<Int>] = []
    }

    /// How many failed ranges are kept apart before they are merged into one (which may
    /// count a written record as lost: never the other way round).
    private static let lostRangesKept = 64

    private let file: JournalFile
    private let queue = Mutex(Queue())
    /// Held while writing, so writes reach the file in the order they were queued.
    private let writing = Mutex(())
    private let progress: Mutex<Progress>
    private let recovered: Mutex<JournalSnapshot?>

    /// Opens `directory` (creating it), takes its lock and reads its journal back, dropping
    /// what expired by `clock`'s wall time. Throws when another process owns the directory,
    /// or its journal is a foreign file, or it cannot be read or created.
    public static func open(directory: String, fsync: FsyncPolicy = .always,
                            clock: any NodeClock = SystemClock()) throws(JournalFileError) -> NodeStorage {
        let (file, scan) = try JournalFile.open(directory: directory, policy: fsync)
        return NodeStorage(directory: directory, fsync: fsync, file: file, scan: scan,
                           snapshot: JournalSnapshot.replay(scan.payloads, now: clock.wallMilliseconds()))
    }

    private init(directory: String, fsync: FsyncPolicy, file: JournalFile, scan: JournalFormat.Scan, snapshot: JournalSnapshot) {
        self.directory = directory
        self.fsync = fsync
        self.file = file
        recovery = RecoveryReport(hadIdentity: snapshot.id != nil, values: snapshot.held.count,
                                  publications: snapshot.published.count, contacts: snapshot.contacts.count,
                                  items: snapshot.items.count,
                                  unreadable: snapshot.unreadable, damage: scan.damage,
                                  cutBytes: file.openedLength - scan.intactLength)
        savedContacts = snapshot.contacts
        progress = Mutex(Progress(recordsSinceCompaction: scan.payloads.count))
        recovered = Mutex(snapshot)
    }

    /// The state read at open, handed over once: to the node it is restored into.
    func takeRecovered() -> JournalSnapshot {
        recovered.withLock { snapshot in
            defer { snapshot = nil }
            return snapshot ?? JournalSnapshot()
        }
    }

    /// Queues entries to append, in the order they are queued; call under the node's lock.
    /// Returns the ticket `isWritten` takes after the commit.
    @discardableResult
    func enqueue(_ entries: [JournalEntry], durable: Bool) -> Int? {
        guard !entries.isEmpty else { return nil }
        return queue.withLock { $0.add(.append(entries, durable: durable)) }
    }

    /// Queues a compaction to `image` (the whole state now), after what is queued already.
    func enqueueCompaction(_ image: [JournalEntry]) {
        queue.withLock { _ = $0.add(.compact(image)) }
    }

    /// Whether the records queued under `ticket` reached the file (fsynced, when the policy
    /// and the entries ask for it): false once they failed, until an image covering them is
    /// written. Call after `commit`.
    func isWritten(_ ticket: Int) -> Bool {
        progress.withLock { progress in
            ticket <= progress.settledThrough && !progress.lost.contains { $0.contains(ticket) }
        }
    }

    /// Whether the journal holds enough dead records to be worth rewriting, given that its
    /// state now takes `liveRecords` records.
    func needsCompaction(liveRecords: Int) -> Bool {
        progress.withLock { $0.recordsSinceCompaction > max(1024, liveRecords) }
    }

    /// Whether some records failed to reach the file: only a whole image of the state, written
    /// afresh, brings the journal back to what the node holds.
    var needsRewrite: Bool { progress.withLock { !$0.lost.isEmpty } }

    /// What changed about the writes, for the node to log once rather than at every write.
    public enum WriteEvent: Equatable, Sendable {
        /// Writes began to fail, for this reason; the node goes on in memory.
        case failing(String)
        /// Writes succeed again.
        case recovered
    }

    /// Writes everything queued; returns a change in whether writes succeed, if any.
    func commit() -> WriteEvent? {
        writing.withLock { _ -> WriteEvent? in
            let operations = queue.withLock { queued in
                defer { queued.operations = [] }
                return queued.operations
            }
            guard let last = operations.last?.ticket else { return nil }
            var failure: String?
            var lost: [ClosedRange<Int>] = []
            var imageWritten: Int?
            var pending: [JournalEntry] = []
            var pendingTickets: ClosedRange<Int>?
            var durable = false
            var appended = 0
            func flush() {
                guard let tickets = pendingTickets else { return }
                do {
                    try file.append(pending, durable: durable)
                    appended += pending.count
                } catch {
                    failure = "\(error)"
                    lost.append(tickets)
                }
                pending = []
                pendingTickets = nil
                durable = false
            }
            for (ticket, operation) in operations {
                switch operation {
                case .append(let entries, let isDurable):
                    pending += entries
                    pendingTickets = (pendingTickets?.lowerBound ?? ticket)...ticket
                    durable = durable || isDurable
                case .compact(let image):
                    flush()
                    do {
                        try file.compact(to: image)
                        // The image holds every change queued before it.
                        imageWritten = ticket
                        lost.removeAll()
                        appended = 0
                        failure = nil
                    } catch {
                        failure = "\(error)"
                    }
                }
            }
            flush()
            return progress.withLock { progress -> WriteEvent? in
                if let imageWritten {
                    progress.recordsSinceCompaction = 0
                    progress.lost.removeAll { $0.upperBound < imageWritten }
                }
                progress.recordsSinceCompaction += appended
                progress.settledThrough = last
                progress.lost += lost
                if progress.lost.count > Self.lostRangesKept, let first = progress.lost.first?.lowerBound,
                   let final = progress.lost.last?.upperBound {
                    progress.lost = [first...final]
                }
                // Writes count as failing until every lost record is written again (in an image).
                let wasFailing = progress.failure != nil
                let isFailing = failure != nil || !progress.lost.isEmpty
                progress.failure = isFailing ? failure ?? progress.failure ?? "records were lost" : nil
                switch (wasFailing, isFailing) {
                case (false, true): return .failing(progress.failure ?? "")
                case (true, false): return .recovered
                default: return nil
                }
            }
        }
    }

    /// Under `.batch`, fsyncs what was written if 100 ms have passed.
    func flushIfDue() {
        try? file.flushIfDue()
    }

    /// Whether something written is not yet fsynced.
    var hasUnsyncedWrites: Bool { file.isDirty }

    /// The journal's size in bytes.
    public var size: Int { file.size }

    /// Why writes are failing, while they are.
    public var failure: String? { progress.withLock { $0.failure } }

    /// Writes what is queued, then releases the file and its lock.
    func close() {
        _ = commit()
        file.close()
    }
}
