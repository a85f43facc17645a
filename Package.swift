// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "KademliaDHT",
    products: [
        .library(name: "Kademlia", targets: ["Kademlia"]),
        .executable(name: "dht", targets: ["dht"]),
        .executable(name: "dht-bench", targets: ["dht-bench"]),
    ],
    targets: [
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        // The pure core: values that take `now` and return what to do, no I/O (no Glibc,
        // Synchronization or Foundation); the build keeps it so.
        .target(name: "KademliaCore"),
        // The shell: sockets, clocks, files and locks around the core, which it re-exports.
        .target(name: "Kademlia", dependencies: ["KademliaCore", "CLinux"]),
        // What tests, benchmarks and the fuzzer run the node on: the in-memory network, the
        // manual clock, the churn simulation and the reference decoder. Not shipped.
        // Each names the core as well as the shell that re-exports it: without that, an
        // incremental build that changed a core type's layout (a field added to
        // `NodeConfiguration`) left them compiled against the old one, and they crashed
        // copying it (seen three times as "heap corruption"; clean builds never did).
        .target(name: "KademliaTestKit", dependencies: ["Kademlia", "KademliaCore"]),
        .executableTarget(name: "dht", dependencies: ["Kademlia", "KademliaCore"]),
        .executableTarget(name: "dht-bench", dependencies: ["Kademlia", "KademliaCore", "KademliaTestKit"]),
        // The README's library example; the tests build and run it.
        .executableTarget(name: "dht-example", dependencies: ["Kademlia", "KademliaCore"], path: "Examples/QuickStart"),
        .testTarget(name: "KademliaTests", dependencies: ["Kademlia", "KademliaCore", "KademliaTestKit"]),
        .testTarget(name: "dhtTests", dependencies: ["dht", "dht-bench", "dht-example", "Kademlia", "KademliaTestKit"]),
    ]
)
