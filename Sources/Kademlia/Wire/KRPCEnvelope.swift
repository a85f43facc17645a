/// The shape of one bencode value the KRPC mapping may look at; byte strings stay in the datagram.
enum KRPCSlot {
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
struct KRPCFields {
    var cas = KRPCSlot.absent
    var del = KRPCSlot.absent
    var id = KRPCSlot.absent
    var impliedPort = KRPCSlot.absent
    var infoHash = KRPCSlot.absent
    var k = KRPCSlot.absent
    var key = KRPCSlot.absent
    var nodes = KRPCSlot.absent
    var noseed = KRPCSlot.absent
    var port = KRPCSlot.absent
    var salt = KRPCSlot.absent
    var seed = KRPCSlot.absent
    var seq = KRPCSlot.absent
    var sig = KRPCSlot.absent
    var target = KRPCSlot.absent
    var token = KRPCSlot.absent
    var ttl = KRPCSlot.absent
    var v = KRPCSlot.absent
    /// The whole bencoding of `v`, whatever its type: a BEP 44 item is any bencoded value.
    var rawV: Range<Int>?
    var values = KRPCSlot.absent
}

/// Everything `Message.decode` reads from a datagram, as positions rather than copies.
struct KRPCEnvelope {
    /// False when the top-level value is not a dictionary; every other field is then absent.
    var isDictionary = false
    var t = KRPCSlot.absent
    var y = KRPCSlot.absent
    var q = KRPCSlot.absent
    var v = KRPCSlot.absent
    var a = KRPCSlot.absent
    var r = KRPCSlot.absent
    var e = KRPCSlot.absent
    /// BEP 42: the address the sender saw us at, in replies.
    var ip = KRPCSlot.absent
    /// BEP 43: a read-only sender's queries carry `ro` 1.
    var ro = KRPCSlot.absent
    /// The children of `a` when it is a dictionary.
    var arguments = KRPCFields()
    /// The children of `r` when it is a dictionary.
    var response = KRPCFields()
    /// The first two elements of `e` when it is a list; absent when it has fewer.
    var errorCode = KRPCSlot.absent
    var errorText = KRPCSlot.absent
}
