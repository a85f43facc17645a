/// Byte helpers the digest and signature tests share.

/// Lowercase hexadecimal of `bytes`.
func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var out = ""
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0x0F)])
    }
    return out
}

/// Bytes 0, 1, 2, ... (mod 256): distinct per position, so a misplaced byte changes the digest.
func ramp(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0) }
}
