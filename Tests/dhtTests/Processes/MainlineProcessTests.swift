import Foundation
import Kademlia
import Testing

/// `--mainline` against local stand-ins for the public routers: the real network cannot
/// be reached from here (README says what was and was not tried).
@Suite("--mainline with stand-in routers")
struct MainlineProcessTests {
    @Test("bootstraps through the routers, keeps the nodes it found but never a router, and answers Mainline's methods")
    func routersBootstrapButAreNotKept() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dht-mainline-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let router = try ReplProcess(["0", "--bind", "127.41.0.1"])
        defer { router.kill() }
        let routerPort = try await router.port()
        let other = try ReplProcess(["0", "--bind", "127.42.0.1", "127.41.0.1:\(routerPort)"])
        defer { other.kill() }
        _ = try await other.port()

        let node = try ReplProcess(["0", "--bind", "127.43.0.1", "--mainline", "--routers", "127.41.0.1:\(routerPort)",
                                    "--data-dir", directory, "--history-file", ""])
        defer { node.kill() }
        let peers = try await node.command("peers").components(separatedBy: "\n")
        let rest = try await node.readLines(timeout: .seconds(5)) { $0.hasSuffix(" in 1 bucket") || $0.contains(" buckets") }
        let table = (peers + rest).joined(separator: "\n")
        #expect(table.contains("127.42.0.1:"), "the node the router named: \(table)")
        #expect(!table.contains("127.41.0.1:"), "the router itself: \(table)")
        #expect(try await node.command("item-put hello mainline").hasPrefix("Stored item "))
        #expect(try await node.command("quit") == "Goodbye!")
    }
}
