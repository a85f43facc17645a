import Glibc
import Testing
@testable import dht

/// Raw mode on a pseudo-terminal: the flags it changes, the ones it keeps, and restore.
@Suite struct TerminalModeTests {
    private func settings(_ fd: Int32) throws -> termios {
        var current = termios()
        try #require(tcgetattr(fd, &current) == 0)
        return current
    }

    @Test func rawModeTurnsOffLineInputAndKeepsOutputProcessing() throws {
        let pty = try PseudoTerminal()
        let before = try settings(pty.slave)
        var mode = try #require(TerminalMode.enterRaw(fd: pty.slave))
        let raw = try settings(pty.slave)
        #expect(raw.c_lflag & tcflag_t(ICANON | ECHO | ISIG | IEXTEN) == 0)
        #expect(raw.c_iflag & tcflag_t(IXON | ICRNL) == 0)
        #expect(raw.c_oflag & tcflag_t(OPOST | ONLCR) == tcflag_t(OPOST | ONLCR))
        var rawCopy = raw
        let minimum = withUnsafeBytes(of: &rawCopy.c_cc) { $0[Int(VMIN)] }
        let time = withUnsafeBytes(of: &rawCopy.c_cc) { $0[Int(VTIME)] }
        #expect(minimum == 1 && time == 0)
        #expect(mode.isRaw)

        mode.restore()
        let after = try settings(pty.slave)
        #expect(after.c_lflag == before.c_lflag)
        #expect(after.c_iflag == before.c_iflag)
        #expect(after.c_oflag == before.c_oflag)
        #expect(!mode.isRaw)
        mode.restore()
        #expect(try settings(pty.slave).c_lflag == before.c_lflag)
    }

    @Test func aDescriptorThatIsNoTerminalIsRefused() {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { ends.forEach { close($0) } }
        #expect(TerminalMode.enterRaw(fd: ends[0]) == nil)
        #expect(TerminalMode.enterRaw(fd: -1) == nil)
    }
}
