import Kademlia
import Testing
@testable import dht

/// Quoted keys: spaces inside quotes, the two escapes, and the two ways quoting goes wrong.
@Suite struct CommandWordsTests {
    @Test func quotedKeysHoldSpacesAndEscapes() {
        #expect(Command.parse(line: #"put "my key" my value"#) == .put(key: "my key", value: "my value"))
        #expect(Command.parse(line: #"get "my key""#) == .get(key: "my key"))
        #expect(Command.parse(line: #"delete  "my key"  "#) == .delete(key: "my key"))
        #expect(Command.parse(line: #"where "a \"b\" c""#) == .where(key: #"a "b" c"#))
        #expect(Command.parse(line: #"get "back\\slash""#) == .get(key: #"back\slash"#))
        #expect(Command.parse(line: #"get "C:\temp""#) == .get(key: #"C:\temp"#), "other backslashes stay as typed")
        #expect(Command.parse(line: #"put --ttl 1m "--dashed key" v"#) == .put(key: "--dashed key", value: "v", ttl: .seconds(60)))
        #expect(Command.parse(line: #"put "k"  v "#) == .put(key: "k", value: " v "), "the value stays verbatim")
        #expect(Command.parse(line: #"put "k" "quoted value""#) == .put(key: "k", value: #""quoted value""#))
        #expect(Command.parse(line: #"get ab"c"#) == .get(key: #"ab"c"#), "a quote inside a bare word is a character")
    }

    @Test func badQuotingIsAnErrorThatSendsNothing() {
        #expect(Command.parse(line: #"put "my key v"#) == .badQuoting(command: "put", problem: .unterminatedQuote))
        #expect(Command.parse(line: #"get "a"b"#) == .badQuoting(command: "get", problem: .textAfterQuote))
        #expect(Command.parse(line: #"get "a\""#) == .badQuoting(command: "get", problem: .unterminatedQuote))
        #expect(Command.parse(line: #"put "" v"#) == .emptyKey(command: "put"))
        #expect(Command.parse(line: "get ''") == .emptyKey(command: "get"))
        #expect(Command.parse(line: #"delete """#) == .emptyKey(command: "delete"))
        #expect(Command.parse(line: #"get "a" "b""#) == .usage(command: "get"))
    }

    @Test func newCommandsTakeTheirArguments() {
        #expect(Command.parse(line: "keys") == .keys())
        #expect(Command.parse(line: "keys --all") == .keys(all: true))
        #expect(Command.parse(line: "keys --every") == .usage(command: "keys"))
        #expect(Command.parse(line: "PEERS") == .peers)
        #expect(Command.parse(line: "keys x") == .usage(command: "keys"))
        #expect(Command.parse(line: "where") == .usage(command: "where"))
        #expect(Command.parse(line: "where k") == .where(key: "k"))
    }

    @Test func keysAreShownQuotedOnlyWhenTheyNeedIt() {
        #expect(OutputViews.quoted("plain") == "plain")
        #expect(OutputViews.quoted("my key") == #""my key""#)
        #expect(OutputViews.quoted(#"a"b"#) == #""a\"b""#)
        // What `quoted` prints parses back to the same key.
        for key in ["my key", #"a"b c"#, #"back\ slash"#, "tab\tkey"] {
            #expect(Command.parse(line: "get " + OutputViews.quoted(key)) == .get(key: key))
        }
    }

    @Test func singleQuotesWorkAsInAShell() {
        #expect(Command.parse(line: "put 'single quoted' x") == .put(key: "single quoted", value: "x"))
        #expect(Command.parse(line: #"get 'it"s \ here'"#) == .get(key: #"it"s \ here"#), "no escapes inside single quotes")
        #expect(Command.parse(line: "get 'open") == .badQuoting(command: "get", problem: .unterminatedQuote))
        #expect(Command.parse(line: "get 'a'b") == .badQuoting(command: "get", problem: .textAfterQuote))
        #expect(Command.parse(line: "put it's fine") == .put(key: "it's", value: "fine"), "a quote inside a word is a character")
    }

    @Test func aQuotedSaltReadsBackAsTheSameSalt() {
        #expect(Command.parse(line: #"mutable-put --salt "pro file" x y"#) == .mainline(.putMutable(text: "x y", salt: "pro file")))
        #expect(Command.parse(line: "mutable-put --salt='pro file' x") == .mainline(.putMutable(text: "x", salt: "pro file")))
        #expect(Command.parse(line: "mutable-put --salt plain x") == .mainline(.putMutable(text: "x", salt: "plain")))
        let target = String(repeating: "ab", count: 20), key = String(repeating: "cd", count: 32)
        #expect(Command.parse(line: #"mutable-get \#(target) "pro file""#)
                == .mainline(.getMutableAt(target: NodeID(hex: target) ?? NodeID(key: ""), salt: "pro file")))
        #expect(Command.parse(line: "mutable-get \(key) 'pro file'")
                == .mainline(.getMutable(publicKey: MainlineCommand.hexBytes(key) ?? [], salt: "pro file")))
        #expect(Output.reply(to: Command.parse(line: "mutable-get 1234") ?? .status)
                == "Invalid hash '1234' for mutable-get: expected the 40-digit target or the 64-digit public key that mutable-put printed (hexadecimal)")
    }
}
