// libFuzzer target over the HTTP/1.1 request parser: every input is the bytes of one
// connection.
//
// Each input is parsed twice, whole and in pieces cut where its own bytes say, and the two
// must give the same requests and the same error: a parser that depends on how reads split
// frames requests differently from its peers, which is how requests get smuggled. While
// waiting for more bytes it may never hold more than the limits allow. Built by
// Fuzz/build.sh; run by `make fuzz-http`.

@testable import KademliaCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = outcomes(of: [bytes[...]])
    // Cut points from the input itself, so the fuzzer explores splits as it explores bytes.
    var pieces: [ArraySlice<UInt8>] = []
    var start = 0
    var seed = bytes.first.map(Int.init) ?? 1
    while start < bytes.count {
        seed = (seed &* 1_103_515_245 &+ 12_345) & 0x7fff_ffff
        let length = 1 + seed % 97
        pieces.append(bytes[start..<min(bytes.count, start + length)])
        start += length
    }
    let split = outcomes(of: pieces)
    guard whole == split else { fatalError("the parse depends on how the reads split: \(whole) against \(split)") }
    return 0
}

/// What the parser makes of `pieces` read one after another: requests (method, target,
/// header count, body) and the error it stopped at, if any.
func outcomes(of pieces: [ArraySlice<UInt8>]) -> [String] {
    var parser = HTTPRequestParser()
    let limits = parser.limits
    let bound = limits.maxRequestLine + limits.maxHeaderBytes + limits.maxBody + 8
    var seen: [String] = []
    for piece in pieces {
        parser.append(piece)
        while let outcome = parser.next() {
            switch outcome {
            case .success(let request):
                let declared = request.headers["content-length"].flatMap { Int($0) } ?? 0
                guard request.body.count == declared else { fatalError("a body of \(request.body.count) bytes for \(declared)") }
                seen.append("\(request.method) \(request.target) \(request.headers.fields.count) \(request.body)")
            case .failure(let error):
                seen.append("error \(error)")
                return seen
            }
        }
        // Incomplete: what waits is bounded by the limits, plus at most one piece.
        guard parser.bufferedCount <= bound + piece.count else { fatalError("\(parser.bufferedCount) bytes buffered") }
    }
    return seen
}
