/// The shape of one bencode value the KRPC mapping may look at; byte strings stay in the datagram.
enum KRPCSlot {
    /// The key did not occur.
    case absent
    /// An integer, already range-checked by the reader.
    case integer(Int64)
    /// A byte string; the range locates its payload in the datagram.
    case bytes(Range<Int>)
    /// A list, validated but not kept.
    case list
    /// A dictionary, validated but not kept.
    case dictionary
}

/// The direct children of an `a` or `r` dictionary that any method reads.
struct KRPCFields {
    var del = KRPCSlot.absent
    var id = KRPCSlot.absent
    var key = KRPCSlot.absent
    var nodes = KRPCSlot.absent
    var seq = KRPCSlot.absent
    var target = KRPCSlot.absent
    var token = KRPCSlot.absent
    var ttl = KRPCSlot.absent
    var v = KRPCSlot.absent
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
    /// The children of `a` when it is a dictionary.
    var arguments = KRPCFields()
    /// The children of `r` when it is a dictionary.
    var response = KRPCFields()
    /// The first two elements of `e` when it is a list; absent when it has fewer.
    var errorCode = KRPCSlot.absent
    var errorText = KRPCSlot.absent
}
