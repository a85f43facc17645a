/// Work a node does on its own behalf, off the path that answers queries: carrying out what
/// seeing a contact implies, and running background tasks a simulation can wait for.
extension DHTNode {
    /// Carries out what the routing table's view of `contact` asks for: a challenge ping to
    /// an incumbent, a hand-off of values to a newcomer.
    func act(on observation: NodeState.Observation, about contact: Contact) {
        if let challenge = observation.challenge { challengeForPlace(challenge) }
        guard !observation.handOff.isEmpty else { return }
        let level: LogLevel = observation.handOff.count >= Self.handOffWorthReporting ? .info : .debug
        log(level, .maintenance, "handing \(observation.handOff.count) values to newcomer \(contact.id.hex.prefix(8)) at \(contact.address)")
        inBackground { node in await node.handOff(observation.handOff, to: contact, grant: observation.grant) }
    }

    /// Runs `work` as a task of its own, counted by the configuration's `activity`, if any,
    /// until it ends.
    func inBackground(_ work: @escaping @Sendable (DHTNode) async -> Void) {
        configuration.activity?.started()
        spawn { [self] in
            await work(self)
            configuration.activity?.finished()
        }
    }

    /// Starts a task of the node's own on the configuration's `taskExecutor`, if any: a
    /// simulation runs every task of its nodes on one executor, so it knows when all wait.
    @discardableResult
    func spawn<Success: Sendable>(_ work: sending @escaping @isolated(any) () async -> Success) -> Task<Success, Never> {
        Task(executorPreference: configuration.taskExecutor, operation: work)
    }
}
