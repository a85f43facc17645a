/// The streaming half that SHA-1 and SHA-512 (FIPS 180-4) share: the partial block, the
/// length absorbed, and which bytes reach the compression function as whole blocks.
///
/// `Block` is a tuple of the block's size, so the partial block lives inline and hashing
/// never touches the heap.
package struct HashBlockBuffer<Block: Sendable>: Sendable {
    private var pending: Block
    private var pendingCount = 0
    /// Bytes absorbed since the start.
    package private(set) var totalLength: UInt64 = 0

    private static var blockSize: Int { MemoryLayout<Block>.size }

    /// An empty buffer; `zero` is the all-zero block.
    package init(zero: Block) { pending = zero }

    /// Bytes waiting for the rest of their block.
    package var count: Int { pendingCount }

    /// Absorbs `bytes`, handing `compress` whole blocks: the pending one once it fills, then
    /// as many whole blocks as follow, straight from `bytes` without a staging copy.
    package mutating func absorb(_ bytes: UnsafeRawBufferPointer, compress: (UnsafeRawBufferPointer) -> Void) {
        let count = bytes.count
        guard count > 0 else { return }
        totalLength &+= UInt64(count)
        var offset = 0

        if pendingCount > 0 {
            let take = min(Self.blockSize - pendingCount, count)
            let start = pendingCount
            withUnsafeMutableBytes(of: &pending) { dst in
                UnsafeMutableRawBufferPointer(rebasing: dst[start..<start + take])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<take]))
            }
            pendingCount += take
            offset = take
            guard pendingCount == Self.blockSize else { return }
            withUnsafeBytes(of: pending) { compress($0) }
            pendingCount = 0
        }

        let wholeBytes = (count - offset) / Self.blockSize * Self.blockSize
        if wholeBytes > 0 {
            compress(UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + wholeBytes]))
            offset += wholeBytes
        }

        let rest = count - offset
        if rest > 0 {
            withUnsafeMutableBytes(of: &pending) { dst in
                UnsafeMutableRawBufferPointer(rebasing: dst[0..<rest])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<count]))
            }
            pendingCount = rest
        }
    }
}
