@testable import KademliaCore

/// The instant the pure-state tests start at: far enough from zero that "an hour ago" is
/// still a valid timestamp.
let start = Timestamp(nanoseconds: 1_000_000_000_000)

/// `text` as UTF-8 bytes.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The response in `message`, if it is one.
func response(_ message: Message) -> Response? {
    if case .response(let response) = message.body { response } else { nil }
}

/// The KRPC error code in `message`, if it is an error.
func errorCode(_ message: Message) -> Int64? {
    if case .error(let code, _) = message.body { code } else { nil }
}

/// A node state at `start` with its random source seeded by `randomSeed`, whose limits let
/// any number of contacts share one address (the diversity limits have tests of their own).
func makeTestState(randomSeed: UInt64, localID: NodeID, configure: (inout NodeConfiguration) -> Void = { _ in }) -> NodeState {
    var configuration = NodeConfiguration()
    configuration.limits.contactsPerHost = .max
    configuration.limits.contactsPerNetworkPerBucket = .max
    configure(&configuration)
    return NodeState(localID: localID, configuration: configuration, random: NodeRandom(seed: randomSeed), now: start)
}

/// A contact at 10.0.0.5 (by default) on `port`.
func peer(_ id: NodeID, ip: UInt32 = 0x0A00_0005, port: UInt16 = 4000) -> Contact {
    Contact(id: id, address: SocketAddress(ip: ip, port: port))
}
