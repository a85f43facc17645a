/// Checks BEP 44 signatures: ed25519 over `BEP44Rules.signedBytes`.
package enum ItemSignature {
    /// Whether `signature` is `publicKey`'s over `message`.
    package static func isValid(_ signature: [UInt8], of message: [UInt8], publicKey: [UInt8]) -> Bool {
        Ed25519.verify(signature: signature, message: message, publicKey: publicKey)
    }
}
