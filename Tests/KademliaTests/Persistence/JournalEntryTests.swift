import Testing
@testable import Kademlia
@testable import KademliaCore

/// Journal entries round-trip, refuse hostile payloads with an error, and replay into the
/// state a restart should see.
@Suite struct JournalEntryTests {
    private let target = NodeID(key: "hello")
    private var held: JournalEntry.HeldRecord {
        .init(target: target, key: Array("hello".utf8), value: Array("world".utf8), seq: 3, isTombstone: false, isReplica: true,
              expiresAt: 2_000)
    }

    private var everyKind: [JournalEntry] {
        [
            .identity(NodeID(key: "me")),
            .held(held),
            .held(.init(target: NodeID(key: "gone"), key: nil, value: [], seq: .max, isTombstone: true, isReplica: false, expiresAt: 0)),
            .dropped(target: target),
            .published(.init(target: target, key: Array("hello".utf8), value: [0, 255], seq: 0, expiresAt: nil)),
            .published(.init(target: target, key: [], value: [], seq: 9, expiresAt: 123)),
            .withdrawn(target: target),
            .contact(Contact(id: NodeID(key: "peer"), address: SocketAddress(ip: 0x0A00_0001, port: 6881))),
            .item(.init(target: target, value: Array("12:Hello World!".utf8), mutable: nil, expiresAt: 99)),
            .item(.init(target: target, value: Array("i1e".utf8),
                        mutable: MutableItemFields(publicKey: ramp(32), signature: ramp(64), seq: 3, salt: Array("s".utf8)),
                        expiresAt: 100)),
            .itemDropped(target: target),
        ]
    }

    @Test func everyKindRoundTrips() throws {
        for entry in everyKind {
            #expect(try JournalEntry(payload: entry.payload) == entry)
        }
    }

    @Test(arguments: [
        "garbage", "de", "d1:k4:nopee", "d1:k2:ide", "d2:id19:xxxxxxxxxxxxxxxxxxx1:k2:ide",
        "d1:k4:peer2:id20:xxxxxxxxxxxxxxxxxxxx2:ipi1e4:porti0ee",
        "d1:k4:peer2:id20:xxxxxxxxxxxxxxxxxxxx2:ipi-1e4:porti80ee",
        "d1:di2e1:ei1e1:k4:held1:ri0e1:si0e1:t20:xxxxxxxxxxxxxxxxxxxx1:v0:e",
        "d1:di0e1:ei1e1:k4:held1:ri0e1:si-1e1:t20:xxxxxxxxxxxxxxxxxxxx1:v0:e",
        "d1:k3:pub1:si0e1:t20:xxxxxxxxxxxxxxxxxxxx1:v0:e",
    ])
    func malformedPayloadsAreErrors(text: String) {
        #expect(throws: JournalEntry.DecodeError.self) { try JournalEntry(payload: Array(text.utf8)) }
    }

    @Test func replayFoldsInOrderAndDropsWhatExpiredWhileDown() {
        var later = held
        later.seq = 4
        let stillFresh = JournalEntry.HeldRecord(target: NodeID(key: "fresh"), key: nil, value: [1], seq: 0, isTombstone: false,
                                                 isReplica: true, expiresAt: 10_000)
        let entries: [JournalEntry] = [
            .identity(NodeID(key: "me")), .held(held), .held(later), .held(stillFresh),
            .published(.init(target: target, key: [1], value: [2], seq: 4, expiresAt: 1_000)),
            .published(.init(target: NodeID(key: "kept"), key: [3], value: [4], seq: 0, expiresAt: nil)),
            .contact(Contact(id: NodeID(key: "a"), address: SocketAddress(ip: 1, port: 1))),
            .contact(Contact(id: NodeID(key: "b"), address: SocketAddress(ip: 1, port: 1))),
        ]
        let snapshot = JournalSnapshot.replay(entries.map(\.payload) + [Array("junk".utf8)], now: 1_500)
        #expect(snapshot.id == NodeID(key: "me"))
        #expect(snapshot.held[target]?.seq == 4, "the later version wins")
        #expect(snapshot.held[NodeID(key: "fresh")] == stillFresh)
        #expect(snapshot.published[target] == nil, "its TTL ran out while the node was down")
        #expect(snapshot.published[NodeID(key: "kept")] != nil)
        #expect(snapshot.contacts.map(\.id) == [NodeID(key: "b")], "a new id at the same address replaces the old one")
        #expect(snapshot.unreadable == 1)
        // Compaction writes entries that rebuild the same state.
        #expect(JournalSnapshot.replay(snapshot.entries.map(\.payload), now: 1_500) == {
            var same = snapshot
            same.unreadable = 0
            return same
        }())
        let gone = JournalSnapshot.replay((entries + [.dropped(target: target), .withdrawn(target: target), .withdrawn(target: NodeID(key: "kept"))]).map(\.payload), now: 0)
        #expect(gone.held[target] == nil && gone.published.isEmpty)
    }

    @Test func contactsAreBounded() {
        var snapshot = JournalSnapshot()
        for index in 0..<(JournalSnapshot.maxContacts + 50) {
            snapshot.apply(.contact(Contact(id: NodeID(key: "c\(index)"), address: SocketAddress(ip: UInt32(index), port: 1))))
        }
        #expect(snapshot.contacts.count == JournalSnapshot.maxContacts)
        #expect(snapshot.contacts.first?.id == NodeID(key: "c50"))
    }
}
