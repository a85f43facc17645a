// The library is the shell and the pure core together: `import Kademlia` brings both.
@_exported import KademliaCore
