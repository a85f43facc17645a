import Foundation

/// A tmpfs of a chosen size, mounted for one test and unmounted after: a disk that really
/// fills. Mounting needs root (CI runs as root); elsewhere `mount` returns nil and the test
/// says it was skipped.
final class SmallFilesystem {
    /// Where it is mounted.
    let path: String

    private init(path: String) { self.path = path }

    /// Whether this process may mount filesystems: root, with `mount` at hand, and allowed
    /// to (a container may refuse even root). Tried once, with a tmpfs mounted and unmounted.
    static let isAvailable: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/bin/mount"),
              let probe = mount(kibibytes: 64) else { return false }
        probe.unmount()
        return true
    }()

    /// Mounts a tmpfs of `kibibytes` KiB on a fresh directory under /tmp; nil if it cannot.
    static func mount(kibibytes: Int) -> SmallFilesystem? {
        let path = NSTemporaryDirectory() + "dht-small-fs-\(UUID().uuidString)"
        guard (try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)) != nil,
              run(["-t", "tmpfs", "-o", "size=\(kibibytes)k", "tmpfs", path]) else { return nil }
        return SmallFilesystem(path: path)
    }

    /// Grows (or shrinks) the filesystem in place, as an operator freeing space would.
    @discardableResult
    func resize(kibibytes: Int) -> Bool {
        Self.run(["-o", "remount,size=\(kibibytes)k", path])
    }

    /// Unmounts it and removes the directory.
    func unmount() {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = [path]
        try? umount.run()
        umount.waitUntilExit()
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func run(_ arguments: [String]) -> Bool {
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = arguments
        mount.standardError = FileHandle.nullDevice
        guard (try? mount.run()) != nil else { return false }
        mount.waitUntilExit()
        return mount.terminationStatus == 0
    }
}
