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
}
