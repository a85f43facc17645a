// libFuzzer target over the datagram handler: every input is one datagram.
//
// Each input is (a) decoded by both decoders, which must agree, and anything accepted must
// re-encode to a datagram that decodes to the same message; then (b) handed to one
// long-lived node on an in-memory network, as if it came from the wire (see Harness.swift).
// Built by Fuzz/build.sh; run by `make fuzz`.

#if canImport(Glibc)
import Glibc
#endif
@testable import Kademlia
import KademliaTestKit

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutableRawPointer, _ argv: UnsafeMutableRawPointer) -> CInt {
    if let directory = environmentValue("DHT_FUZZ_WRITE_SEEDS") {
        SeedCorpus.write(to: directory)
        // _exit: no leak check at exit over what this frame still holds.
        _exit(0)
    }
    // Built here rather than inside the first input, so its setup is not charged to that input.
    _ = Harness.shared
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let datagram = UnsafeRawBufferPointer(start: data, count: size)
    let message = checkedDecode(datagram)
    Harness.shared.receive(datagram, decoded: message)
    return 0
}

/// Decodes `datagram`, trapping if the decoders disagree or an accepted message does not
/// survive re-encoding. Returns the message, if the datagram is one.
func checkedDecode(_ datagram: UnsafeRawBufferPointer) -> Message? {
    if let value = try? BencodeDecoder.decode(datagram) {
        // The decoder is strict: it accepts only canonical bencode, which re-encodes byte for byte.
        let reencoded = value.encoded()
        guard reencoded.elementsEqual(datagram) else {
            fatalError("bencode does not re-encode to itself: \(hex(datagram)) became \(hex(reencoded))")
        }
    }
    let direct = Result { () throws(MessageDecodeError) in try Message.decode(datagram) }
    let tree = Result { () throws(MessageDecodeError) in try Message.decodeViaTree(datagram) }
    guard direct == tree else {
        fatalError("decoders disagree on \(hex(datagram)): direct \(direct), tree \(tree)")
    }
    guard case .success(let message) = direct else { return nil }
    let encoded = message.encoded()
    let again = Result { () throws(MessageDecodeError) in try Message.decode(encoded) }
    guard again == .success(message) else {
        fatalError("\(hex(datagram)) decoded to \(message), which re-encodes to \(hex(encoded)) and decodes to \(again)")
    }
    return message
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in bytes {
        text.append(digits[Int(byte >> 4)])
        text.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: text, as: UTF8.self)
}
