import CLinux
import Glibc

/// Room for a batch of datagrams and their addresses, laid out for one recvmmsg or
/// sendmmsg call: the poller reads up to `capacity` datagrams with one system call, and
/// the replies its nodes send meanwhile leave together in one more.
///
/// Confined to its poller's thread; a transport holds the outgoing batch only while that
/// thread drains it, and only under the transport's lock.
final class DatagramBatch: @unchecked Sendable {
    /// Datagrams per system call: enough that a flood costs few calls, few enough that a
    /// reply waits only for a handful of others.
    static let defaultCapacity = 32

    let capacity: Int
    private let slotSize: Int
    private let storage: UnsafeMutableRawPointer
    private let vectors: UnsafeMutablePointer<iovec>
    private let addresses: UnsafeMutablePointer<sockaddr_in>
    private let headers: UnsafeMutablePointer<dht_mmsghdr>
    /// Datagrams held: filled by `receive` or by `append`.
    private(set) var count = 0

    init(capacity: Int = defaultCapacity, slotSize: Int = UDPTransport.receiveBufferSize) {
        self.capacity = capacity
        self.slotSize = slotSize
        storage = UnsafeMutableRawPointer.allocate(byteCount: capacity * slotSize, alignment: 16)
        vectors = .allocate(capacity: capacity)
        addresses = .allocate(capacity: capacity)
        headers = .allocate(capacity: capacity)
        for index in 0..<capacity {
            vectors[index] = iovec(iov_base: storage + index * slotSize, iov_len: slotSize)
            headers[index] = dht_mmsghdr()
            headers[index].msg_hdr.msg_iov = vectors + index
            headers[index].msg_hdr.msg_iovlen = 1
            headers[index].msg_hdr.msg_name = UnsafeMutableRawPointer(addresses + index)
        }
    }

    deinit {
        storage.deallocate()
        vectors.deallocate()
        addresses.deallocate()
        headers.deallocate()
    }

    /// Reads as many waiting datagrams as fit; returns how many (0 when none wait).
    func receive(from fd: Int32) throws(SocketError) -> Int {
        for index in 0..<capacity {
            vectors[index].iov_len = slotSize
            headers[index].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
            headers[index].msg_hdr.msg_flags = 0
        }
        let received = try retryingEINTR("recvmmsg") {
            Int(dht_recvmmsg(fd, headers, UInt32(capacity), Int32(MSG_DONTWAIT)))
        }
        count = received ?? 0
        return count
    }

    /// The datagram in slot `index`, and whether it was cut short because it did not fit.
    func datagram(at index: Int) -> (bytes: UnsafeRawBufferPointer, sender: SocketAddress, truncated: Bool) {
        let header = headers[index]
        let length = min(Int(header.msg_len), slotSize)
        let truncated = header.msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0
        return (UnsafeRawBufferPointer(start: storage + index * slotSize, count: length), SocketAddress(addresses[index]), truncated)
    }

    /// Copies a datagram to send into the next slot; false when the batch is full or the
    /// datagram does not fit a slot.
    func append(_ datagram: [UInt8], to destination: SocketAddress) -> Bool {
        guard count < capacity, datagram.count <= slotSize else { return false }
        datagram.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { (storage + count * slotSize).copyMemory(from: base, byteCount: bytes.count) }
        }
        vectors[count].iov_len = datagram.count
        addresses[count] = destination.sockaddrIn
        headers[count].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_in>.size)
        headers[count].msg_hdr.msg_flags = 0
        count += 1
        return true
    }

    /// Sends every datagram held and empties the batch; returns how many the kernel refused
    /// (a full send buffer drops them, as a single send would).
    @discardableResult
    func send(from fd: Int32) -> Int {
        var sent = 0
        while sent < count {
            let result = (try? retryingEINTR("sendmmsg") {
                Int(dht_sendmmsg(fd, headers + sent, UInt32(count - sent), Int32(MSG_NOSIGNAL)))
            }) ?? nil
            guard let result, result > 0 else { break }
            sent += result
        }
        let refused = count - sent
        count = 0
        return refused
    }

    /// Forgets what it holds without sending.
    func discard() { count = 0 }
}
