import Foundation
import Kademlia

/// Runs a session's commands on a running node through its HTTP API (`dht --api URL`), as
/// redis-cli and etcdctl talk to their daemons: each line goes to `POST /api/v1/command`,
/// which runs it with the node's own REPL, so the lines printed and the failures counted
/// are the REPL's; `watch` follows the key's event stream.
struct RemoteREPL: CommandRunner {
    /// The node's API.
    let client: APIClient
    /// Text or JSON, which decides what is asked for.
    let format: ReplyFormat

    func reply(to command: Command, line: String) async -> Reply? {
        switch command {
        case .quit: return nil
        case .help, .unknown, .usage, .unknownOption, .invalidDuration, .invalidEndpoint, .badQuoting, .invalidHash, .emptyKey:
            // Answered here, as the REPL answers them without the network.
            return Replies.local(to: command)
        default: break
        }
        do {
            let accept = format == .text ? "text/plain" : "application/json"
            let (head, body) = try await client.send("POST", "/api/v1/command", body: Array(line.utf8), accept: accept)
            return Self.reply(head: head, body: body, format: format)
        } catch {
            return .failure("command", Output.error(error.description), error: error.description)
        }
    }

    /// A reply the node sent: printed as it came, failed unless the status is 200 or 404.
    static func reply(head: HTTPResponseHead, body: [UInt8], format: ReplyFormat) -> Reply {
        var text = String(decoding: body, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        let failed = head.status != 200 && head.status != 404
        if format == .text, head.headers["content-type"] == "application/json" {
            // Refused before the command ran (a token, a Host): its JSON error, in words.
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
            text = Output.error("the node's API answered \(head.status): \(object?["error"] as? String ?? text)")
        }
        var reply = Reply(text: text, json: .object([("op", "command")]), warning: head.headers.values("x-dht-warning").isEmpty ? nil : head.headers.values("x-dht-warning").joined(separator: "\n"),
                          failure: failed ? .unavailable : nil)
        reply.rawJSON = text
        return reply
    }

    func watch(key: String, each: (Reply) -> Void) async -> Reply? {
        if let refusal = Replies.sizeRefusal(op: "watch", key: key, valueSize: 0) { return refusal }
        let (events, post) = AsyncStream.makeStream(of: ServerSentEvent.self)
        let format = format
        let reader = Task { [client] () -> APIClientError? in
            defer { post.finish() }
            do throws(APIClientError) {
                try await client.stream("/api/v1/keys/\(Self.pathSegment(key))/watch") { event in
                    post.yield(event)
                    return true
                }
                return nil
            } catch {
                return error
            }
        }
        await withTaskCancellationHandler {
            for await event in events where event.type == "version" {
                each(Self.watched(event, key: key, format: format))
            }
        } onCancel: {
            reader.cancel()
        }
        if Task.isCancelled { return nil }
        let why = await reader.value?.description ?? "the node ended the watch"
        return .failure("watch", Output.error(why), error: why, extra: [("key", .string(key))])
    }

    /// A watch's event as the REPL on the node would print it.
    static func watched(_ event: ServerSentEvent, key: String, format: ReplyFormat) -> Reply {
        let object = (try? JSONSerialization.jsonObject(with: Data(event.data.utf8))) as? [String: Any] ?? [:]
        let seq = (object["seq"] as? NSNumber)?.int64Value ?? 0
        let version: FoundValue? = if object["deleted"] as? Bool == true {
            FoundValue(value: [], seq: seq, isDeleted: true)
        } else if let text = object["value"] as? String {
            FoundValue(value: Array(text.utf8), seq: seq)
        } else if let encoded = object["value_base64"] as? String, let bytes = Data(base64Encoded: encoded) {
            FoundValue(value: Array(bytes), seq: seq)
        } else {
            nil
        }
        var reply = Replies.watched(WatchEvent(key: key, version: version))
        reply.rawJSON = event.data
        return reply
    }

    /// `text` as one path segment: everything but the unreserved characters percent-encoded,
    /// so a `/`, `%`, `?` or space in a key stays in the key.
    static func pathSegment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

private extension String {
    /// The string with zeros in front up to `width` characters.
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
