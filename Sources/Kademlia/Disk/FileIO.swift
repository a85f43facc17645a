import Glibc

/// `write(2)` until every byte is out, for files, pipes and terminals alike.
public enum FileIO {
    /// Writes every byte of `bytes` to `fd`, retrying partial writes and EINTR; false if
    /// the descriptor failed first.
    @discardableResult
    public static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if !(written < 0 && errno == EINTR) {
                return false
            }
        }
        return true
    }
}
