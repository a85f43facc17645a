import Testing
@testable import Kademlia
@testable import KademliaCore

private let tid: [UInt8] = [0x56, 0x78]

/// Watching a key, both halves without a network: the holder's listeners and the
/// notifications a change leaves, and the watcher's filter on what it is told.
@Suite struct ListeningTests {
    private func makeState(seed: UInt64) -> (NodeState, SeededGenerator) {
        var generator = SeededGenerator(seed: seed)
        return (makeTestState(randomSeed: seed &+ 100, localID: NodeID.random(using: &generator)), generator)
    }

    private func token(_ state: inout NodeState, for asker: Contact, _ target: NodeID, now: Timestamp = start) throws -> [UInt8] {
        try #require(response(state.answer(.findValue(target: target), transactionID: tid, from: asker, now: now))?.token)
    }

    @Test func aHolderNotifiesItsListenersOfEachNewVersionOnly() throws {
        var (state, generator) = makeState(seed: 7)
        let target = NodeID(key: "watched")
        let watcher = peer(NodeID.random(using: &generator), port: 7001)
        let writer = peer(NodeID.random(using: &generator), port: 7002)
        #expect(state.answer(.listen(target: target, token: [1, 2]), transactionID: tid, from: watcher, now: start).isError(203),
                "a listen needs this holder's token")
        let listenToken = try token(&state, for: watcher, target)
        #expect(response(state.answer(.listen(target: target, token: listenToken), transactionID: tid, from: watcher, now: start)) != nil)
        #expect(state.store.newVersions.isEmpty)

        let writeToken = try token(&state, for: writer, target)
        let put = StoreRequest(token: writeToken, target: target, value: [UInt8]("v1".utf8), seq: 1, key: [UInt8]("watched".utf8))
        _ = state.answer(.store(put), transactionID: tid, from: writer, now: start)
        let notices = state.takeNotifications(now: start)
        #expect(notices.count == 1 && notices.first?.address == watcher.address)
        guard case .notify(let told)? = notices.first?.query else { Issue.record("no notify: \(notices)"); return }
        #expect(told.token == listenToken && told.seq == 1 && told.value == [UInt8]("v1".utf8) && told.key == put.key && !told.deleted)

        _ = state.answer(.store(put), transactionID: tid, from: writer, now: start + .seconds(1))
        #expect(state.store.newVersions.isEmpty, "a copy of the version held is no news")
        var delete = put
        delete.seq = 2
        delete.value = []
        delete.deleted = true
        _ = state.answer(.store(delete), transactionID: tid, from: writer, now: start + .seconds(2))
        guard case .notify(let deleted)? = state.takeNotifications(now: start + .seconds(2)).first?.query else {
            Issue.record("no notify of the delete"); return
        }
        #expect(deleted.deleted && deleted.seq == 2)

        var later = put
        later.seq = 3
        later.token = try token(&state, for: writer, target, now: start + ListenerTable.lifetime + .seconds(1))
        _ = state.answer(.store(later), transactionID: tid, from: writer, now: start + ListenerTable.lifetime + .seconds(1))
        #expect(state.takeNotifications(now: start + ListenerTable.lifetime + .seconds(1)).isEmpty, "the registration lapsed")
        #expect(state.store.watched.isEmpty, "and the key is no longer watched")
    }

    @Test func listenersAreBoundedPerKeyPerSourceAndInAll() {
        var table = ListenerTable()
        let target = NodeID(key: "k")
        for index in 0..<ListenerTable.maxPerTarget {
            let contact = Contact(id: NodeID(key: "\(index)"), address: SocketAddress(ip: 0x0A00_0000 + UInt32(index), port: 1))
            #expect(table.listen(to: target, contact, token: [], now: start) == .added)
        }
        let late = Contact(id: NodeID(key: "late"), address: SocketAddress(ip: 0x0B00_0000, port: 1))
        #expect(table.listen(to: target, late, token: [], now: start) == .refused)
        #expect(table.listen(to: target, Contact(id: NodeID(key: "0"), address: SocketAddress(ip: 0x0A00_0000, port: 1)),
                             token: [], now: start) == .refreshed)
        for index in 0..<ListenerTable.maxPerSource {
            #expect(table.listen(to: NodeID(key: "t\(index)"), late, token: [], now: start) == .added)
        }
        #expect(table.listen(to: NodeID(key: "one more"), late, token: [], now: start) == .refused, "one address, many keys")
        #expect(table.listen(to: target, late, token: [], now: start + ListenerTable.lifetime) == .added, "lapsed places are free again")
        table.remove(late.address, from: target)
        #expect(table.listeners(of: target, now: start + ListenerTable.lifetime).isEmpty)
        #expect(table.count == 0, "at its bound every lapsed registration was swept; the removed one is forgotten")
    }

    @Test func aWatcherTakesOnlyNewerVersionsFromHoldersItAskedWithTheirTokens() {
        var watch = WatchedKey(target: NodeID(key: "k"))
        let holder = SocketAddress(ip: 0x7F00_0001, port: 9)
        watch.asked([holder: [7]])
        let request = StoreRequest(token: [7], target: NodeID(key: "k"), value: [1], seq: 1, key: [UInt8]("k".utf8))
        #expect(watch.take(request, from: SocketAddress(ip: 0x7F00_0001, port: 10)) == .unasked)
        var forged = request
        forged.token = [8]
        #expect(watch.take(forged, from: holder) == .unasked)
        var wrongKey = request
        wrongKey.key = [UInt8]("other".utf8)
        #expect(watch.take(wrongKey, from: holder) == .unasked)
        #expect(watch.take(request, from: holder) == .newer)
        #expect(watch.take(request, from: holder) == .known, "the same version twice")
        var older = request
        older.seq = 0
        older.value = [9]
        #expect(watch.take(older, from: holder) == .known)
        var deleted = request
        deleted.deleted = true
        deleted.value = []
        #expect(watch.take(deleted, from: holder) == .newer, "a tombstone wins at the same seq")
    }
}

private extension Message {
    /// Whether this is an error with `code`.
    func isError(_ code: Int64) -> Bool {
        if case .error(code, _) = body { true } else { false }
    }
}
