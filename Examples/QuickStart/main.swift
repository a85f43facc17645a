// The README's library example, built and run by the tests so it cannot rot.
// Two nodes on loopback: a seed, and a node that joins through it.
import Glibc
import Kademlia

func quickStart(seedEndpoint: String) async throws {
    // README begin
    let node = try DHTNode.udp(port: 0, host: "127.0.0.1")
    let joined = try await node.bootstrap([seedEndpoint])   // "host:port"; throws JoinError if nobody answers
    print(joined)                                           // joined through 1 of 1 bootstrap node; 1 contact known
    let put = try await node.put(key: "hello", value: Array("world".utf8))
    if put.isStoredOnlyHere { print("warning: stored only on this node") }
    if let found = try await node.get(key: "hello") {       // nil: not found; throws GetError.noNodeAnswered
        print(found)                                        // seq 0: "world"
    }
    _ = try await node.delete(key: "hello")                 // a tombstone on the K closest
    print(node.status())                                    // node 3fa2b1c0 at 127.0.0.1:...: 1 contacts in 1 buckets, ...
    for await event in node.watch(key: "hello") {           // the current version, then each new one, pushed by the holders
        print(event.version?.seq ?? -1)                     // (an AsyncStream: break, or cancel the task, to stop)
        break
    }
    await node.leave()                                      // hands its values on, then stops
    // README end
}

do {
    let seed = try DHTNode.udp(port: 0, host: "127.0.0.1")
    try await quickStart(seedEndpoint: "127.0.0.1:\(seed.address.port)")
    seed.stop()
} catch {
    print("quick start failed: \(error)")
    exit(1)
}
