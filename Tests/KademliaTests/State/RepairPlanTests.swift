import Testing
@testable import KademliaCore
import KademliaTestKit

/// Whom a repair offers the value to (`RepairPlan`): the member that moved up into the K
/// closest, and the nearest member nearer the key than the repairer not known to hold it.
@Suite struct RepairPlanTests {
    private let k = 8

    /// A target, a repairer at rank `rank` among the K closest, and the other K-1 members
    /// plus a few farther contacts, nearest first.
    private func neighbourhood(seed: UInt64, rank: Int) -> (target: NodeID, local: NodeID, members: [Contact]) {
        var generator = SeededGenerator(seed: seed)
        let target = NodeID.random(using: &generator)
        // Bucket i of the target is nearer it than bucket i+1: rank by bucket.
        let ids = (0..<k + 3).map { target.randomID(inBucket: 10 + 3 * $0, using: &generator) }
        let contacts = ids.enumerated().map { peer($1, port: UInt16(5000 + $0)) }
        let local = contacts[rank].id
        return (target, local, contacts.filter { $0.id != local })
    }

    @Test func offersTheMovedUpMemberAndTheNearestUnconfirmedNearerOne() {
        let (target, local, others) = neighbourhood(seed: 1, rank: 4)
        let members = Array(others.prefix(k - 1))
        let last = members[k - 2]
        // The two nearest are known to hold it; the third is not.
        let confirmed: Set<NodeID> = [members[0].id, members[1].id, members[5].id]
        let plan = RepairPlan(target: target, localID: local, known: others, k: k, confirmed: confirmed)
        #expect(plan.toOffer == [members[2], last])
    }

    @Test func offersNothingKnownToHoldIt() {
        let (target, local, others) = neighbourhood(seed: 2, rank: 0)
        let members = Array(others.prefix(k - 1))
        let all = RepairPlan(target: target, localID: local, known: others, k: k, confirmed: Set(members.map(\.id)))
        #expect(all.toOffer.isEmpty)
        // The nearest holder has nobody nearer: only the member that moved up.
        let none = RepairPlan(target: target, localID: local, known: others, k: k, confirmed: [])
        #expect(none.toOffer == [members[k - 2]])
    }

    @Test func aNodeOutsideTheKClosestRepairsNothing() {
        let (target, local, others) = neighbourhood(seed: 3, rank: k + 1)
        #expect(RepairPlan(target: target, localID: local, known: others, k: k, confirmed: []).toOffer.isEmpty)
    }
}
