#if canImport(Glibc)
import Glibc
#endif

/// Reads what the kernel says about this process and its UDP traffic.
enum SystemProbe {
    /// Resident anonymous memory in KiB (RssAnon in /proc/self/status): heap and stacks,
    /// what nodes cost. Per-node figures use it, not VmRSS, whose file-backed part is the
    /// binary's code and the shared libraries, paged in once per process whatever the node
    /// count (4.5 MiB once a build has run), and so not a cost of any node.
    static func anonymousKiB() -> Int {
        field("RssAnon:", in: read("/proc/self/status")) ?? 0
    }

    /// Resident file-backed pages in KiB (RssFile): code and shared libraries.
    static func fileBackedKiB() -> Int {
        field("RssFile:", in: read("/proc/self/status")) ?? 0
    }

    /// CPU time this process has used, user plus system, in seconds: less moved by a busy
    /// host than wall-clock rates, so it compares builds more steadily.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// UDP datagrams the kernel dropped because a receive buffer was full (RcvbufErrors).
    static func udpReceiveBufferErrors() -> Int {
        let lines = read("/proc/net/snmp").split(separator: "\n").filter { $0.hasPrefix("Udp:") }
        guard lines.count >= 2 else { return 0 }
        let names = lines[0].split(separator: " ")
        let values = lines[1].split(separator: " ")
        guard let index = names.firstIndex(of: "RcvbufErrors"), index < values.count else { return 0 }
        return Int(values[index]) ?? 0
    }

    private static func field(_ name: String, in text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return nil }
        // "RssAnon:\t   1234 kB": a tab, then spaces that pad the number to 8 digits and so
        // vanish from 10 GB up; splitting on spaces alone read a 9-digit one as nothing.
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }

    private static func read(_ path: String) -> String {
        guard let file = fopen(path, "r") else { return "" }
        defer { fclose(file) }
        var text = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            text.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
