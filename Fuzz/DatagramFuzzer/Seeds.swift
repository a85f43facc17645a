#if canImport(Glibc)
import Glibc
#endif
@testable import Kademlia

/// The seed corpus in Fuzz/corpus, made from the encoder so that it stays valid as the wire
/// format changes: `DHT_FUZZ_WRITE_SEEDS=Fuzz/corpus .build-fuzz/datagram-fuzzer` rewrites it.
/// Replies come from the harness's peers, under their ids, and name them and their addresses.
enum SeedCorpus {
    static func write(to directory: String) {
        _ = mkdir(directory, 0o755)
        let (valid, malformed) = seeds()
        for (name, bytes) in valid where (try? Message.decode(bytes)) == nil { fatalError("seed \(name) does not decode") }
        for (name, bytes) in malformed where (try? Message.decode(bytes)) != nil { fatalError("seed \(name) decodes") }
        for (name, bytes) in valid + malformed {
            let path = directory + "/" + name
            guard bytes.count <= DHTNode.maxDatagramSize, let file = fopen(path, "wb") else {
                fatalError("cannot write \(path) (\(bytes.count) bytes)")
            }
            let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fclose(file)
            guard written == bytes.count else { fatalError("short write to \(path)") }
        }
    }

    /// Datagrams that decode, and datagrams that do not.
    static func seeds() -> (valid: [(String, [UInt8])], malformed: [(String, [UInt8])]) {
        let sender = NodeID(key: "fuzz-sender")
        let peers = Harness.shared.peers.map { Contact(id: $0.id, address: $0.address) }
        let target = NodeID(key: Harness.keys[0])
        let key = Array(Harness.keys[0].utf8)
        let strangers = (0..<4).map { index in
            Contact(id: NodeID(key: "fuzz-stranger-\(index)"), address: SocketAddress(ip: 0xC000_0201 + UInt32(index), port: 7000))
        }
        let version = Message.ourVersion
        func query(_ query: Query, id: NodeID = sender) -> [UInt8] {
            Message(transactionID: [0x71, 0x01], body: .query(sender: id, query), version: version).encoded()
        }
        // An odd first transaction-id byte has the harness put in the id the node expects.
        func response(_ response: Response, transactionID: [UInt8] = [0x01, 0x00]) -> [UInt8] {
            Message(transactionID: transactionID, body: .response(response), version: version).encoded()
        }
        func error(_ code: ErrorCode, _ text: String) -> [UInt8] {
            Message.error(code, text, transactionID: [0x03, 0x00]).encoded()
        }
        func text(_ string: String) -> [UInt8] { Array(string.utf8) }
        let id20 = "abcdefghij0123456789"

        let valid: [(String, [UInt8])] = [
            ("query-ping", query(.ping)),
            ("query-ping-from-peer", query(.ping, id: peers[1].id)),
            ("query-find-node", query(.findNode(target: target))),
            ("query-find-node-grant", query(.findNode(target: Harness.nodeID, grant: text("grant-01")))),
            ("query-find-value", query(.findValue(target: target))),
            ("query-find-value-holding", query(.findValue(target: target, holding: 3))),
            ("query-store-key", query(.store(StoreRequest(token: text("12345678"), target: target, value: text("hello"), seq: 1, key: key)))),
            ("query-store-no-key", query(.store(StoreRequest(token: text("12345678"), target: NodeID(key: "other"), value: text("v"), seq: 0)))),
            ("query-store-ttl", query(.store(StoreRequest(token: text("12345678"), target: target, value: text("short"), seq: 2, key: key, ttl: 30)))),
            ("query-store-tombstone", query(.store(StoreRequest(token: text("12345678"), target: target, value: [], seq: 9, key: key, deleted: true)))),
            ("query-store-largest", query(.store(StoreRequest(token: text("12345678"), target: target,
                                                                value: [UInt8](repeating: 0x61, count: DHTNode.maxValueSize), seq: 4, key: key)))),
            ("query-unknown-method", query(.unknown(method: "vote"))),
            ("response-ping", response(Response(id: peers[0].id))),
            ("response-ping-own-id", response(Response(id: peers[2].id), transactionID: [0x02, 0x00])),
            ("response-find-node", response(Response(id: peers[0].id, nodes: Array(peers[1...4]) + strangers))),
            ("response-find-node-empty", response(Response(id: peers[3].id, nodes: []))),
            ("response-find-node-odd-contacts", response(Response(id: peers[4].id, nodes: [
                Contact(id: Harness.nodeID, address: SocketAddress(ip: 0x0A00_00FF, port: 6881)),
                Contact(id: strangers[0].id, address: SocketAddress(ip: 0, port: 6881)),
                Contact(id: strangers[1].id, address: SocketAddress(ip: 0xC000_0201, port: 0)),
                Contact(id: strangers[2].id, address: Harness.shared.stranger.address),
            ]))),
            ("response-find-value-value", response(Response(id: peers[0].id, nodes: strangers, token: text("tok-0001"),
                                                            value: text("found it"), seq: 5, ttl: 600))),
            ("response-find-value-largest", response(Response(id: peers[1].id, token: text("tok-0002"),
                                                              value: [UInt8](repeating: 0x7A, count: DHTNode.maxValueSize), seq: .max))),
            ("response-find-value-too-big", response(Response(id: peers[1].id, token: text("tok-0003"),
                                                              value: [UInt8](repeating: 0x7A, count: DHTNode.maxValueSize + 1), seq: 1))),
            ("response-find-value-tombstone", response(Response(id: peers[2].id, token: text("tok-0004"), seq: 7, ttl: 86_400, deleted: true))),
            ("response-find-value-tombstone-no-seq", response(Response(id: peers[2].id, token: text("tok-0005"), deleted: true))),
            ("response-find-value-nodes-token", response(Response(id: peers[3].id, nodes: Array(peers[4...7]), token: text("tok-0006")))),
            ("response-store-ack", response(Response(id: peers[5].id), transactionID: [0x05, 0x01])),
            ("error-generic", error(.generic, "A Generic Error Ocurred")),
            ("error-protocol", error(.protocolError, "Bad token")),
            ("error-method-unknown", error(.methodUnknown, "Method Unknown")),
            ("error-sequence", error(.sequenceTooLow, "Sequence number 1 lower than stored 5")),
        ]

        let malformed: [(String, [UInt8])] = [
            ("bad-not-dictionary", text("i42e")),
            ("bad-empty-dictionary", text("de")),
            ("bad-no-type", text("d1:t2:aae")),
            ("bad-unknown-type", text("d1:t2:aa1:y1:xe")),
            ("bad-unsorted-keys", text("d1:y1:q1:t2:aae")),
            ("bad-duplicate-key", text("d1:t2:aa1:t2:bb1:y1:re")),
            ("bad-query-no-method", text("d1:ad2:id20:\(id20)e1:t2:aa1:y1:qe")),
            ("bad-query-no-arguments", text("d1:q4:ping1:t2:aa1:y1:qe")),
            ("bad-short-id", text("d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe")),
            ("bad-store-negative-seq", text("d1:ad2:id20:\(id20)3:seqi-1e6:target20:\(id20)5:token2:tk1:v1:xe1:q5:store1:t2:aa1:y1:qe")),
            ("bad-leading-zero", text("d1:ad2:id20:\(id20)3:seqi01e6:target20:\(id20)e1:q10:find_value1:t2:aa1:y1:qe")),
            ("bad-nodes-length", text("d1:rd2:id20:\(id20)5:nodes25:\(id20)12345e1:t2:aa1:y1:re")),
            ("bad-negative-ttl", text("d1:rd2:id20:\(id20)3:ttli-5ee1:t2:aa1:y1:re")),
            ("bad-del-two", text("d1:rd3:deli2e2:id20:\(id20)e1:t2:aa1:y1:re")),
            ("bad-error-one-element", text("d1:eli201ee1:t2:aa1:y1:ee")),
            ("bad-trailing-bytes", text("d1:rd2:id20:\(id20)e1:t2:aa1:y1:reXYZ")),
            ("bad-length-past-end", text("d1:t4294967296:aa1:y1:re")),
            ("bad-too-deep", text(String(repeating: "l", count: 40) + String(repeating: "e", count: 40))),
            ("bad-truncated", Array(response(Response(id: peers[0].id, nodes: strangers)).prefix(70))),
        ]
        return (valid, malformed)
    }
}

/// The value of an environment variable, if set.
func environmentValue(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
}
