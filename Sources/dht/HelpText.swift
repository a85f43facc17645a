import Kademlia

/// The text of `--help` and of the REPL's `help`.
extension Output {
    /// The reply to `--help`: the command line, the environment, the exit statuses, then the REPL commands.
    static var usage: String {
        """
        Usage: dht <port> [host:port ...] [options]
               dht --api http://HOST:PORT [--http-token TOKEN] [--json] [command ...]
               dht --help | --version

        Runs a Kademlia DHT node on UDP <port> and reads commands from standard input.

        Arguments:
          <port>             UDP port to listen on, 0 to 65535 (0: any free port)
          host:port          nodes to join through; none starts a new network
        Options:
          --bind ADDRESS     IPv4 address to listen on (default 0.0.0.0: every interface)
          --no-repl          run as a service: read no commands, run until SIGTERM or SIGINT
          --json             write every reply as one JSON object on one line
          --log-level LEVEL  debug, info, warning or error (default warning); logs go to stderr
          --log-format FORMAT
                             text or json (default text)
          --history-file PATH
                             where the line editor keeps history (default ~/.dht_history; empty: none)
          --data-dir DIR     keep the id, values, own puts and contacts in DIR across restarts
                             (default: none, in memory only); restarted with no host:port, the
                             node rejoins through the contacts it saved
          --mainline         join the public BitTorrent DHT: bootstrap from its routers (never
                             kept as contacts), take a BEP 42 id for the external address
                             others report (kept in --data-dir; applied at the next start)
          --routers LIST     the routers --mainline uses, host:port,... (default
                             router.bittorrent.com:6881,dht.transmissionbt.com:6881,router.utorrent.com:6881)
          --fsync POLICY     when writes to DIR reach the disk: always (before a put or store is
                             acknowledged; the default), batch (within 100 ms: a power cut may
                             lose the last 100 ms) or never (the kernel decides: a power cut may
                             lose seconds); a crash of dht alone loses nothing with any of them
          --pipeline N       run up to N network commands of piped input at once, replies still
                             in input order (default 1: one at a time; at most 64); commands in
                             flight together may reach the network in any order
          --http [ADDR:]PORT serve the HTTP API (README § HTTP) on 127.0.0.1:PORT, or on ADDR:PORT;
                             port 0 takes a free one, which the banner prints (default: off)
          --http-token TOKEN every API request must carry Authorization: Bearer TOKEN; required
                             to listen beyond loopback
          --http-allow-host NAMES
                             host names (comma-separated) the API answers to besides 127.0.0.1,
                             localhost, [::1] and the bound address
          --api URL          talk to the node whose HTTP API is at URL instead of starting one:
                             run the command given (dht --api http://127.0.0.1:8080 get hello)
                             with the REPL's output and exit status, or read commands
          --config FILE      settings from a JSON object of these long names without dashes, such as
                             {"port": 8001, "bootstrap": ["host:8001"], "http": 8080}; the
                             environment beats the file and a flag beats both
          -h, --help         show this help
          --version          show the version
        Limits (defaults in docs/PROTOCOL.md):
          --max-values N     values held at most (default \(NodeLimits().maxStoredValues))
          --max-store-bytes N
                             bytes held at most, K, M or G allowed (default 32M)
          --query-rate N     queries per second one host may send (default \(Int(NodeLimits().queriesPerSecondPerHost)))
          --query-burst N    queries a quiet host may send at once (default \(Int(NodeLimits().queryBurstPerHost)))
          --spare-rate N     queries per second answered beyond each host's share while the node
                             is not busy (default \(Int(NodeLimits().spareQueriesPerSecond)))
          --contacts-per-host N
                             routing-table places per IP address (default \(NodeLimits().contactsPerHost))
          --strict-loopback  count each 127.x.y.z as one host (default: each address and port)
        Timing options (DURATION: a whole number and a unit ms, s, m, h or d, such as 90s or 2h):
        \(timingOptions)

        Environment: every option --some-name can be set as DHT_SOME_NAME (DHT_BIND,
        DHT_LOG_LEVEL, DHT_REPLICATION_INTERVAL, ...; DHT_NO_REPL=1, DHT_JSON=1); DHT_PORT
        gives the port and DHT_BOOTSTRAP the nodes to join (comma-separated). A flag wins.

        Signals: SIGTERM, SIGHUP, and SIGINT when no prompt is shown, leave the network
        gracefully (values handed on), print Goodbye! and exit 0. At the prompt Ctrl-C
        cancels the line or the running command and Ctrl-D on an empty line quits.

        Exit status: 0 after quit, exit, end of input or a shutdown signal; 64 for a bad
        command line or environment; 1 if a bootstrap host cannot be resolved or the port
        cannot be bound; 128+N when a second signal N cuts the graceful leave short.

        \(help)
        """
    }

    /// The `--help` lines of the timing options, each with the library's default.
    static var timingOptions: String {
        let defaults = NodeConfiguration()
        let rows: [(option: String, meaning: String)] = [
            ("--replication-interval DURATION", "re-store held values this often (default \(DurationText.format(defaults.replicationInterval)))"),
            ("--republish-interval DURATION", "publish own values afresh this often, at most 23/24 of the value lifetime (default \(DurationText.format(defaults.republishInterval)))"),
            ("--value-lifetime DURATION", "default and longest life of a value (default \(DurationText.format(defaults.valueLifetime)))"),
            ("--refresh-interval DURATION", "refresh buckets idle this long (default \(DurationText.format(defaults.bucketRefreshInterval)))"),
            ("--questionable-after DURATION", "ping contacts quiet this long (default \(DurationText.format(defaults.questionableAfter)))"),
            ("--rejoin-initial DURATION", "first wait before rejoining when alone (default \(DurationText.format(defaults.rejoinInitialDelay)))"),
            ("--rejoin-max DURATION", "longest wait between rejoins (default \(DurationText.format(defaults.rejoinMaximumDelay)))"),
            ("--leave-timeout DURATION", "longest quit spends handing values on (default \(DurationText.format(defaults.leaveTimeout)))"),
            ("--failure-limit N", "missed replies in a row that drop a contact (default \(defaults.failureLimit))"),
        ]
        let width = rows.map(\.option.count).max() ?? 0
        return rows.map { row in
            "  " + row.option + String(repeating: " ", count: width - row.option.count + 2) + row.meaning
        }.joined(separator: "\n")
    }

    /// The reply to `help`.
    static var help: String {
        """
        Commands:
          put <key> <value>  store a value; the value is the rest of the line after one space
          put --ttl DURATION <key> <value>
                             store a value that expires after DURATION: 500ms, 30s, 10m, 2h, 1d
          get <key>          look a value up
          delete <key>       delete a value from the nodes that hold it
          watch <key>        print the value, then each new version put anywhere, until Ctrl-C
          where <key>        show the \(NodeConfiguration().k) nodes closest to a key and which hold it
          keys [--all]       list what this node stores: key, seq, size, time left (--all: deleted keys too)
          peers              list this node's contacts: id, address, bucket, last seen, round trip
          join <host:port>   join the network through the node at host:port
          crawl [max-nodes]  map the network: find every node (at most 10000) and how much each holds
          announce <infohash> [port]
                             tell the network this node is a peer of a torrent (BEP 5)
          peers <infohash>   find a torrent's peers (BEP 5)
          item-put <text>    store the text as an immutable item (BEP 44); prints its hash
          item-get <hash>    read the immutable item with that hash
          mutable-put [--salt SALT] <text>
                             store the text as a mutable item signed with this node's key
          mutable-get <target or public key> [salt]
                             read the newest mutable item: by the target mutable-put printed
                             first, or by the key that signed it; give the salt if it had one
          status             show this node's ID, address, routing table and stored keys
          help               show this list
          quit, exit         stop the node and leave (so does end of input)
        Keys are at most \(DHTNode.maxKeySize) bytes and values at most \(DHTNode.maxValueSize) bytes (UTF-8), so every
        message fits one datagram. Quote a key to give it spaces: put "my key" my value, or
        put 'my key' my value (inside double quotes, \\" is a quote and \\\\ a backslash; inside
        single quotes every character is itself). Errors go to stderr; a piped run in which any
        command failed exits with status 1 after running every line.
        """
    }
}
