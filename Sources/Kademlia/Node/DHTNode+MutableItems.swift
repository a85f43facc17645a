/// A BEP 44 mutable item as a get found it: signed by `publicKey`, checked.
public struct MutableItem: Sendable, Equatable {
    /// The item's whole bencoding.
    public var value: [UInt8]
    public var seq: Int64
    public var publicKey: [UInt8]
    public var salt: [UInt8]
    public var signature: [UInt8]
}

/// Putting and getting BEP 44 mutable items: values signed with an ed25519 key, found
/// under SHA-1 of the key and a salt, the highest seq winning.
extension DHTNode {
    /// The public key this node signs its mutable items with (kept in its data directory).
    public var signingPublicKey: [UInt8] { Ed25519PrivateKey(seed: read { $0.signingSeed }).publicKey }

    /// Puts `value` (its whole bencoding) as a mutable item signed with `key` (this node's
    /// own when nil) under `salt`, with `seq` (one past the highest the network holds when
    /// nil) at the K closest nodes; returns the target, the seq and how many took it.
    public func putMutableItem(_ value: [UInt8], signedBy key: Ed25519PrivateKey? = nil, salt: [UInt8] = [],
                               seq: Int64? = nil) async throws(PutError) -> (target: NodeID, seq: Int64, storedAt: Int) {
        guard !isStopped else { throw .stopped }
        guard value.count <= BEP44Rules.maxValueSize else { throw .valueTooLarge(size: value.count, limit: BEP44Rules.maxValueSize) }
        guard (try? BencodeDecoder.decode(value)) != nil else { throw .invalidItem("not one bencoded value") }
        guard salt.count <= BEP44Rules.maxSaltSize else { throw .invalidItem("salt over \(BEP44Rules.maxSaltSize) bytes") }
        let signer = key ?? Ed25519PrivateKey(seed: read { $0.signingSeed })
        let target = BEP44Rules.mutableTarget(publicKey: signer.publicKey, salt: salt)
        let outcome = await lookup(target, for: .items)
        // The highest seq seen counts this node's own copy too: alone, or among the closest,
        // it may hold the newest version, and a write under the same seq would be refused.
        let remoteSeq = best(of: outcome, target: target, publicKey: signer.publicKey, salt: salt)?.seq
        let heldNow = clock.now()
        let localSeq = read { $0.items.item(at: target, now: heldNow) }?.mutable.flatMap { $0.publicKey == signer.publicKey ? $0.seq : nil }
        let highest = [remoteSeq, localSeq].compactMap { $0 }.max()
        let nextSeq = seq ?? highest.map { $0 == .max ? .max : $0 + 1 } ?? 1
        let signature = signer.sign(BEP44Rules.signedBytes(salt: salt, seq: nextSeq, value: value))
        let fields = MutableItemFields(publicKey: signer.publicKey, signature: signature, seq: nextSeq, salt: salt)
        let taken = await sendToClosest(outcome) { token in .putItem(ItemPutRequest(token: token, value: value, mutable: fields)) }
        var here = isAmongClosest(target, outcome)
        if here {
            let now = clock.now()
            // Counted only once the journal has it, as a value is.
            here = mutateReportingJournal { $0.items.put(value, mutable: fields, at: target, now: now) }.journaled
        }
        let count = taken + (here ? 1 : 0)
        log(.info, .data, "put mutable item \(target.hex.prefix(8)) seq \(nextSeq) at \(count) nodes",
            fields: [.text("target", target.hex), .count("seq", Int(nextSeq)), .count("nodes", count)])
        guard count > 0 else { throw .notStored }
        return (target, nextSeq, count)
    }

    /// The newest mutable item `publicKey` signed under `salt` that this node or the K
    /// closest hold, its signature checked; nil when none holds one.
    public func mutableItem(publicKey: [UInt8], salt: [UInt8] = []) async throws(GetError) -> MutableItem? {
        try await newestMutableItem(at: BEP44Rules.mutableTarget(publicKey: publicKey, salt: salt), publicKey: publicKey, salt: salt)
    }

    /// The newest mutable item stored under `target` (the SHA-1 of a public key and `salt`
    /// that `putMutableItem` returns), whatever key signed it, as long as that key and
    /// `salt` hash to `target` and the signature holds; nil when none holds one.
    public func mutableItem(target: NodeID, salt: [UInt8] = []) async throws(GetError) -> MutableItem? {
        try await newestMutableItem(at: target, publicKey: nil, salt: salt)
    }

    /// The newest checked item under `target`, signed by `publicKey` or, when nil, by any key that hashes there with `salt`.
    private func newestMutableItem(at target: NodeID, publicKey: [UInt8]?, salt: [UInt8]) async throws(GetError) -> MutableItem? {
        guard !isStopped else { throw .stopped }
        let outcome = await lookup(target, for: .items)
        let now = clock.now()
        let local = read { $0.items.item(at: target, now: now) }.flatMap { held -> MutableItem? in
            guard let fields = held.mutable, publicKey.map({ fields.publicKey == $0 }) ?? true, fields.salt == salt,
                  BEP44Rules.mutableTarget(publicKey: fields.publicKey, salt: salt) == target else { return nil }
            return MutableItem(value: held.value, seq: fields.seq, publicKey: fields.publicKey, salt: salt, signature: fields.signature)
        }
        let remote = best(of: outcome, target: target, publicKey: publicKey, salt: salt)
        if outcome.closest.isEmpty && local == nil && isCutOff(queried: outcome.queries) { throw .noNodeAnswered }
        switch (local, remote) {
        case (let local?, let remote?): return remote.seq > local.seq ? remote : local
        case (let local, nil): return local
        case (nil, let remote): return remote
        }
    }

    /// The highest-seq item in the lookup's answers under `target` that `publicKey` (or, when
    /// nil, any key hashing to `target` with `salt`) truly signed under `salt`.
    private func best(of outcome: LookupOutcome, target: NodeID, publicKey: [UInt8]?, salt: [UInt8]) -> MutableItem? {
        var winner: MutableItem?
        for response in outcome.items.values {
            guard let value = response.item, let seq = response.seq, let signature = response.signature,
                  let signer = response.publicKey, publicKey.map({ signer == $0 }) ?? true,
                  value.count <= BEP44Rules.maxValueSize, winner.map({ seq > $0.seq }) ?? true,
                  BEP44Rules.mutableTarget(publicKey: signer, salt: salt) == target,
                  Ed25519.verify(signature: signature, message: BEP44Rules.signedBytes(salt: salt, seq: seq, value: value), publicKey: signer)
            else { continue }
            winner = MutableItem(value: value, seq: seq, publicKey: signer, salt: salt, signature: signature)
        }
        return winner
    }
}
