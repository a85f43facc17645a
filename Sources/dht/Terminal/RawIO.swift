import Glibc
import Kademlia

/// Plain `read(2)`/`write(2)` loops on file descriptors, retrying what may be retried.
///
/// Used instead of Glibc's `FILE*` globals, which Swift 6 treats as shared
/// mutable state, and instead of FileHandle, whose errors we would only discard.
enum RawIO {
    /// Writes every byte of `text`; false if the descriptor failed before all were written.
    @discardableResult
    static func writeAll(_ text: String, to fd: Int32) -> Bool {
        FileIO.writeAll(Array(text.utf8), to: fd)
    }

    /// Reads up to `count` bytes (fewer only at end of file); nil on an error.
    static func read(from fd: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { buffer in
                Glibc.read(fd, buffer.baseAddress.map { $0 + filled }, count - filled)
            }
            if got > 0 {
                filled += got
            } else if got == 0 {
                break
            } else if errno != EINTR {
                return nil
            }
        }
        bytes.removeLast(count - filled)
        return bytes
    }

    /// One blocking read of at most `count` bytes, retried on EINTR; nil at end of file or on an error.
    static func readSome(from fd: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        while true {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if got > 0 {
                bytes.removeLast(count - got)
                return bytes
            }
            if got < 0 && errno == EINTR { continue }
            return nil
        }
    }
}
