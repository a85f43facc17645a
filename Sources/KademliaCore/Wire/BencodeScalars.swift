/// The scalar grammar both bencode readers share (the tree decoder and the one-pass KRPC
/// reader): byte-string lengths and integers, with BEP 3's canonical-form rules, so the
/// two can never disagree on what a well-formed scalar is.
package enum BencodeScalars {
    private static let asciiZero = UInt8(ascii: "0")
    private static let asciiNine = UInt8(ascii: "9")

    /// Reads `<length>:<bytes>` at `position` and returns where the payload lies, without
    /// copying it; `position` ends past the payload.
    package static func byteString(in input: UnsafeRawBufferPointer, at position: inout Int) throws(BencodeError) -> Range<Int> {
        let start = position
        var length = 0
        while true {
            guard position < input.count else { throw .truncated }
            let byte = input[position]
            if byte == UInt8(ascii: ":") { break }
            guard byte >= asciiZero, byte <= asciiNine else { throw .invalidLength(offset: start) }
            let (scaled, o1) = length.multipliedReportingOverflow(by: 10)
            let (sum, o2) = scaled.addingReportingOverflow(Int(byte &- asciiZero))
            if o1 || o2 { throw .invalidLength(offset: start) }
            length = sum
            position += 1
        }
        let digitCount = position - start
        if digitCount == 0 || (digitCount > 1 && input[start] == asciiZero) {
            throw .invalidLength(offset: start)
        }
        position += 1  // the ':'
        // Compare against what is left rather than computing position + length, which could overflow.
        guard length <= input.count - position else { throw .lengthPastEnd(offset: start) }
        let payload = position..<position + length
        position += length
        return payload
    }

    /// Reads `i<digits>e` at `position` (which points at the `i`): no leading zeros, no
    /// `-0`, and within Int64.
    package static func integer(in input: UnsafeRawBufferPointer, at position: inout Int) throws(BencodeError) -> Int64 {
        let start = position
        position += 1  // the 'i'
        var negative = false
        if position < input.count, input[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        let digitsStart = position
        // Accumulate the magnitude unsigned so Int64.min (magnitude 2^63) is representable.
        let limit: UInt64 = negative ? UInt64(Int64.max) + 1 : UInt64(Int64.max)
        var magnitude: UInt64 = 0
        while true {
            guard position < input.count else { throw .truncated }
            let byte = input[position]
            if byte == UInt8(ascii: "e") { break }
            guard byte >= asciiZero, byte <= asciiNine else { throw .invalidInteger(offset: start) }
            let (scaled, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = scaled.addingReportingOverflow(UInt64(byte &- asciiZero))
            if o1 || o2 || sum > limit { throw .invalidInteger(offset: start) }
            magnitude = sum
            position += 1
        }
        let digitCount = position - digitsStart
        if digitCount == 0 || (digitCount > 1 && input[digitsStart] == asciiZero) || (negative && magnitude == 0) {
            throw .invalidInteger(offset: start)
        }
        position += 1  // the 'e'
        // Wrapping negation maps 2^63 to Int64.min and cannot trap.
        return negative ? Int64(bitPattern: 0 &- magnitude) : Int64(bitPattern: magnitude)
    }

    /// Reads a dictionary key at `position` (which the caller has checked is in bounds and
    /// not the dictionary's `e`): it must be a byte string and sort strictly after
    /// `previous`, which it then becomes.
    package static func dictionaryKey(
        in input: UnsafeRawBufferPointer, at position: inout Int, after previous: inout Range<Int>?
    ) throws(BencodeError) -> Range<Int> {
        let keyOffset = position
        switch input[position] {
        case asciiZero...asciiNine:
            break
        case UInt8(ascii: "i"), UInt8(ascii: "l"), UInt8(ascii: "d"):
            throw .nonStringKey(offset: keyOffset)
        default:
            throw .unexpectedByte(input[position], offset: keyOffset)
        }
        let key = try byteString(in: input, at: &position)
        if let previous {
            let order = compare(previous, key, in: input)
            if order == 0 { throw .duplicateKey(offset: keyOffset) }
            if order > 0 { throw .unsortedKeys(offset: keyOffset) }
        }
        previous = key
        return key
    }

    /// Three-way unsigned lexicographic comparison of two ranges of the input, in place.
    private static func compare(_ lhs: Range<Int>, _ rhs: Range<Int>, in input: UnsafeRawBufferPointer) -> Int {
        let common = min(lhs.count, rhs.count)
        var i = 0
        while i < common {
            let l = input[lhs.lowerBound + i], r = input[rhs.lowerBound + i]
            if l != r { return l < r ? -1 : 1 }
            i += 1
        }
        return lhs.count == rhs.count ? 0 : (lhs.count < rhs.count ? -1 : 1)
    }
}
