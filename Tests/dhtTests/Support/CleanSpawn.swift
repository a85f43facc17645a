import Foundation
import Glibc

/// Runs a program to completion with a clean start: no blocked signals, default
/// signal actions, and only stdin, stdout and stderr open.
///
/// Foundation's `Process` passes on the spawning thread's signal mask (the
/// concurrency pool's threads block most signals) and its own exit-watch socket.
/// A daemon started that way (the tmux server) then ignores `kill-server`,
/// never sees its panes exit, and keeps the test's `Process` from noticing
/// that the tmux client has exited.
enum CleanSpawn {
    /// posix_spawn_file_actions_addclosefrom_np, called through a pointer.
    private typealias CloseFromCall = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// Runs `path` with `arguments` and `environment`, stdin from /dev/null and
    /// stdout and stderr into `outputPath`; returns the exit status (128 + signal if killed).
    static func run(_ path: String, _ arguments: [String], environment: [String: String], outputPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Declared only under _GNU_SOURCE, so looked up; glibc has had it since 2.34.
        if let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map({ unsafeBitCast($0, to: CloseFromCall.self) }) {
            _ = closeFrom(&actions, 3)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw TmuxError(description: "cannot start \(path): error \(spawned)") }

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw TmuxError(description: "lost \(path): errno \(errno)") }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
