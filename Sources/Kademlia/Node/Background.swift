/// Work a node does on its own behalf, off the path that answers queries: carrying out what
/// seeing a contact implies, and tracking background tasks so simulations can wait for quiet.
extension DHTNode {
    /// Carries out what the routing table's view of `contact` asks for: a challenge ping to
    /// an incumbent, a hand-off of values to a newcomer.
    func act(on observation: NodeState.Observation, about contact: Contact) {
        if let challenge = observation.challenge { challengeForPlace(challenge) }
        guard !observation.handOff.isEmpty else { return }
        inBackground { node in await node.handOff(observation.handOff, to: contact, grant: observation.grant) }
    }

    /// Runs `work` as a task of its own, counted until it ends.
    func inBackground(_ work: @escaping @Sendable (DHTNode) async -> Void) {
        counters.background.add(1, ordering: .relaxed)
        configuration.activity?.started()
        Task { [self] in
            await work(self)
            counters.background.subtract(1, ordering: .releasing)
            configuration.activity?.finished()
        }
    }

    /// Whether no background task (replication, hand-off, refresh, rejoin, caching) is under
    /// way; a simulation steps time on once every node is idle.
    public var isIdle: Bool { counters.background.load(ordering: .acquiring) == 0 }
}
