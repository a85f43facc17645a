import Testing
@testable import dht

/// `dht --api`: which command lines talk to a node, and the REPL line each becomes.
@Suite struct ClientOptionsTests {
    private func parse(_ arguments: [String], _ environment: [String: String] = [:]) -> Result<ClientOptions, UsageError>? {
        ClientOptions.parse(arguments, environment: environment)
    }

    @Test func onlyACommandLineWithAPIIsAClient() throws {
        #expect(parse(["8001", "localhost:8000"]) == nil)
        #expect(parse(["8001", "--", "--api"]) == nil, "after -- it is a word")
        let client = try #require(try parse(["--api", "http://127.0.0.1:8080", "--json", "get", "k"])?.get())
        #expect(client.url == "http://127.0.0.1:8080" && client.json && client.words == ["get", "k"] && client.token == nil)
        let withToken = try #require(try parse(["--api=http://h:1", "status"], ["DHT_HTTP_TOKEN": "t"])?.get())
        #expect(withToken.token == "t" && withToken.words == ["status"])
        #expect(try parse(["--api", "http://h:1", "--http-token", "u", "put", "k", "--json"])?.get().words == ["put", "k", "--json"],
                "after the command's first word everything is the command's")
    }

    @Test func optionsOfANodeAreUsageErrors() {
        guard case .failure(let error)? = parse(["--api", "http://h:1", "--bind", "x"]) else { Issue.record("accepted --bind"); return }
        #expect(error.message.contains("--bind"))
        guard case .failure? = parse(["--api"]) else { Issue.record("accepted --api without a URL"); return }
    }

    @Test func theLineReadsBackAsTheCommandTyped() throws {
        func line(_ words: String...) -> Command? {
            ClientOptions(url: "http://h:1", words: words).line.flatMap(Command.parse(line:))
        }
        #expect(line("get", "my key") == .get(key: "my key"))
        #expect(line("get", #"it's "quoted""#) == .get(key: #"it's "quoted""#))
        #expect(line("put", "my key", "hello", "world") == .put(key: "my key", value: "hello world"))
        #expect(line("put", "--ttl", "30s", "k", "v") == .put(key: "k", value: "v", ttl: .seconds(30)))
        #expect(line("put", "--ttl=2m", "--", "--k", "v") == .put(key: "--k", value: "v", ttl: .seconds(120)))
        #expect(line("watch", "a/b c") == .watch(key: "a/b c"))
        #expect(ClientOptions(url: "http://h:1").line == nil)
    }
}
