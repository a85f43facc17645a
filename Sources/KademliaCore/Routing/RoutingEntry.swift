/// A contact in the routing table with what we know of its liveness: what the table hands
/// out. It stores each one smaller (`StoredEntry`).
public struct RoutingEntry: Sendable, Equatable {
    public var contact: Contact
    /// Queries to it that went unanswered since it last answered (saturating at 255).
    private var failureCount: UInt8 = 0
    /// Whether it has said (in `v`) that it is one of ours, so it knows `find_value` and
    /// `store`: only then is its silence to them a sign it is gone (others may ignore
    /// methods they do not know).
    public var speaksOurMethods = false
    private var roundTripMicroseconds = Self.noRoundTrip
    public var lastSeen: Timestamp

    private static let noRoundTrip = UInt32.max

    /// An entry for `contact`, last heard from at `lastSeen`.
    public init(contact: Contact, lastSeen: Timestamp, failures: Int, roundTrip: Duration? = nil, speaksOurMethods: Bool = false) {
        self.contact = contact
        self.lastSeen = lastSeen
        self.speaksOurMethods = speaksOurMethods
        self.failures = failures
        self.roundTrip = roundTrip
    }

    /// Queries to it that went unanswered since it last answered.
    public var failures: Int {
        get { Int(failureCount) }
        set { failureCount = UInt8(clamping: newValue) }
    }

    /// The round trip of its latest answer; nil until one is measured.
    public var roundTrip: Duration? {
        get { roundTripMicroseconds == Self.noRoundTrip ? nil : .microseconds(roundTripMicroseconds) }
        set {
            guard let newValue else { return roundTripMicroseconds = Self.noRoundTrip }
            // Whole microseconds, within 0 and the largest value that is not "none".
            let microseconds = min(max(newValue / .microseconds(1), 0), Double(Self.noRoundTrip - 1))
            roundTripMicroseconds = UInt32(microseconds.rounded(.towardZero))
        }
    }
}

/// A routing entry as a bucket stores it: 32 bytes, where `RoutingEntry` takes 40. A node
/// of a large network holds some 200 of them, and a million simulated nodes 200 million.
///
/// What it gives up is precision nothing reads: the last-seen time is kept in sixteenths
/// of a second (`SeenClock`), where every rule asks about minutes; the round trip to within
/// 9% (a step of 2^(1/8)), where the one rule that compares them (`tradeForFaster`)
/// wants a factor of two; the failures up to 127, where contacts go after 2.
package struct StoredEntry: Sendable, Equatable {
    // Declared in this order so the small fields fill the contact's 6 bytes of tail padding.
    package var contact: Contact
    /// The failures in the low 7 bits, whether it speaks our methods in the high one.
    private var flags: UInt8
    private var roundTripCode: UInt8
    /// When it was last seen, in ticks of the table's `SeenClock`.
    package var seenTick: UInt32

    private static let speaksBit: UInt8 = 0x80
    private static let noRoundTrip: UInt8 = .max

    /// A fresh entry: no failures.
    package init(contact: Contact, seenTick: UInt32, roundTrip: Duration? = nil, speaksOurMethods: Bool = false) {
        self.contact = contact
        self.seenTick = seenTick
        flags = speaksOurMethods ? Self.speaksBit : 0
        roundTripCode = Self.noRoundTrip
        self.roundTrip = roundTrip
    }

    /// Queries to it that went unanswered since it last answered (saturating at 127).
    package var failures: Int {
        get { Int(flags & ~Self.speaksBit) }
        set { flags = (flags & Self.speaksBit) | UInt8(clamping: min(max(newValue, 0), 127)) }
    }

    /// Whether it has said that it is one of ours (see `RoutingEntry`).
    package var speaksOurMethods: Bool {
        get { flags & Self.speaksBit != 0 }
        set { flags = newValue ? flags | Self.speaksBit : flags & ~Self.speaksBit }
    }

    /// The round trip of its latest answer, to within 9% below; nil until one is measured.
    /// Code 0 is anything under a microsecond (loopback), code n the round trip 2^((n-1)/8)
    /// µs rounded down to a code, so 254 codes reach about an hour.
    package var roundTrip: Duration? {
        get {
            switch roundTripCode {
            case Self.noRoundTrip: return nil
            case 0: return .zero
            default:
                let step = Int(roundTripCode) - 1
                let microseconds = Self.eighthPowersOfTwo[step % 8] * Double(1 << (step / 8))
                return .nanoseconds(Int64((microseconds * 1000).rounded()))
            }
        }
        set {
            guard let newValue else { return roundTripCode = Self.noRoundTrip }
            let microseconds = newValue / .microseconds(1)
            guard microseconds >= 1 else { return roundTripCode = 0 }
            // microseconds = significand · 2^exponent, the significand in [1, 2).
            let octave = min(Int(microseconds.exponent), 32)
            let within = Self.eighthPowersOfTwo.lastIndex { $0 <= microseconds.significand } ?? 0
            roundTripCode = UInt8(min(octave * 8 + within + 1, Int(Self.noRoundTrip) - 1))
        }
    }

    /// 2^(r/8) for r in 0..<8 (the core imports no maths library).
    private static let eighthPowersOfTwo: [Double] = [
        1.0, 1.0905077326652577, 1.189207115002721, 1.2968395546510096,
        1.4142135623730951, 1.5422108254079407, 1.681792830507429, 1.8340080864093424,
    ]

    /// The entry as the table hands it out, its time read on `clock`.
    package func entry(on clock: SeenClock) -> RoutingEntry {
        RoutingEntry(contact: contact, lastSeen: clock.time(of: seenTick), failures: failures, roundTrip: roundTrip,
                     speaksOurMethods: speaksOurMethods)
    }
}

/// The clock a table's entries keep their last-seen times on: sixteenths of a second since
/// `base`, in 32 bits, which last 8.5 years; the table moves `base` on long before that
/// (`RoutingTable.advanceSeenClock`).
package struct SeenClock: Sendable {
    /// The time of tick 0.
    package private(set) var base: Timestamp

    package static let tick = Duration.milliseconds(62.5)
    private static let tickNanoseconds: Int64 = 62_500_000

    /// A clock whose tick 0 is `base`.
    package init(base: Timestamp) { self.base = base }

    /// The tick `time` falls in; tick 0 for a time before `base`, the last tick for one past the range.
    package func tick(of time: Timestamp) -> UInt32 {
        UInt32(clamping: max(0, (time.nanoseconds &- base.nanoseconds) / Self.tickNanoseconds))
    }

    /// The time at which `tick` began.
    package func time(of tick: UInt32) -> Timestamp {
        Timestamp(nanoseconds: base.nanoseconds &+ Int64(tick) * Self.tickNanoseconds)
    }

    /// Ticks a table lets pass before it moves the base on: 2^31, about 4.25 years.
    package static let rebaseAfter: UInt32 = 1 << 31

    /// Moves the base on by `rebaseAfter / 2` ticks; `tick` then maps an old tick to its new value (0 if before the new base).
    package mutating func advance() {
        base = time(of: Self.rebaseAfter / 2)
    }

    /// An old tick's value after `advance`.
    package static func advanced(_ tick: UInt32) -> UInt32 {
        tick >= rebaseAfter / 2 ? tick - rebaseAfter / 2 : 0
    }
}
