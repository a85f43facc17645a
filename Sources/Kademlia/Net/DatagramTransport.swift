/// Receives what a transport hears: datagrams, and a periodic tick for timeouts and maintenance.
public protocol TransportDelegate: AnyObject, Sendable {
    /// One datagram. The bytes are valid only during the call.
    func transport(received datagram: UnsafeRawBufferPointer, from sender: SocketAddress)
    /// Called periodically (every few tens of milliseconds on a real network).
    func transportTick()
}

/// A way to send and receive datagrams: real UDP, or an in-memory network in tests.
public protocol DatagramTransport: AnyObject, Sendable {
    /// The address other nodes reach this transport at.
    var localAddress: SocketAddress { get }
    /// Starts delivering to the delegate, which the transport holds until it closes (the
    /// delegate holds its node weakly, so the two form no cycle).
    func start(delegate: any TransportDelegate)
    /// Sends one datagram; never blocks; a datagram that cannot be sent is dropped.
    func send(_ datagram: [UInt8], to destination: SocketAddress)
    /// Stops delivery and releases the endpoint.
    func close()
    /// Asks for a `transportTick` no later than `deadline`. Transports that tick on a
    /// fixed short period may ignore it; a simulated network ticks only on request.
    func wake(at deadline: Timestamp)
    /// Says the node is waiting for time to pass before it can go on (a query answered
    /// "busy" is sent again later), as it would wait on a lost datagram: a simulated
    /// network that moves time only while something waits must move it now.
    func noteWaiting()
}

extension DatagramTransport {
    public func wake(at deadline: Timestamp) {}
    public func noteWaiting() {}
}
