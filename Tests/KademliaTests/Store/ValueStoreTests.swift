import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

private let target = NodeID(key: "answer")
private let other = NodeID(key: "question")

@Suite struct ValueStoreTests {
    @Test func higherSeqReplaces() throws {
        let clock = ManualClock()
        var store = ValueStore()
        #expect(store.store(bytes("one"), seq: 1, for: target, now: clock.now()) == .stored)
        let later = clock.advance(by: .seconds(10))
        #expect(store.store(bytes("two"), seq: 2, for: target, now: later) == .stored)
        let held = try #require(store.value(for: target, now: later))
        #expect(held.value == bytes("two"))
        #expect(held.seq == 2)
        #expect(held.storedAt == later)
        #expect(held.expiresAt == later + .seconds(86_400))
        #expect(store.count == 1)
    }

    @Test func lowerSeqIsRejectedAndChangesNothing() throws {
        let clock = ManualClock()
        var store = ValueStore()
        _ = store.store(bytes("new"), seq: 5, for: target, now: clock.now())
        let before = try #require(store.value(for: target, now: clock.now()))
        let later = clock.advance(by: .seconds(100))
        #expect(store.store(bytes("zzz-old"), seq: 4, for: target, now: later) == .rejectedOlder(current: 5))
        #expect(store.store(bytes("zzz-old"), seq: 0, for: target, now: later) == .rejectedOlder(current: 5))
        #expect(store.value(for: target, now: later) == before, "value and expiry unchanged")
    }

    @Test(arguments: [
        (bytes("apple"), bytes("banana")),
        (bytes("ab"), bytes("abc")),
        ([0x00, 0xFF], [0x01]),
        ([], [0x00]),
        ([0x7F], [0x80]),
    ] as [([UInt8], [UInt8])])
    func equalSeqKeepsHigherBytesInEitherOrder(lower: [UInt8], higher: [UInt8]) throws {
        let now = Timestamp(nanoseconds: 5_000_000_000)
        var lowFirst = ValueStore()
        #expect(lowFirst.store(lower, seq: 3, for: target, now: now) == .stored)
        #expect(lowFirst.store(higher, seq: 3, for: target, now: now) == .stored)
        var highFirst = ValueStore()
        #expect(highFirst.store(higher, seq: 3, for: target, now: now) == .stored)
        #expect(highFirst.store(lower, seq: 3, for: target, now: now) == .keptExisting)
        #expect(lowFirst.value(for: target, now: now)?.value == higher)
        #expect(highFirst.value(for: target, now: now)?.value == higher)
    }

    @Test func equalSeqAndBytesRefreshesExpiry() throws {
        let clock = ManualClock()
        var store = ValueStore(maximumLifetime: .seconds(600))
        _ = store.store(bytes("same"), seq: 1, for: target, now: clock.now())
        let later = clock.advance(by: .seconds(500))
        #expect(store.store(bytes("same"), seq: 1, for: target, now: later) == .refreshed)
        let held = try #require(store.value(for: target, now: later))
        #expect(held.expiresAt == later + .seconds(600))
        #expect(store.value(for: target, now: clock.advance(by: .seconds(599))) != nil)
    }

    @Test func keptExistingDoesNotRefreshExpiry() throws {
        let start = Timestamp(nanoseconds: 0)
        var store = ValueStore(maximumLifetime: .seconds(600))
        _ = store.store(bytes("b"), seq: 1, for: target, now: start)
        #expect(store.store(bytes("a"), seq: 1, for: target, now: start + .seconds(300)) == .keptExisting)
        #expect(store.value(for: target, now: start + .seconds(300))?.expiresAt == start + .seconds(600))
    }

    @Test func ttlBoundsLifetimeAndIsCappedAtMaximum() throws {
        let start = Timestamp(nanoseconds: 0)
        var store = ValueStore()
        #expect(store.maximumLifetime == .seconds(86_400))
        _ = store.store(bytes("short"), seq: 0, for: target, ttl: .seconds(60), now: start)
        #expect(store.value(for: target, now: start + .seconds(59)) != nil)
        #expect(store.value(for: target, now: start + .seconds(60)) == nil)
        _ = store.store(bytes("long"), seq: 0, for: other, ttl: .seconds(1_000_000), now: start)
        #expect(store.value(for: other, now: start)?.expiresAt == start + .seconds(86_400))
        #expect(store.value(for: other, now: start + .seconds(86_399)) != nil)
        #expect(store.value(for: other, now: start + .seconds(86_400)) == nil)
        let huge = NodeID(key: "huge")
        _ = store.store(bytes("x"), seq: 0, for: huge, ttl: .seconds(Int64.max), now: start)
        #expect(store.value(for: huge, now: start)?.expiresAt == start + .seconds(86_400))
    }

    @Test func expiredValueIsGoneAndMayBeReplacedByAnySeq() throws {
        let clock = ManualClock()
        var store = ValueStore(maximumLifetime: .seconds(100))
        _ = store.store(bytes("old"), seq: 9, for: target, now: clock.now())
        let expired = clock.advance(by: .seconds(100))
        #expect(store.value(for: target, now: expired) == nil)
        #expect(store.targets(now: expired).isEmpty)
        #expect(store.count == 1, "not swept yet")
        #expect(store.store(bytes("fresh"), seq: 0, for: target, now: expired) == .stored)
        #expect(store.value(for: target, now: expired)?.seq == 0)
    }

    @Test func removeExpiredReturnsHowManyWentAndTargetsListsLiveOnes() {
        let start = Timestamp(nanoseconds: 0)
        var store = ValueStore(maximumLifetime: .seconds(1000))
        let targets = (0..<6).map { NodeID(key: "key-\($0)") }
        for (index, key) in targets.enumerated() {
            _ = store.store([UInt8(index)], seq: 0, for: key, ttl: .seconds(Int64(100 * (index + 1))), now: start)
        }
        let now = start + .seconds(250)
        #expect(Set(store.targets(now: now)) == Set(targets[2...]))
        #expect(store.count == 6)
        #expect(store.removeExpired(now: now) == 2)
        #expect(store.count == 4)
        #expect(store.removeExpired(now: now) == 0)
        #expect(store.removeExpired(now: start + .seconds(600)) == 4)
        #expect(store.count == 0)
        #expect(store.targets(now: start).isEmpty)
    }

    @Test func keyIsKeptAcrossUpdatesWithoutOne() throws {
        let start = Timestamp(nanoseconds: 0)
        var store = ValueStore()
        _ = store.store(bytes("v1"), seq: 1, for: target, key: bytes("answer"), now: start)
        _ = store.store(bytes("v2"), seq: 2, for: target, now: start)
        #expect(store.value(for: target, now: start)?.key == bytes("answer"))
        store.remove(target)
        #expect(store.value(for: target, now: start) == nil)
        #expect(store.count == 0)
    }

    @Test func targetsAreIndependent() {
        let start = Timestamp(nanoseconds: 0)
        var store = ValueStore()
        _ = store.store(bytes("a"), seq: 7, for: target, now: start)
        #expect(store.store(bytes("b"), seq: 1, for: other, now: start) == .stored)
        #expect(store.value(for: target, now: start)?.seq == 7)
        #expect(store.value(for: other, now: start)?.seq == 1)
    }
}
