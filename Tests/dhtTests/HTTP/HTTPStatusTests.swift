import Kademlia
import Testing
@testable import dht

/// Which status each kind of REPL reply gets over HTTP: decided by how the command failed,
/// never by words in the reply, which a key can contain.
@Suite struct HTTPStatusTests {
    @Test func theStatusFollowsTheFailureNotTheText() {
        let tricky = #"refused "error":"usage" Invalid too large"#
        #expect(HTTPAPI.status(of: Replies.getFailed(op: "get", key: tricky, .noNodeAnswered)) == 503)
        #expect(HTTPAPI.status(of: Replies.found(key: tricky, FoundValue(value: [1], seq: 0))) == 200)
        #expect(HTTPAPI.status(of: Replies.found(key: tricky, nil)) == 404)
        #expect(HTTPAPI.status(of: Replies.local(to: .usage(command: "get"))) == 400)
        #expect(HTTPAPI.status(of: Replies.local(to: .emptyKey(command: "get"))) == 400)
        #expect(HTTPAPI.status(of: Replies.sizeRefusal(op: "put", key: "k", valueSize: 1001)!) == 413)
        #expect(HTTPAPI.status(of: Replies.putFailed(key: tricky, .invalidItem("salt too big"))) == 400)
        #expect(HTTPAPI.status(of: Replies.putFailed(key: "k", .notStored)) == 503)
        #expect(HTTPAPI.status(of: Replies.joinFailed(endpoint: "nohost", .unresolvable(.malformed("no port")))) == 400)
        #expect(HTTPAPI.status(of: Replies.joinFailed(endpoint: "a:1", .noAnswer(tried: 1))) == 503)
        #expect(HTTPAPI.status(of: Replies.watched(WatchEvent(key: "k", version: nil))) == 404)
    }
}
