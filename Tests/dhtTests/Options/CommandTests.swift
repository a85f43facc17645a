import Testing
@testable import dht

/// The REPL's line grammar, including whitespace handling of values.
@Suite struct CommandTests {
    @Test func putKeepsEverythingAfterOneSeparatorAsTheValue() {
        #expect(Command.parse(line: "put hello world") == .put(key: "hello", value: "world"))
        #expect(Command.parse(line: "put k a b c") == .put(key: "k", value: "a b c"))
        #expect(Command.parse(line: "put k  a b ") == .put(key: "k", value: " a b "))
        #expect(Command.parse(line: "put\tk\tx\ty") == .put(key: "k", value: "x\ty"))
        #expect(Command.parse(line: "  put   k v") == .put(key: "k", value: "v"))
        #expect(Command.parse(line: "put k 'quoted' \"too\"") == .put(key: "k", value: "'quoted' \"too\""))
        #expect(Command.parse(line: "put k héllo wörld ✓") == .put(key: "k", value: "héllo wörld ✓"))
    }

    @Test func putWithoutKeyOrValueIsAUsageError() {
        #expect(Command.parse(line: "put") == .usage(command: "put"))
        #expect(Command.parse(line: "put   ") == .usage(command: "put"))
        #expect(Command.parse(line: "put k") == .usage(command: "put"))
        #expect(Command.parse(line: "put k ") == .usage(command: "put"))
    }

    @Test func putTakesATTLRightAfterTheCommandWord() {
        #expect(Command.parse(line: "put --ttl 30s k v") == .put(key: "k", value: "v", ttl: .seconds(30)))
        #expect(Command.parse(line: "put --ttl=30s k v") == .put(key: "k", value: "v", ttl: .seconds(30)))
        #expect(Command.parse(line: "put\t--ttl\t500ms  k  a b ") == .put(key: "k", value: " a b ", ttl: .milliseconds(500)))
        #expect(Command.parse(line: "put --ttl 2h --ttl 1d k v") == .put(key: "k", value: "v", ttl: .seconds(86_400)))
        #expect(Command.parse(line: "PUT --ttl 10m K V") == .put(key: "K", value: "V", ttl: .seconds(600)))
        #expect(Command.parse(line: "put k --ttl 30s") == .put(key: "k", value: "--ttl 30s"))
        #expect(Command.parse(line: "put k v") == .put(key: "k", value: "v", ttl: nil))
    }

    @Test func doubleDashEndsPutOptionsSoKeysMayStartWithDashes() {
        #expect(Command.parse(line: "put -- --k v") == .put(key: "--k", value: "v"))
        #expect(Command.parse(line: "put --ttl 1m -- --k v") == .put(key: "--k", value: "v", ttl: .seconds(60)))
        #expect(Command.parse(line: "put -k v") == .put(key: "-k", value: "v"))
    }

    @Test func badPutOptionsAreErrorsThatSendNothing() {
        #expect(Command.parse(line: "put --foo k v") == .unknownOption(command: "put", option: "--foo"))
        #expect(Command.parse(line: "put --ttlx=1s k v") == .unknownOption(command: "put", option: "--ttlx=1s"))
        #expect(Command.parse(line: "put --TTL 1s k v") == .unknownOption(command: "put", option: "--TTL"))
        #expect(Command.parse(line: "put --ttl 5 k v") == .invalidDuration(option: "--ttl", text: "5", problem: .missingUnit))
        #expect(Command.parse(line: "put --ttl 0s k v") == .invalidDuration(option: "--ttl", text: "0s", problem: .notPositive))
        #expect(Command.parse(line: "put --ttl=-5s k v") == .invalidDuration(option: "--ttl", text: "-5s", problem: .notPositive))
        #expect(Command.parse(line: "put --ttl 5x k v") == .invalidDuration(option: "--ttl", text: "5x", problem: .unknownUnit("x")))
        #expect(Command.parse(line: "put --ttl 99999999999999999999d k v") ==
            .invalidDuration(option: "--ttl", text: "99999999999999999999d", problem: .tooLong))
        #expect(Command.parse(line: "put --ttl") == .invalidDuration(option: "--ttl", text: "", problem: .empty))
        #expect(Command.parse(line: "put --ttl=  k v") == .invalidDuration(option: "--ttl", text: "", problem: .empty))
        #expect(Command.parse(line: "put --ttl k v") == .invalidDuration(option: "--ttl", text: "k", problem: .malformed))
    }

    @Test func putWithATTLStillNeedsKeyAndValue() {
        #expect(Command.parse(line: "put --ttl 30s") == .usage(command: "put"))
        #expect(Command.parse(line: "put --ttl 30s k") == .usage(command: "put"))
        #expect(Command.parse(line: "put --ttl 30s k ") == .usage(command: "put"))
        #expect(Command.parse(line: "put --") == .usage(command: "put"))
    }

    @Test func deleteTakesExactlyOneKey() {
        #expect(Command.parse(line: "delete hello") == .delete(key: "hello"))
        #expect(Command.parse(line: "DELETE Key ") == .delete(key: "Key"))
        #expect(Command.parse(line: "delete") == .usage(command: "delete"))
        #expect(Command.parse(line: "delete a b") == .usage(command: "delete"))
    }

    @Test func joinTakesOneHostAndPort() {
        #expect(Command.parse(line: "join localhost:8001") == .join(endpoint: "localhost:8001"))
        #expect(Command.parse(line: " Join  127.0.0.1:9 ") == .join(endpoint: "127.0.0.1:9"))
        #expect(Command.parse(line: "join") == .usage(command: "join"))
        #expect(Command.parse(line: "join a:1 b:2") == .usage(command: "join"))
        #expect(Command.parse(line: "join localhost") == .invalidEndpoint(reason: "node 'localhost' has no port (expected host:port)"))
        #expect(Command.parse(line: "join :8001") == .invalidEndpoint(reason: "node ':8001' has no host (expected host:port)"))
        #expect(Command.parse(line: "join a:0") == .invalidEndpoint(reason: "node 'a:0' has an invalid port (expected 1 to 65535)"))
        #expect(Command.parse(line: "join ::1:80") == .invalidEndpoint(reason: "node '::1:80' is not host:port (IPv6 is not supported)"))
    }

    @Test func getTakesExactlyOneKey() {
        #expect(Command.parse(line: "get hello") == .get(key: "hello"))
        #expect(Command.parse(line: "get  hello  ") == .get(key: "hello"))
        #expect(Command.parse(line: "get") == .usage(command: "get"))
        #expect(Command.parse(line: "get a b") == .usage(command: "get"))
    }

    @Test func commandsWithoutArguments() {
        #expect(Command.parse(line: "status") == .status)
        #expect(Command.parse(line: "help") == .help)
        #expect(Command.parse(line: "quit") == .quit)
        #expect(Command.parse(line: "exit") == .quit)
        #expect(Command.parse(line: " quit ") == .quit)
        #expect(Command.parse(line: "status now") == .usage(command: "status"))
        #expect(Command.parse(line: "exit 1") == .usage(command: "exit"))
    }

    @Test func commandWordsIgnoreCaseButKeysDoNot() {
        #expect(Command.parse(line: "PUT Key Value") == .put(key: "Key", value: "Value"))
        #expect(Command.parse(line: "Get Key") == .get(key: "Key"))
        #expect(Command.parse(line: "QUIT") == .quit)
    }

    @Test func blankLinesAreIgnored() {
        #expect(Command.parse(line: "") == nil)
        #expect(Command.parse(line: "   ") == nil)
        #expect(Command.parse(line: "\t") == nil)
    }

    @Test func unknownCommandKeepsTheWordAsTyped() {
        #expect(Command.parse(line: "frobnicate") == .unknown("frobnicate"))
        #expect(Command.parse(line: "Frob x y") == .unknown("Frob"))
        #expect(Command.parse(line: "putx k v") == .unknown("putx"))
    }

    @Test func crawlTakesAnOptionalNodeCount() {
        #expect(Command.parse(line: "crawl") == .crawl(maxNodes: nil))
        #expect(Command.parse(line: "crawl 500") == .crawl(maxNodes: 500))
        #expect(Command.parse(line: "crawl 10000") == .crawl(maxNodes: 10_000))
        for bad in ["crawl 0", "crawl 10001", "crawl -5", "crawl +5", "crawl many", "crawl 5 6", "crawl ٣"] {
            #expect(Command.parse(line: bad) == .usage(command: "crawl"), "\(bad)")
        }
        #expect(Output.usage(command: "crawl").hasPrefix("Usage: crawl [max-nodes]"))
    }
}
