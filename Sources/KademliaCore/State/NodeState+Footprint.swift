extension NodeState {
    /// What this node's state holds, in heap bytes, by structure (see `MemoryTally`). The
    /// BEP 5 and BEP 44 stores, listeners and publications are left out: a node of the
    /// benchmarks holds none or a few, and the tally is there to show what grows with N.
    package func memoryTally() -> MemoryTally {
        var tally = MemoryTally()
        tally.add("routing table", routingTable.footprint)
        tally.add("value store", store.footprint)
        tally.add("inbound limits", inbound.footprint + Footprint.of(verifying))
        tally.add("outbound pacing", outboundPacer.footprint + pacedSends.footprint + upkeep.footprint)
        tally.add("pending queries", pending.footprint)
        tally.add("recent failures", recentFailures.footprint)
        tally.add("other", roundTrips.footprint + Footprint.of(challenged) + Footprint.of(routerContacts) + Footprint.of(journalContacts)
                  + handOffDebts.footprint + handOffWatch.footprint)
        return tally
    }
}
