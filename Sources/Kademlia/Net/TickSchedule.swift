import KademliaCore

/// What a `TickSchedule` needs of what it schedules: the one due time that is still current.
protocol TickScheduled: AnyObject, Sendable {
    /// When the target next ticks, in nanoseconds on CLOCK_MONOTONIC; an entry carrying any other
    /// time is stale. nil once it never ticks again (closed), which makes all its entries stale.
    var scheduledTick: UInt64? { get }
}

/// A poller's timer heap: which transport ticks next, so a scan touches only the due ones.
/// Scanning every transport instead cost a 10,000-node process most of its build time.
///
/// Rides the core's `DeadlineHeap` and its lazy deletion: bringing a tick forward pushes a fresh
/// entry and leaves the old one behind; an entry whose time is not its target's `scheduledTick`
/// is stale and skipped when it pops, so no entry is ever searched for. Targets are held weakly,
/// so a transport dropped without close() still deinitialises; its entries then fall out too.
struct TickSchedule<Target: TickScheduled>: Sendable {
    /// An entry on its way in; weak so a request waiting for the poller keeps nothing alive.
    struct Request: Sendable {
        /// The due time, in nanoseconds on CLOCK_MONOTONIC.
        let due: UInt64
        /// What ticks then.
        weak var target: Target?

        /// Asks for `target` to tick at `due`.
        init(_ target: Target, at due: UInt64) {
            self.due = due
            self.target = target
        }
    }

    /// Stale entries tolerated beyond twice the live count before a rebuild, so a handful of
    /// transports does not rebuild on every scan.
    static var compactionSlack: Int { 64 }

    private var heap = DeadlineHeap<Request>()
    /// The entries of the run in progress, kept between runs so a scan allocates nothing.
    private var running: [(deadline: Timestamp, target: Request)] = []

    /// Nothing scheduled.
    init() {}

    /// The earliest due time held, stale or not; a scan then is at worst early.
    var earliest: UInt64? { heap.earliest.map { UInt64(max($0.nanoseconds, 0)) } }

    /// Entries held, stale ones included.
    var count: Int { heap.count }

    /// Schedules `target` at `due`; an entry already held for it goes stale once `due` is its
    /// `scheduledTick`, and is skipped then.
    mutating func schedule(_ target: Target, at due: UInt64) {
        insert(Request(target, at: due))
    }

    /// Schedules a request made on another thread.
    mutating func insert(_ request: Request) {
        heap.push(Timestamp(nanoseconds: Int64(clamping: request.due)), request)
    }

    /// Hands each target due at `now` to `tick`, once per current entry, and schedules it at the
    /// time `tick` returns (nil: the target scheduled itself, or never ticks again). Everything due
    /// is popped before the first tick, so a target rescheduled into the past waits for the next
    /// run instead of ticking in a loop; checked just before its tick, so of two entries with the
    /// same time only the first ticks, the tick having moved `scheduledTick` on.
    mutating func runDue(now: UInt64, _ tick: (Target) -> UInt64?) {
        let cutoff = Timestamp(nanoseconds: Int64(clamping: now))
        while let entry = heap.popDue(now: cutoff) { running.append(entry) }
        for entry in running {
            guard let target = entry.target.target, target.scheduledTick == entry.target.due,
                  let next = tick(target) else { continue }
            schedule(target, at: next)
        }
        running.removeAll(keepingCapacity: true)
    }

    /// Drops the stale entries once they outnumber the `live` targets twice over, so ticks brought
    /// forward again and again cannot grow the heap without limit.
    mutating func compact(live: Int) {
        heap.compact(limit: 3 * live + Self.compactionSlack) { _, request in
            request.target.map { $0.scheduledTick == request.due } ?? false
        }
    }
}
