/// The shape of one bencode value the KRPC mapping may look at; byte strings stay in the datagram.
package enum KRPCSlot {
    /// The key did not occur.
    case absent
    /// An integer, already range-checked by the reader.
    case integer(Int64)
    /// A byte string; the range locates its payload in the datagram.
    case bytes(Range<Int>)
    /// A list, validated; the range is its whole bencoding (`l` to `e`).
    case list(Range<Int>)
    /// A dictionary, validated; the range is its whole bencoding (`d` to `e`).
    case dictionary(Range<Int>)
}

/// The direct children of an `a` or `r` dictionary that any method reads: ours, BEP 5's
/// and BEP 44's.
package struct KRPCFields {
    package var cas = KRPCSlot.absent
    package var del = KRPCSlot.absent
    package var id = KRPCSlot.absent
    package var impliedPort = KRPCSlot.absent
    package var interval = KRPCSlot.absent
    package var infoHash = KRPCSlot.absent
    package var k = KRPCSlot.absent
    package var key = KRPCSlot.absent
    package var nodes = KRPCSlot.absent
    package var noseed = KRPCSlot.absent
    package var num = KRPCSlot.absent
    package var port = KRPCSlot.absent
    package var salt = KRPCSlot.absent
    package var samples = KRPCSlot.absent
    package var seed = KRPCSlot.absent
    package var seq = KRPCSlot.absent
    package var sig = KRPCSlot.absent
    package var target = KRPCSlot.absent
    package var token = KRPCSlot.absent
    package var ttl = KRPCSlot.absent
    package var v = KRPCSlot.absent
    /// The whole bencoding of `v`, whatever its type: a BEP 44 item is any bencoded value.
    package var rawV: Range<Int>?
    package var values = KRPCSlot.absent
}

/// Everything `Message.decode` reads from a datagram, as positions rather than copies.
package struct KRPCEnvelope {
    /// False when the top-level value is not a dictionary; every other field is then absent.
    package var isDictionary = false
    package var t = KRPCSlot.absent
    package var y = KRPCSlot.absent
    package var q = KRPCSlot.absent
    package var v = KRPCSlot.absent
    package var a = KRPCSlot.absent
    package var r = KRPCSlot.absent
    package var e = KRPCSlot.absent
    /// BEP 42: the address the sender saw us at, in replies.
    package var ip = KRPCSlot.absent
    /// BEP 43: a read-only sender's queries carry `ro` 1.
    package var ro = KRPCSlot.absent
    /// The children of `a` when it is a dictionary.
    package var arguments = KRPCFields()
    /// The children of `r` when it is a dictionary.
    package var response = KRPCFields()
    /// The first two elements of `e` when it is a list; absent when it has fewer.
    package var errorCode = KRPCSlot.absent
    package var errorText = KRPCSlot.absent
}

extension KRPCSlot {
    /// Whether the field was not in the dictionary.
    package var isAbsent: Bool {
        if case .absent = self { true } else { false }
    }
}
