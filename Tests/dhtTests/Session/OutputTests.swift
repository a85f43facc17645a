import Kademlia
import Testing
@testable import dht

/// The exact contract lines that users and scripts read.
@Suite struct OutputTests {
    @Test func statusBlockIsExact() {
        let text = Output.status(
            id: "1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b", address: "127.0.0.1:8002",
            buckets: [(index: 158, count: 1), (index: 159, count: 1)], totalNodes: 2, storedKeys: 1,
            expiringWithinHour: 1, tombstones: 3)
        #expect(text == """
            === Node Status ===
            Node ID: 1a2b3c4d5e6f1a2b3c4d5e6f1a2b3c4d5e6f1a2b
            Address: 127.0.0.1:8002
            Bucket 158: 1 nodes
            Bucket 159: 1 nodes
            Total known nodes: 2
            Stored keys: 1
            Values expiring within 1 h: 1
            Tombstones: 3
            ==================
            """)
    }

    @Test func upkeepLinesAppearOnceThereIsWorkAndNameTheBusiestDestinations() {
        #expect(Output.upkeepLines(UpkeepStatus()).isEmpty, "a quiet node's status block is as it always was")
        var upkeep = UpkeepStatus()
        upkeep.valuesHandedOff = 3400
        upkeep.busyAnswersReceived = 12
        upkeep.busyAnswersSent = 3
        upkeep.queriesRefused = 40
        upkeep.backlog.waiting = 1200
        upkeep.backlog.inFlight = 9
        upkeep.backlog.destinations = (1...4).map {
            UpkeepBacklog.Destination(address: SocketAddress(ip: 0x7F00_0001, port: UInt16(8000 + $0)), waiting: 400 - $0,
                                      inFlight: 3, window: 8)
        }
        #expect(Output.upkeepLines(upkeep) == [
            "Upkeep: 1200 queries waiting, 9 in flight; 3400 values handed off; busy answers 12 received, 3 sent; 40 queries refused by limits",
            "Upkeep to 127.0.0.1:8001: 399 waiting, 3 in flight, window 8",
            "Upkeep to 127.0.0.1:8002: 398 waiting, 3 in flight, window 8",
            "Upkeep to 127.0.0.1:8003: 397 waiting, 3 in flight, window 8",
        ])
        let block = Output.status(id: "ab", address: "127.0.0.1:1", buckets: [], totalNodes: 0, storedKeys: 0,
                                  upkeep: Output.upkeepLines(upkeep)).split(separator: "\n")
        #expect(block.dropLast().last?.hasPrefix("Upkeep to 127.0.0.1:8003") == true, "before the closing line")
        #expect(block.last == "==================")
    }

    @Test func statusCountsDefaultToZero() {
        let lines = Output.status(id: "ab", address: "127.0.0.1:1", buckets: [], totalNodes: 0, storedKeys: 2)
            .split(separator: "\n")
        #expect(lines.suffix(4) == ["Stored keys: 2", "Values expiring within 1 h: 0", "Tombstones: 0", "=================="])
    }

    @Test func statusBlockOfALoneNodeHasNoBucketLines() {
        let lines = Output.status(id: String(repeating: "0", count: 40), address: "127.0.0.1:1",
                                  buckets: [], totalNodes: 0, storedKeys: 0).split(separator: "\n")
        #expect(lines.count == 8)
        #expect(!lines.contains { $0.hasPrefix("Bucket") })
        #expect(lines[3] == "Total known nodes: 0")
    }

    @Test func putReplies() {
        #expect(Output.stored(key: "hello", nodes: 3) == "Stored key 'hello' at 3 nodes")
        #expect(Output.stored(key: "a", nodes: 1) == "Stored key 'a' at 1 nodes")
        #expect(Output.putFailed(key: "k", error: .notStored) == "Could not store key 'k': no node accepted it")
        #expect(Output.putFailed(key: "k", error: .valueTooLarge(size: 1001, limit: 1000)) == "Value too large: 1001 bytes (limit 1000)")
        #expect(Output.valueTooLarge(size: 5000, limit: 1000) == "Value too large: 5000 bytes (limit 1000)")
    }

    @Test func aPutThisNodeCouldNotJournalSaysSoAndIsNotCounted() {
        let reason = "cannot append to /data/journal.dht: No space left on device"
        let result = PutResult(storedAt: 7, seq: 3, storedHere: false, contactsKnown: 20, notKeptHere: reason)
        let reply = Replies.stored(key: "k", result)
        #expect(reply.text == "Stored key 'k' at 7 nodes", "the contract line, counting only the nodes that kept it")
        #expect(reply.warning == "warning: not kept on this node (held in memory only, not counted): \(reason)")
        #expect(reply.json.encoded == #"{"op":"put","key":"k","stored_at":7,"seq":3,"only_here":false,"not_kept_here":"\#(reason)"}"#)
        let kept = Replies.stored(key: "k", PutResult(storedAt: 8, seq: 3, storedHere: true, contactsKnown: 20))
        #expect(kept.warning == nil && !kept.json.encoded.contains("not_kept_here"))
        let deleted = Replies.deleted(key: "k", result)
        #expect(deleted.warning?.hasPrefix("warning: not kept on this node") == true)
    }

    @Test func aPutStoredOnlyHereSaysWhyThatMatters() {
        let known = Replies.stored(key: "k", PutResult(storedAt: 1, seq: 0, storedHere: true, contactsKnown: 1))
        #expect(known.warning == "warning: stored only on this node: none of the 1 other node known took it")
        let silentBootstrap = Replies.stored(key: "k", PutResult(storedAt: 1, seq: 0, storedHere: true, hasBootstrapNodes: true))
        #expect(silentBootstrap.warning == "warning: stored only on this node: no other node answered (is the bootstrap node running?)")
        #expect(silentBootstrap.json.encoded.contains(#""only_here":true"#))
        let aloneByChoice = Replies.stored(key: "k", PutResult(storedAt: 1, seq: 0, storedHere: true))
        #expect(aloneByChoice.warning == nil && aloneByChoice.json.encoded.contains(#""only_here":false"#))
    }

    @Test func aTTLBeyondACopysLifetimeIsExplainedNotSilentlyCapped() {
        let result = PutResult(storedAt: 3, seq: 0, storedHere: true, contactsKnown: 5)
        let long = Replies.stored(key: "k", result, ttl: .seconds(3 * 86_400), lifetime: .seconds(86_400))
        #expect(long.text == "Stored key 'k' at 3 nodes")
        #expect(long.warning == "note: a copy lives at most 1d on a node; this node republishes it until its 3d are up, "
                + "so it lives that long only while this node runs")
        #expect(long.json.encoded.hasSuffix(#""copy_lifetime_s":86400}"#))
        let within = Replies.stored(key: "k", result, ttl: .seconds(86_400), lifetime: .seconds(86_400))
        #expect(within.warning == nil && !within.json.encoded.contains("copy_lifetime_s"))
    }

    @Test func deleteReplies() {
        let nothing = Replies.deleted(key: "gone", PutResult(storedAt: 2, seq: 0, hadValue: false))
        #expect(nothing.text == "Key 'gone' was not found; its tombstone is at 2 nodes all the same, so no unseen copy comes back")
        #expect(nothing.json.encoded.contains(#""existed":false"#))
        let real = Replies.deleted(key: "k", PutResult(storedAt: 2, seq: 4, hadValue: true))
        #expect(real.text == "Deleted key 'k' at 2 nodes" && real.json.encoded.contains(#""existed":true"#))
        #expect(Output.deleted(key: "k", nodes: 1) == "Deleted key 'k' at 1 nodes")
        #expect(Output.deleted(key: "hello", nodes: 8) == "Deleted key 'hello' at 8 nodes")
        #expect(Output.deleteFailed(key: "k", error: .notStored) == "Could not delete key 'k': no node accepted it")
    }

    @Test func joinReplies() {
        #expect(Output.joined(endpoint: "localhost:8001", nodes: 3) == "Joined through localhost:8001: 3 nodes known")
        #expect(Output.joined(endpoint: "localhost:8001", nodes: 1) == "Joined through localhost:8001: 1 node known")
        #expect(Output.joinUnanswered(endpoint: "127.0.0.1:9") == "Could not join through 127.0.0.1:9: no answer")
        #expect(Output.reply(to: .invalidEndpoint(reason: "node 'x' has no port (expected host:port)")) ==
            "Could not join: node 'x' has no port (expected host:port)")
        #expect(Output.joinResolveFailed(.unresolvable(host: "x.invalid", reason: "Name or service not known")) ==
            "Could not join: cannot resolve host 'x.invalid': Name or service not known")
        #expect(Output.joinResolveFailed(.malformed("x")) == "Could not join: node 'x' is not host:port")
    }

    @Test func putOptionReplies() {
        #expect(Output.reply(to: .invalidDuration(option: "--ttl", text: "5", problem: .missingUnit)) ==
            "Invalid duration '5' for --ttl: no unit; expected a whole number and a unit (ms, s, m, h or d), such as 30s or 2h")
        #expect(Output.reply(to: .invalidDuration(option: "--ttl", text: "0s", problem: .notPositive)) ==
            "Invalid duration '0s' for --ttl: must be more than zero")
        #expect(Output.reply(to: .invalidDuration(option: "--ttl", text: "", problem: .empty)) ==
            "Option --ttl needs a duration: a whole number and a unit (ms, s, m, h or d), such as 30s or 2h")
        #expect(Output.reply(to: .unknownOption(command: "put", option: "--foo")) ==
            "Unknown option '--foo' for put; put takes only --ttl DURATION")
    }

    @Test func getReplies() {
        #expect(Output.getResult(key: "hello", value: Array("world".utf8)) == "Value: world")
        #expect(Output.getResult(key: "k", value: Array(" a b ".utf8)) == "Value:  a b ")
        #expect(Output.getResult(key: "k", value: []) == "Value: ")
        #expect(Output.getResult(key: "nope", value: nil) == "Key 'nope' not found")
    }

    @Test func invalidUTF8IsShownLossily() {
        #expect(Output.getResult(key: "k", value: [0x61, 0xFF, 0x62]) == "Value: a\u{FFFD}b")
    }

    @Test func repliesToNonNodeCommands() {
        #expect(Output.reply(to: .unknown("frobnicate")) == "Unknown command: frobnicate\nType 'help' for the list of commands.")
        #expect(Output.reply(to: .usage(command: "put")) == "Usage: put <key> <value>")
        #expect(Output.reply(to: .usage(command: "get")) == "Usage: get <key>")
        #expect(Output.reply(to: .usage(command: "status")) == "Usage: status (takes no arguments)")
        #expect(Output.reply(to: .usage(command: "delete")) == "Usage: delete <key>")
        #expect(Output.reply(to: .usage(command: "join")) == "Usage: join <host:port>")
        #expect(Output.reply(to: .delete(key: "k")) == nil)
        #expect(Output.reply(to: .join(endpoint: "a:1")) == nil)
        #expect(Output.reply(to: .help) == Output.help)
        #expect(Output.reply(to: .quit) == nil)
        #expect(Output.reply(to: .status) == nil)
        #expect(Output.goodbye == "Goodbye!")
    }

    @Test func helpListsEveryCommand() {
        for word in ["put <key> <value>", "put --ttl DURATION <key> <value>", "get <key>", "delete <key>",
                     "where <key>", "keys", "peers", "join <host:port>", "status", "help", "quit", "exit"] {
            #expect(Output.help.contains(word), "missing \(word)")
        }
        #expect(Output.usage.hasPrefix("Usage: dht <port> [host:port ...] [options]"))
        for option in CommandLineOptions.flags + CommandLineOptions.valueOptions {
            #expect(Output.usage.contains("  \(option)"), "missing \(option)")
        }
        #expect(Output.usage.contains(Output.help))
    }

    @Test func usageListsEveryTimingOptionWithItsDefault() {
        for option in NodeTuning.durationOptions {
            #expect(Output.usage.contains("\n  \(option) DURATION  "), "missing \(option)")
        }
        #expect(Output.usage.contains("\n  --failure-limit N  "))
        #expect(Output.usage.contains("  --replication-interval DURATION  re-store held values this often (default 1h)\n"))
        #expect(Output.usage.contains("  --rejoin-max DURATION            longest wait between rejoins (default 1m)\n"))
        #expect(Output.usage.contains("  --failure-limit N                missed replies in a row that drop a contact (default 2)\n"))
    }

    @Test func stderrLines() {
        #expect(Output.versionLine == "dht \(Output.version)")
        #expect(Output.error("missing port") == "dht: missing port")
        #expect(Banner.runningAlone(reachableAt: "127.0.0.1:9") ==
            "dht: no bootstrap node answered; running alone and retrying (others can still join at 127.0.0.1:9)")
        #expect(Output.bindFailed(host: "127.0.0.1", port: 8001, addressInUse: true, reason: "Address already in use") ==
            "dht: UDP port 8001 is already in use on 127.0.0.1")
        #expect(Output.bindFailed(host: "0.0.0.0", port: 80, addressInUse: false, reason: "Permission denied") ==
            "dht: cannot listen on UDP 0.0.0.0:80: Permission denied")
        #expect(Output.resolveFailed(.unresolvable(host: "x.invalid", reason: "Name or service not known")) ==
            "dht: cannot resolve bootstrap host 'x.invalid': Name or service not known")
        #expect(Output.resolveFailed(.malformed("x")) == "dht: bootstrap node 'x' is not host:port")
    }
}
