/// An upkeep query waiting for its destination's window (`UpkeepWindows`).
package struct UpkeepQuery: Sendable {
    package var query: Query
    package var address: SocketAddress
    package var expectedID: NodeID?
    package var onStall: (@Sendable () -> Void)?
    package var completion: @Sendable (RPCResult) -> Void

    /// `query` for `address`, whose outcome goes to `completion`.
    package init(query: Query, address: SocketAddress, expectedID: NodeID?, onStall: (@Sendable () -> Void)?,
                 completion: @escaping @Sendable (RPCResult) -> Void) {
        self.query = query
        self.address = address
        self.expectedID = expectedID
        self.onStall = onStall
        self.completion = completion
    }
}
