import Glibc

/// Raw input mode on a terminal, with the settings it replaced kept to put back.
///
/// Input is raw (no line buffering, no echo, no signals from Ctrl-C or Ctrl-Z,
/// no flow control, CR left as CR) so the editor sees every key. Output
/// processing stays on, so a plain `\n` written anywhere still returns the carriage.
struct TerminalMode: Sendable {
    /// The descriptor whose settings were changed.
    let fd: Int32
    /// The settings before raw mode.
    private let original: termios
    /// Whether raw mode is still on, so that `restore` runs only once.
    private(set) var isRaw = true

    /// Puts the terminal on `fd` into raw mode; nil if it is no terminal or refuses.
    static func enterRaw(fd: Int32 = STDIN_FILENO) -> TerminalMode? {
        var original = termios()
        guard tcgetattr(fd, &original) == 0 else { return nil }
        var raw = original
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { controlCharacters in
            controlCharacters[Int(VMIN)] = 1
            controlCharacters[Int(VTIME)] = 0
        }
        // TCSADRAIN, not TCSAFLUSH: keys typed ahead before start-up are kept.
        guard tcsetattr(fd, TCSADRAIN, &raw) == 0 else { return nil }
        return TerminalMode(fd: fd, original: original)
    }

    /// The mode on `fd` whose old settings are `original`.
    private init(fd: Int32, original: termios) {
        self.fd = fd
        self.original = original
    }

    /// Puts the saved settings back; later calls do nothing.
    mutating func restore() {
        guard isRaw else { return }
        isRaw = false
        var settings = original
        _ = tcsetattr(fd, TCSADRAIN, &settings)
    }
}
