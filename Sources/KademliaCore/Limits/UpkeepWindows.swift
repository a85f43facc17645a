/// Upkeep traffic (replication, hand-off, repair, leave) paced per destination, so a holder
/// handing thousands of values to one node sends them at the pace that node accepts, and
/// never so fast that it sheds them.
///
/// Each destination has a window of queries that may await an answer at once, as TCP
/// does: it widens by one per window's worth answered, halves on a busy answer, and closes
/// to one when the destination is silent. What does not fit waits, in order, and starts as
/// answers come back. A destination silent `giveUpAfterSilences` times in a row is taken
/// for gone: what waits for it is handed back to be abandoned, not sent into the void.
/// Pure and generic over what waits, so the shell keeps its closures in it and the tests
/// plain numbers.
package struct UpkeepWindows<Item: Sendable>: Sendable {
    /// How one upkeep query ended, as the window sees it.
    package enum Outcome: Sendable, Equatable {
        case answered
        /// Answered "busy": the destination is alive but over its limits.
        case busy
        /// No answer in time.
        case silent
    }

    /// One destination's window and the queries waiting behind it.
    package struct Window: Sendable {
        package var size: Double
        package var inFlight = 0
        package var waiting: [Item] = []
        /// Index of the first item of `waiting` still to start.
        package var head = 0
        package var silentInARow = 0

        package var waitingCount: Int { waiting.count - head }
        package var hasRoom: Bool { Double(inFlight) < size.rounded(.down) }
    }

    /// The window a destination starts with, and the widest it grows.
    package let initialSize: Int
    package let maximumSize: Int
    /// Queries awaiting an answer over all destinations, at most.
    package let totalLimit: Int
    /// Silences in a row after which a destination is taken for gone.
    package let giveUpAfterSilences: Int

    private var windows: [SocketAddress: Window] = [:]
    /// Destinations with room in their window whose next query waits for the total limit.
    private var blocked: [SocketAddress] = []
    /// Queries awaiting an answer now, over all destinations.
    package private(set) var inFlight = 0
    /// Queries waiting for a window, over all destinations.
    package private(set) var waiting = 0

    package init(initialSize: Int = 4, maximumSize: Int = 32, totalLimit: Int = 1024, giveUpAfterSilences: Int = 2) {
        self.initialSize = max(1, initialSize)
        self.maximumSize = max(self.initialSize, maximumSize)
        self.totalLimit = max(1, totalLimit)
        self.giveUpAfterSilences = max(1, giveUpAfterSilences)
    }

    /// Whether `item` may go to `destination` now (and is counted in flight); if not, it
    /// waits and comes back from `finished` when its turn comes.
    package mutating func submit(_ item: Item, to destination: SocketAddress) -> Bool {
        // Taken out of the table while it changes: a copy left behind would make every
        // append copy the whole waiting line, quadratic in a hand-off of thousands.
        var window = windows.removeValue(forKey: destination) ?? Window(size: Double(initialSize))
        defer { windows[destination] = window }
        if window.waitingCount == 0, window.hasRoom, inFlight < totalLimit {
            window.inFlight += 1
            inFlight += 1
            return true
        }
        window.waiting.append(item)
        waiting += 1
        if window.hasRoom, window.waitingCount == 1 { blocked.append(destination) }
        return false
    }

    /// Notes a busy answer from `destination` (the query itself is retried by the caller
    /// within its place): the window halves.
    package mutating func noteBusy(_ destination: SocketAddress) {
        guard let size = windows[destination]?.size else { return }
        windows[destination]?.size = max(1, size / 2)
    }

    /// One query to `destination` ended. Returns the waiting items to start now, each
    /// counted in flight, and those abandoned because the destination seems gone.
    package mutating func finished(at destination: SocketAddress, _ outcome: Outcome) -> (start: [Item], abandoned: [Item]) {
        guard var window = windows.removeValue(forKey: destination) else { return ([], []) }
        window.inFlight -= 1
        inFlight -= 1
        var abandoned: [Item] = []
        switch outcome {
        case .answered:
            window.silentInARow = 0
            window.size = min(Double(maximumSize), window.size + 1 / window.size)
        case .busy:
            window.silentInARow = 0
            window.size = max(1, window.size / 2)
        case .silent:
            window.silentInARow += 1
            window.size = 1
            if window.silentInARow >= giveUpAfterSilences {
                abandoned = Array(window.waiting[window.head...])
                waiting -= abandoned.count
                window.waiting = []
                window.head = 0
            }
        }
        windows[destination] = window
        if window.waitingCount > 0, window.hasRoom { blocked.append(destination) }
        var start: [Item] = []
        while inFlight < totalLimit, !blocked.isEmpty {
            let next = blocked.removeFirst()
            guard var candidate = windows.removeValue(forKey: next) else { continue }
            defer { windows[next] = candidate }
            guard candidate.waitingCount > 0 else { continue }
            while candidate.hasRoom, candidate.waitingCount > 0, inFlight < totalLimit {
                start.append(candidate.waiting[candidate.head])
                candidate.head += 1
                candidate.inFlight += 1
                inFlight += 1
                waiting -= 1
            }
            if candidate.head > 64, candidate.head * 2 > candidate.waiting.count {
                candidate.waiting.removeFirst(candidate.head)
                candidate.head = 0
            }
            // Still room but the total is spent: it goes to the back of the line.
            if candidate.waitingCount > 0, candidate.hasRoom { blocked.append(next) }
        }
        if let done = windows[destination], done.inFlight == 0, done.waitingCount == 0 {
            windows[destination] = nil
        }
        return (start, abandoned)
    }

    /// The destinations with upkeep under way, most waiting first: waiting, in flight and
    /// the window's size.
    package var backlog: [(destination: SocketAddress, waiting: Int, inFlight: Int, window: Int)] {
        windows.map { ($0.key, $0.value.waitingCount, $0.value.inFlight, Int($0.value.size)) }
            .sorted { ($0.waiting, $0.inFlight) > ($1.waiting, $1.inFlight) }
    }
}

extension UpkeepWindows {
    /// Heap bytes the windows and their queues hold.
    package var footprint: Int {
        windows.values.reduce(Footprint.of(windows) + Footprint.of(blocked)) { $0 + Footprint.of($1.waiting) }
    }
}
