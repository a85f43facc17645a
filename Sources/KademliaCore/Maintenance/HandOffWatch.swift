/// Hand-offs this node left to another holder, watched for a while in case that holder
/// turns out dead: then the hand-off falls to the next, this node perhaps, at once rather
/// than at the next replication round.
///
/// One holder hands each key to a newcomer (`HandOffRule.designee`): the one nearest the
/// newcomer among those known live, that is heard from within 5 minutes. One that died
/// in those minutes is chosen all the same, and the newcomer goes without; at 10,000 nodes
/// a key's six nearest were once all newcomers left so. Pure: the node notes whom it left
/// each hand-off to, and asks when a contact leaves its table.
package struct HandOffWatch: Sendable {
    /// A newcomer, the values the designee was to hand it, and when the watch ends.
    package struct Watched: Sendable, Equatable {
        package var newcomer: Contact
        package var targets: [NodeID]
        package var until: Timestamp
    }

    /// By designee: the hand-offs left to it.
    private var byDesignee: [NodeID: [Watched]] = [:]

    package init() {}

    /// Designees watched now.
    package var count: Int { byDesignee.count }

    /// Notes that `designee` is to hand `targets` to `newcomer`; watched until `until`.
    package mutating func watch(_ newcomer: Contact, for targets: [NodeID], leftTo designee: NodeID, until: Timestamp) {
        guard !targets.isEmpty else { return }
        byDesignee[designee, default: []].append(Watched(newcomer: newcomer, targets: targets, until: until))
    }

    /// Removes and returns what `designee`, gone from the table, was to hand over and may
    /// not have; watches that ended are dropped.
    package mutating func takeLeft(to designee: NodeID, now: Timestamp) -> [Watched] {
        guard !byDesignee.isEmpty, let left = byDesignee.removeValue(forKey: designee) else { return [] }
        return left.filter { $0.until > now }
    }

    /// The newcomers watched now, each still waiting for a hand-off from another holder.
    package var newcomers: Set<NodeID> {
        Set(byDesignee.values.lazy.flatMap { $0.lazy.map(\.newcomer.id) })
    }

    /// Drops the watches that ended by `now` and returns them: their designees stayed in
    /// the table throughout, so the hand-offs are taken as done.
    package mutating func removeEnded(now: Timestamp) -> [Watched] {
        guard !byDesignee.isEmpty else { return [] }
        var ended: [Watched] = []
        byDesignee = byDesignee.compactMapValues { watched in
            var current: [Watched] = []
            for each in watched {
                if each.until > now { current.append(each) } else { ended.append(each) }
            }
            return current.isEmpty ? nil : current
        }
        return ended
    }

    /// Heap bytes the watch holds.
    package var footprint: Int {
        byDesignee.values.reduce(Footprint.of(byDesignee)) { total, watched in
            watched.reduce(total + Footprint.of(watched)) { $0 + Footprint.of($1.targets) }
        }
    }
}
