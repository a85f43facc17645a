import Kademlia

// Inputs for MessageDecoderDifferentialTests: the encoder's whole output range, and
// hand-written datagrams aimed at the checks whose order decides which error is reported.


private let idA = NodeID(bytes: bytes("abcdefghij0123456789")) ?? .zero
private let idB = NodeID(bytes: bytes("mnopqrstuvwxyz123456")) ?? .zero

private let contacts: [Contact] = (0..<8).map { (index: Int) -> Contact in
    let id = NodeID(high: UInt64(index) << 56, middle: ~UInt64(index), low: UInt32(index))
    let address = SocketAddress(ip: 0x0A00_0000 | UInt32(index), port: UInt16(6881 + index))
    return Contact(id: id, address: address)
}

/// Every body shape the encoder can produce, with and without each optional field.
let differentialBodies: [Message.Body] = {
    var result: [Message.Body] = [
        .query(sender: idA, .ping),
        .query(sender: idA, .findNode(target: idB)),
        .query(sender: idA, .findValue(target: idB)),
        .query(sender: idA, .unknown(method: "dht_extension", target: idB)),
        .query(sender: idA, .sampleInfohashes(target: idB)),
        .query(sender: idA, .getPeers(infoHash: idB)),
        .query(sender: idA, .getPeers(infoHash: idB, noSeed: true)),
        .query(sender: idA, .announcePeer(AnnounceRequest(infoHash: idB, port: 6881, token: bytes("tok")))),
        .query(sender: idA, .announcePeer(AnnounceRequest(infoHash: idB, port: 0, impliedPort: true, seed: true, token: []))),
        .query(sender: idA, .getItem(target: idB)),
        .query(sender: idA, .getItem(target: idB, seq: 7)),
        .query(sender: idA, .putItem(ItemPutRequest(token: bytes("tk"), value: bytes("12:Hello World!")))),
        .query(sender: idA, .putItem(ItemPutRequest(token: bytes("tk"), value: bytes("d1:ai1e1:bli2eee")))),
        .query(sender: idA, .putItem(ItemPutRequest(token: bytes("tk"), value: bytes("i-5e"),
                                                    mutable: MutableItemFields(publicKey: Array(repeating: 7, count: 32),
                                                                               signature: Array(repeating: 9, count: 64),
                                                                               seq: 4, salt: bytes("foobar")),
                                                    cas: 3))),
        .query(sender: idA, .putItem(ItemPutRequest(token: [], value: bytes("0:"),
                                                    mutable: MutableItemFields(publicKey: [1], signature: [2], seq: -1)))),
        .query(sender: idA, .unknown(method: "")),
        .query(sender: idA, .unknown(method: "pingé")),
        .error(code: 201, message: "A Generic Error Ocurred"),
        .error(code: 302, message: ""),
        .error(code: .min, message: "négatif"),
        .error(code: .max, message: String(repeating: "x", count: 300)),
    ]
    for key in [nil, bytes("user key")] {
        for ttl in [nil, 0, 60] as [Int64?] {
            for seq in [0, 1, .max] as [Int64] {
                let request = StoreRequest(token: [1, 2, 3], target: idB, value: Array(repeating: 0x61, count: 100), seq: seq, key: key, ttl: ttl)
                result.append(.query(sender: idA, .store(request)))
            }
        }
    }
    result.append(.query(sender: idA, .store(StoreRequest(token: [], target: idB, value: [], seq: 0))))
    for nodes in [nil, [], Array(contacts.prefix(1)), contacts] as [[Contact]?] {
        for token in [nil, [], bytes("token")] as [[UInt8]?] {
            for value in [nil, [], [0, 1, 2]] as [[UInt8]?] {
                for seq in [nil, 0, -1, 42] as [Int64?] {
                    result.append(.response(Response(id: idB, nodes: nodes, token: token, value: value, seq: seq)))
                }
            }
        }
    }
    for peers in [[], [SocketAddress(ip: 0x0A00_0001, port: 1)], contacts.map(\.address)] {
        result.append(.response(Response(id: idB, nodes: contacts, token: bytes("t"), peers: peers)))
    }
    for item in ["le", "d1:xi1ee", "i0e", "3:abc"] {
        var response = Response(id: idB, token: bytes("t"), seq: 2)
        response.item = bytes(item)
        response.publicKey = Array(repeating: 3, count: 32)
        response.signature = Array(repeating: 4, count: 64)
        result.append(.response(response))
    }
    return result
}()

/// Encoder output for every body under several transaction ids and versions.
let differentialCorpus: [[UInt8]] = differentialBodies.flatMap { body in
    [([0x00, 0xFF], Message.ourVersion), ([], nil), (bytes("aa"), bytes("LT01")), ([0x80], [])].map { tid, version in
        Message(transactionID: tid, body: body, version: version).encoded()
    }
}

/// Hand-written datagrams: the vectors of MessageTests and BencodeTests plus the corner cases
/// where several problems compete, so the first one reported is what gets compared.
let differentialVectors: [String] = [
    "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
    "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re",
    "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee",
    "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe",
    "d1:eli202e6:Server3:xyze1:t2:aa1:y1:ee",
    "not bencode", "d1:t2:aa1:y1:qe trailing", "l1:te", "i1e", "0:", "le", "de", "", "d1:y1:qe", "d1:ti1e1:y1:qe",
    "d1:t2:aa1:y1:re", "d1:eli201ee1:t2:aa1:y1:ee", "d1:el3:abci201ee1:t2:aa1:y1:ee", "d1:ele1:t2:aa1:y1:ee",
    "d1:ei201e1:t2:aa1:y1:ee", "d1:eli201e3:abcli1eee1:t2:aa1:y1:ee", "d1:t2:aa1:y1:ee", "d1:eli201e3:abce1:t0:1:yi1ee",
    "d1:t2:aa1:y1:ze", "d1:t2:aa1:y2:qqe", "d1:t2:aa1:y0:e", "d1:t2:aa1:yle", "d1:t2:aae", "d1:t2:aa1:y1:qe",
    "d1:ale1:q4:ping1:t2:aa1:y1:qe", "d1:ad2:id20:abcdefghij0123456789e1:qi1e1:t2:aa1:y1:qe",
    "d1:ad2:idi1ee1:q4:ping1:t2:aa1:y1:qe", "d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe", "d1:ade1:q4:ping1:t2:aa1:y1:qe",
    "d1:ade1:q5:store1:t2:aa1:y1:qe", "d1:ad2:id20:abcdefghij0123456789e1:q5:store1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij01234567893:seqi-1e3:ttl1:xe1:q5:store1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij01234567893:keyi1e3:seqi0e5:token0:3:ttli-1e1:v0:e1:q5:store1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij01234567893:seqi0e5:token0:3:ttli-1e1:v0:e1:q5:store1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij01234567893:seqi0e5:token0:3:ttl0:1:v0:e1:q5:store1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij01234567893:seqi0e6:target3:abc5:token0:1:v0:e1:q5:store1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij01234567893:seq1:06:targetle5:token0:1:v0:e1:q5:store1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij01234567896:target2:xye1:q10:find_value1:t2:aa1:y1:qe",
    "d1:ad2:idle1:xi1ee1:q3:foo1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij0123456789e1:q5:ping 1:t2:aa1:y1:qe", "d1:ad2:id20:abcdefghij0123456789e1:q0:1:t2:aa1:y1:qe",
    "d1:rle1:t2:aa1:y1:re", "d1:rde1:t2:aa1:y1:re", "d1:rd2:id20:mnopqrstuvwxyz1234565:nodesi1ee1:t2:aa1:y1:re",
    "d1:rd5:nodes1:x5:tokeni1ee1:t2:aa1:y1:re", "d1:rd2:id20:mnopqrstuvwxyz1234565:nodes1:x5:tokeni1ee1:t2:aa1:y1:re",
    "d1:rd2:id20:mnopqrstuvwxyz1234565:tokeni1e1:vi1ee1:t2:aa1:y1:re",
    "d1:rd2:id20:mnopqrstuvwxyz1234563:seq1:11:vi1ee1:t2:aa1:y1:re", "d1:rd2:id20:mnopqrstuvwxyz1234563:seqlee1:t2:aa1:y1:re",
    "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:v4:LT011:y1:re",
    "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:vi1e1:y1:qe",
    "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qee", "d1:t2:aa1:t2:bbe", "d1:y1:q1:t2:aae",
    "d1:ad2:id20:abcdefghij01234567892:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
    "d1:ad2:id20:abcdefghij0123456789i1e1:xe1:q4:ping1:t2:aa1:y1:qe", "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q",
    "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t03:abc1:y1:qe", "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qxe",
    "i03e", "i-0e", "i-e", "ie", "i9223372036854775808e", "i-9223372036854775808e", "03:abc", "1x", "5:abc", "12",
    "99999999999999999999:a", "9223372036854775807:a", "d1:b1:x1:a1:ye", "d1:a1:x1:a1:ye", "di1e1:xe", "dle1:xe", "dxe",
    "d1:ae", "d1:a1:b", "d0:0:0:0:e", "-1:a", "e", "d1:ti-0e1:y1:qe", "d1:t2:aa1:y1:ri-0ee", "d1:eli0e0:e1:t2:aa1:y1:ee",
]

/// Bytes that are not UTF-8 where the decoder builds a String or compares keys.
let differentialBinaryVectors: [[UInt8]] = [
    bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:") + [0xFF] + bytes("ing1:t2:aa1:y1:qe"),
    bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:pin") + [0xC3] + bytes("1:t2:aa1:y1:qe"),
    bytes("d1:eli201e3:") + [0x80, 0xFF, 0x41] + bytes("e1:t2:aa1:y1:ee"),
    bytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:") + [0x80, 0x00] + bytes("1:y1:q1:") + [0xFF] + bytes("i1ee"),
    bytes("d1:") + [0x7F] + bytes("i1e1:") + [0x80] + bytes("i2ee"),
    bytes("d1:") + [0x80] + bytes("i1e1:") + [0x7F] + bytes("i2ee"),
]

/// Datagrams nested to just under, at and past the depth limit inside `a`, `e` and `r`.
let differentialDepthVectors: [String] = [29, 30, 31, 32].flatMap { (depth: Int) -> [String] in
    let lists: String = String(repeating: "l", count: depth) + String(repeating: "e", count: depth)
    let dictionaries: String = String(repeating: "d1:r", count: depth) + String(repeating: "e", count: depth + 1)
    return [
        "d1:ad2:id20:abcdefghij01234567891:x" + lists + "e1:q4:ping1:t2:aa1:y1:qe",
        "d1:eli201e0:" + lists + "e1:t2:aa1:y1:ee",
        "d1:r" + dictionaries + "1:t2:aa1:y1:re",
    ]
}

/// Every dictionary that takes, for each key, one of its options (nil leaves the key out).
/// Exhaustive products make sure each pair of competing field errors meets in both states.
func dictionaryProduct(_ options: [(String, [BencodeValue?])]) -> [BencodeValue] {
    var result: [[(String, BencodeValue)]] = [[]]
    for (key, values) in options {
        result = result.flatMap { (partial: [(String, BencodeValue)]) -> [[(String, BencodeValue)]] in
            values.map { (value: BencodeValue?) -> [(String, BencodeValue)] in
                guard let value else { return partial }
                return partial + [(key, value)]
            }
        }
    }
    return result.map { BencodeValue.dictionary($0) }
}

private let validID = BencodeValue.bytes(idA.bytes)
private let shortID = BencodeValue.bytes(Array(idA.bytes.prefix(19)))

/// Envelopes mixing every state of every top-level key; most are malformed in several ways at once.
let envelopeCombinations: [BencodeValue] = dictionaryProduct([
    ("t", [nil, .string("aa"), .integer(1)]),
    ("y", [nil, .string("q"), .string("r"), .string("e"), .string("qq"), .integer(1)]),
    ("q", [nil, .string("ping"), .integer(1)]),
    ("a", [nil, .dictionary([("id", validID)]), .list([validID])]),
    ("r", [nil, .dictionary([("id", validID)]), .list([validID])]),
    ("e", [nil, .list([.integer(201), .string("x")]), .list([.integer(201)]), .integer(201)]),
    ("v", [nil, .string("LT01"), .integer(1)]),
])

/// `store` arguments in every combination of absent, valid and invalid fields.
let storeArgumentCombinations: [BencodeValue] = dictionaryProduct([
    ("id", [nil, validID, shortID]),
    ("token", [nil, .string("tok"), .integer(1)]),
    ("v", [nil, .string("value"), .integer(1)]),
    ("seq", [nil, .integer(0), .integer(-1), .string("3")]),
    ("key", [nil, .string("k"), .integer(1)]),
    ("ttl", [nil, .integer(60), .integer(-5), .string("60")]),
    ("target", [nil, validID, shortID, .integer(1)]),
])

/// BEP 5 and BEP 44 arguments in every combination of absent, valid and invalid fields.
let mainlineArgumentCombinations: [BencodeValue] = dictionaryProduct([
    ("id", [nil, validID]),
    ("info_hash", [nil, validID, shortID]),
    ("target", [nil, validID, .integer(1)]),
    ("port", [nil, .integer(6881), .integer(0), .integer(70_000), .string("1")]),
    ("implied_port", [nil, .integer(1), .integer(2)]),
    ("token", [nil, .string("tok"), .integer(1)]),
    ("v", [nil, .string("x"), .list([.integer(1)])]),
    ("k", [nil, .bytes(Array(repeating: 1, count: 32)), .integer(1)]),
    ("sig", [nil, .bytes(Array(repeating: 2, count: 64))]),
    ("seq", [nil, .integer(1), .string("1")]),
])

/// `r` dictionaries in every combination of absent, valid and invalid fields.
let responseCombinations: [BencodeValue] = dictionaryProduct([
    ("id", [nil, validID, shortID, .integer(1)]),
    ("nodes", [nil, .bytes(Array(repeating: 1, count: 26)), .bytes(Array(repeating: 1, count: 25)), .integer(1), .list([])]),
    ("token", [nil, .string("tok"), .integer(1)]),
    ("v", [nil, .string("value"), .list([])]),
    ("seq", [nil, .integer(1), .string("1")]),
    ("values", [nil, .list([.bytes([1, 2, 3, 4, 5, 6]), .bytes([1])]), .bytes([1, 2, 3, 4, 5, 6, 7]), .integer(1)]),
])

/// `e` lists of up to three elements of each kind.
let errorListCombinations: [BencodeValue] = (0...3).flatMap { (count: Int) -> [BencodeValue] in
    let kinds: [BencodeValue] = [.integer(201), .string("x"), .list([]), .dictionary([] as [BencodeEntry])]
    var lists: [[BencodeValue]] = [[]]
    for _ in 0..<count { lists = lists.flatMap { list in kinds.map { list + [$0] } } }
    return lists.map { BencodeValue.list($0) }
}
