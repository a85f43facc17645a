/// The one-line debug traces of queries sent and answered: method, peer, round trip and
/// outcome, readable without knowing the code.
package enum RPCTrace {
    /// `find_value to 127.0.0.1:8002: answered by 3fa2b1c0 in 0.41 ms`
    package static func sent(_ query: Query, to address: SocketAddress, outcome: RPCResult, after elapsed: Duration) -> String {
        let how = switch outcome {
        case .success(let response): "answered by \(response.id.hex.prefix(8))"
        case .failure(let error): "\(error)"
        }
        return "\(query.method) to \(address): \(how) in \(elapsed.millisecondsText)"
    }

    /// `store from 127.0.0.1:8003 (9c01d2e4): answered` or `...: error 203 'bad token'`
    package static func answered(_ query: Query, from sender: Contact, with reply: Message) -> String {
        let how = switch reply.body {
        case .error(let code, let message): "error \(code) '\(message.prefix(80))'"
        default: "answered"
        }
        return "\(query.method) from \(sender.address) (\(sender.id.hex.prefix(8))): \(how)"
    }
}

extension Duration {
    /// In milliseconds with two decimals, as round trips are read: `0.41 ms`.
    public var millisecondsText: String {
        let hundredths = Int((seconds * 100_000).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction) ms"
    }
}
