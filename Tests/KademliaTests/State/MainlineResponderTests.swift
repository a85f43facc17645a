import Testing
@testable import Kademlia
@testable import KademliaCore
import KademliaTestKit

private let tid: [UInt8] = [0x61, 0x61]

private func error(_ message: Message) -> (code: Int64, text: String)? {
    if case .error(let code, let text) = message.body { (code, text) } else { nil }
}

private func makeState() -> (NodeState, SeededGenerator) {
    var generator = SeededGenerator(seed: 44)
    let state = makeTestState(randomSeed: 45, localID: NodeID.random(using: &generator))
    return (state, generator)
}

/// A libtorrent 2.1.1 query as MAINLINE.md captured its shape: keys `a q t v y`, a 2-byte
/// `t`, `v` = `LT` 2.1; `arguments` in key order.
private func libtorrentQuery(_ method: String, _ arguments: [(String, BencodeValue)]) -> [UInt8] {
    BencodeValue.dictionary([
        ("a", .dictionary(arguments)), ("q", .string(method)), ("t", .bytes(tid)), ("v", .bytes([0x4C, 0x54, 0x02, 0x11])),
        ("y", .string("q")),
    ]).encoded()
}

@Suite struct MainlineResponderTests {
    private let asker = Contact(id: NodeID(key: "libtorrent"), address: SocketAddress(ip: 0x7F01_0001, port: 6881))
    private let infoHash = NodeID(key: "a torrent")

    @Test func everyQueryShapeLibtorrentAndTransmissionSendDecodes() throws {
        let id = BencodeValue.bytes(asker.id.bytes), hash = BencodeValue.bytes(infoHash.bytes)
        let datagrams: [(String, [UInt8])] = [
            ("bootstrap get_peers", libtorrentQuery("get_peers", [("bs", .integer(1)), ("id", id), ("info_hash", hash)])),
            ("get_peers", libtorrentQuery("get_peers", [("id", id), ("info_hash", hash)])),
            ("announce lookup", libtorrentQuery("get_peers", [("id", id), ("info_hash", hash), ("noseed", .integer(1))])),
            ("announce_peer", libtorrentQuery("announce_peer", [("id", id), ("info_hash", hash), ("port", .integer(6881)),
                                                                 ("seed", .integer(0)), ("token", .string("abcd"))])),
            ("implied announce", libtorrentQuery("announce_peer", [("id", id), ("implied_port", .integer(1)), ("info_hash", hash),
                                                                    ("port", .integer(6881)), ("seed", .integer(1)), ("token", .string("abcd"))])),
            ("get", libtorrentQuery("get", [("id", id), ("target", hash)])),
            ("immutable put", libtorrentQuery("put", [("id", id), ("token", .string("abcd")), ("v", .string("Hello World!"))])),
            ("dict put", libtorrentQuery("put", [("id", id), ("token", .string("abcd")), ("v", .dictionary([("a", .integer(1))]))])),
            ("mutable put", libtorrentQuery("put", [("id", id), ("k", .bytes(Array(repeating: 1, count: 32))), ("salt", .string("s")),
                                                    ("seq", .integer(1)), ("sig", .bytes(Array(repeating: 2, count: 64))),
                                                    ("token", .string("abcd")), ("v", .string("x"))])),
            ("sample_infohashes", libtorrentQuery("sample_infohashes", [("id", id), ("target", hash)])),
            ("want", libtorrentQuery("find_node", [("id", id), ("target", hash), ("want", .list([.string("n4"), .string("n6")]))])),
            ("transmission ping", BencodeValue.dictionary([("a", .dictionary([("id", id)])), ("q", .string("ping")),
                                                           ("t", .bytes([0x70, 0x6E, 0, 0])), ("y", .string("q"))]).encoded()),
        ]
        for (name, datagram) in datagrams {
            let direct = try Message.decode(datagram)
            let tree = try datagram.withUnsafeBytes { try Message.decodeViaTree($0) }
            #expect(direct == tree, "\(name)")
            guard case .query(let sender, _) = direct.body else {
                Issue.record("\(name) is not a query")
                continue
            }
            #expect(sender == asker.id, "\(name)")
        }
        let put = try Message.decode(datagrams[7].1)
        #expect(put.body == .query(sender: asker.id, .putItem(ItemPutRequest(token: bytes("abcd"), value: bytes("d1:ai1ee")))))
        let sample = try Message.decode(datagrams[9].1)
        #expect(sample.body == .query(sender: asker.id, .sampleInfohashes(target: infoHash)))
    }

    @Test func errorRepliesCarryingAnRDictionaryAndRepliesWithIPDecode() throws {
        let withR = BencodeValue.dictionary([
            ("e", .list([.integer(203), .string("invalid token")])), ("r", .dictionary([("id", .bytes(asker.id.bytes))])),
            ("t", .bytes(tid)), ("y", .string("e")),
        ]).encoded()
        #expect(try Message.decode(withR).body == .error(code: 203, message: "invalid token"))
        let reply = Message(transactionID: tid, body: .response(Response(id: asker.id)), observedAddress: asker.address)
        #expect(try Message.decode(reply.encoded()).observedAddress == asker.address)
        let readOnly = Message(transactionID: tid, body: .query(sender: asker.id, .ping), readOnly: true)
        #expect(try Message.decode(readOnly.encoded()).readOnly)
    }

    @Test func getPeersGivesATokenTheAnnounceSpendsThenTheAnnouncedPeer() throws {
        var (state, _) = makeState()
        let first = try #require(response(state.answer(.getPeers(infoHash: infoHash), transactionID: tid, from: asker, now: start)))
        #expect(first.peers == nil && first.nodes != nil)
        let token = try #require(first.token)
        let announce = AnnounceRequest(infoHash: infoHash, port: 51413, token: token)
        #expect(response(state.answer(.announcePeer(announce), transactionID: tid, from: asker, now: start)) == Response(id: state.localID))

        let reader = Contact(id: NodeID(key: "reader"), address: SocketAddress(ip: 0x7F02_0001, port: 6881))
        let found = try #require(response(state.answer(.getPeers(infoHash: infoHash), transactionID: tid, from: reader, now: start)))
        #expect(found.peers == [SocketAddress(ip: asker.address.ip, port: 51413)])
        let reply = state.answer(.getPeers(infoHash: infoHash), transactionID: tid, from: reader, now: start)
        #expect(reply.observedAddress == reader.address, "BEP 42: every reply says where the asker was seen")

        // An implied port is the one the announce came from; a seed is left out for noseed.
        var implied = announce
        implied.impliedPort = true
        implied.seed = true
        let other = Contact(id: NodeID(key: "seed"), address: SocketAddress(ip: 0x7F03_0001, port: 7000))
        implied.token = try #require(response(state.answer(.getPeers(infoHash: infoHash), transactionID: tid, from: other, now: start))?.token)
        _ = state.answer(.announcePeer(implied), transactionID: tid, from: other, now: start)
        let all = try #require(response(state.answer(.getPeers(infoHash: infoHash), transactionID: tid, from: reader, now: start))?.peers)
        #expect(Set(all) == [SocketAddress(ip: asker.address.ip, port: 51413), other.address])
        let leechers = response(state.answer(.getPeers(infoHash: infoHash, noSeed: true), transactionID: tid, from: reader, now: start))
        #expect(leechers?.peers == [SocketAddress(ip: asker.address.ip, port: 51413)])

        // Thirty minutes on, the announcements have run out.
        let later = start + .seconds(31 * 60)
        #expect(response(state.answer(.getPeers(infoHash: infoHash), transactionID: tid, from: reader, now: later))?.peers == nil)
    }

    @Test func anAnnounceWithAnotherAddressesTokenIsRefused() throws {
        var (state, _) = makeState()
        let token = try #require(response(state.answer(.getPeers(infoHash: infoHash), transactionID: tid, from: asker, now: start))?.token)
        let thief = Contact(id: NodeID(key: "thief"), address: SocketAddress(ip: 0x7F09_0001, port: 6881))
        let refused = state.answer(.announcePeer(AnnounceRequest(infoHash: infoHash, port: 1, token: token)), transactionID: tid,
                                   from: thief, now: start)
        #expect(error(refused)?.code == 203)
    }

    @Test func unknownMethodsWithATargetGetNodesAndOthersGet204() {
        var (state, generator) = makeState()
        for _ in 0..<20 {
            _ = state.observe(Contact(id: NodeID.random(using: &generator), address: SocketAddress(ip: 0x0A00_0001, port: 1)), now: start)
        }
        let sample = response(state.answer(.unknown(method: "dht_extension", target: infoHash), transactionID: tid, from: asker, now: start))
        #expect(sample?.nodes?.count == 8)
        #expect(error(state.answer(.unknown(method: "vote"), transactionID: tid, from: asker, now: start))?.code == 204)
    }

    @Test func immutableItemsArePutUnderTheirHashAndReadBack() throws {
        var (state, _) = makeState()
        let value = bytes("d1:ai1e1:b3:xyze")
        let target = BEP44Rules.immutableTarget(of: value)
        let empty = try #require(response(state.answer(.getItem(target: target), transactionID: tid, from: asker, now: start)))
        #expect(empty.item == nil && empty.nodes != nil)
        let token = try #require(empty.token)
        let put = state.answer(.putItem(ItemPutRequest(token: token, value: value)), transactionID: tid, from: asker, now: start)
        #expect(response(put) == Response(id: state.localID))
        let got = try #require(response(state.answer(.getItem(target: target), transactionID: tid, from: asker, now: start)))
        #expect(got.item == value && got.structuredValue == value)
        let string = bytes("12:Hello World!")
        _ = state.answer(.putItem(ItemPutRequest(token: token, value: string)), transactionID: tid, from: asker, now: start)
        let hello = response(state.answer(.getItem(target: BEP44Rules.immutableTarget(of: string)), transactionID: tid, from: asker, now: start))
        #expect(hello?.value == bytes("Hello World!") && hello?.item == string)
        // Two hours on, both are gone.
        #expect(response(state.answer(.getItem(target: target), transactionID: tid, from: asker, now: start + .seconds(7201)))?.item == nil)
    }

    @Test func bep44RefusalsCarryTheirCodes() throws {
        var (state, _) = makeState()
        let token = try #require(response(state.answer(.getItem(target: infoHash), transactionID: tid, from: asker, now: start))?.token)
        let big = bytes("1001:") + Array(repeating: 0x61, count: 1001)
        #expect(error(state.answer(.putItem(ItemPutRequest(token: token, value: big)), transactionID: tid, from: asker, now: start))?.code == 205)
        let salty = MutableItemFields(publicKey: Array(repeating: 1, count: 32), signature: Array(repeating: 2, count: 64), seq: 1,
                                      salt: Array(repeating: 3, count: 65))
        let saltReply = state.answer(.putItem(ItemPutRequest(token: token, value: bytes("1:x"), mutable: salty)), transactionID: tid,
                                     from: asker, now: start)
        #expect(error(saltReply)?.code == 207)
        var forged = salty
        forged.salt = []
        let forgedReply = state.answer(.putItem(ItemPutRequest(token: token, value: bytes("1:x"), mutable: forged)), transactionID: tid,
                                       from: asker, now: start)
        #expect(error(forgedReply)?.code == 206)
        #expect(error(state.answer(.putItem(ItemPutRequest(token: [9], value: bytes("1:x"))), transactionID: tid, from: asker, now: start))?.code == 203)
    }

    @Test func thePeerStoreStaysBounded() {
        var store = PeerStore(maxTorrents: 3, maxPeersPerTorrent: 2)
        var generator = SeededGenerator(seed: 5)
        for torrent in 0..<3 {
            for peer in 0...torrent { store.announce(SocketAddress(ip: UInt32(peer + 1), port: 1), in: NodeID(key: "t\(torrent)"), seed: false, now: start) }
        }
        #expect(store.torrentCount == 3 && store.peerCount == 1 + 2 + 2, "a torrent keeps its 2 newest peers")
        store.announce(SocketAddress(ip: 9, port: 9), in: NodeID(key: "new"), seed: false, now: start + .seconds(1))
        #expect(store.torrentCount == 3)
        #expect(store.peers(of: NodeID(key: "t0"), limit: 10, now: start, using: &generator).isEmpty, "the smallest torrent made room")
        store.removeExpired(now: start + .milliseconds(1_800_500))
        #expect(store.torrentCount == 1 && store.peerCount == 1)
    }
}
