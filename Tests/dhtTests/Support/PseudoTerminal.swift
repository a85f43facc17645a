import Glibc

/// Why a pseudo-terminal could not be made or did not show what was expected.
struct PseudoTerminalError: Error, CustomStringConvertible {
    var description: String
}

/// A pseudo-terminal pair, to run terminal code in tests without a real terminal.
///
/// The code under test gets `slave` as its terminal; the test types into and
/// reads the screen from `master`. The pty calls are looked up at run time
/// because Swift's Glibc module leaves them out (they need _XOPEN_SOURCE).
final class PseudoTerminal {
    /// posix_openpt, grantpt and unlockpt, called through a pointer.
    private typealias DescriptorCall = @convention(c) (Int32) -> Int32
    /// ptsname_r, called through a pointer.
    private typealias NameCall = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

    /// The test's end: what is written here is typed, what is read is the screen.
    let master: Int32
    /// The terminal the code under test uses.
    let slave: Int32
    /// Everything read from the screen so far.
    private(set) var screen: [UInt8] = []
    private var masterOpen = true

    /// Opens a new pair.
    init() throws {
        guard let openMaster = Self.symbol("posix_openpt", as: DescriptorCall.self),
              let grant = Self.symbol("grantpt", as: DescriptorCall.self),
              let unlock = Self.symbol("unlockpt", as: DescriptorCall.self),
              let name = Self.symbol("ptsname_r", as: NameCall.self) else {
            throw PseudoTerminalError(description: "no pty functions in libc")
        }
        let master = openMaster(O_RDWR | O_NOCTTY)
        guard master >= 0 else { throw PseudoTerminalError(description: "posix_openpt failed: errno \(errno)") }
        var path = [CChar](repeating: 0, count: 256)
        guard grant(master) == 0, unlock(master) == 0, name(master, &path, path.count) == 0 else {
            close(master)
            throw PseudoTerminalError(description: "cannot set up the pty: errno \(errno)")
        }
        let slavePath = String(decoding: path.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let slave = open(slavePath, O_RDWR | O_NOCTTY)
        guard slave >= 0 else {
            close(master)
            throw PseudoTerminalError(description: "cannot open the pty's terminal: errno \(errno)")
        }
        self.master = master
        self.slave = slave
    }

    deinit {
        closeMaster()
        close(slave)
    }

    /// Types `text` as raw bytes.
    func type(_ text: String) {
        type(Array(text.utf8))
    }

    /// Types `bytes` as they are.
    func type(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// The screen output as text.
    var screenText: String { String(decoding: screen, as: UTF8.self) }

    /// Reads the screen until it contains `text`, or throws after `timeout`.
    func waitFor(_ text: String, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !screenText.contains(text) {
            if ContinuousClock.now >= deadline {
                throw PseudoTerminalError(description: "no \(text.debugDescription) within \(timeout); screen: \(screenText.debugDescription)")
            }
            if !drain() { try await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// Forgets what was read so far, so the next `waitFor` sees only newer output.
    func clearScreen() {
        _ = drain()
        screen = []
    }

    /// Hangs up: the terminal side then reads end of input.
    func closeMaster() {
        guard masterOpen else { return }
        masterOpen = false
        close(master)
    }

    /// Reads whatever the master has now; false if there was nothing.
    private func drain() -> Bool {
        var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, 0) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
        guard count > 0 else { return false }
        screen += buffer[..<count]
        return true
    }

    /// A libc function by name.
    private static func symbol<Function>(_ name: String, as type: Function.Type) -> Function? {
        dlsym(nil, name).map { unsafeBitCast($0, to: type) }
    }
}
