import Kademlia
import Testing
import KademliaTestKit

/// The headline of the lifetime work: a day of churn, with the keys' publishers long gone.
@Suite("Churn, the headline")
struct ChurnTests {
    /// Runs the scenario and checks what every churn run must show: the hours all ran,
    /// every put was stored, every key was read back every hour and the median key kept
    /// at least 7 of its 8 closest.
    private func runKeepingEveryKey(nodes: Int, keys: Int, hours: Int, seed: UInt64,
                                    internet: InternetModel? = nil) async -> [ChurnHour] {
        var scenario = ChurnScenario()
        scenario.nodes = nodes
        scenario.keys = keys
        scenario.hours = hours
        scenario.seed = seed
        scenario.internet = internet
        var simulation = ChurnSimulation(scenario)
        let figures = await simulation.run()
        #expect(figures.count == hours)
        for hour in figures {
            #expect(hour.keys == keys, "every put was stored")
            // The fewest copies tells a lost key (0) from a get that missed copies in place.
            #expect(hour.readable == hour.keys,
                    "hour \(hour.hour): \(hour.keys - hour.readable) keys unreadable; fewest copies of a key \(hour.minimumReplicas)")
            #expect(hour.medianReplicas >= 7, "hour \(hour.hour): median key on \(hour.medianReplicas) of its 8 closest")
        }
        return figures
    }

    @Test("2,000 nodes, 60-minute median sessions, 1,000 keys whose publishers left: 24 simulated hours, every key readable every hour")
    func aDayOfChurn() async {
        let hours = await runKeepingEveryKey(nodes: 2000, keys: 1000, hours: 24, seed: 2026)
        for hour in hours { #expect((1800...2200).contains(hour.liveNodes)) }
        let departures = hours.map(\.departures).reduce(0, +)
        #expect(departures > 24 * 1000, "the churn is real: \(departures) departures")
        // A regression guard, not the target: BENCHMARKS.md reports the figure and its parts.
        let perKeyHour = hours.dropFirst().map(\.dataRPCsPerKey).reduce(0, +) / Double(hours.count - 1)
        #expect(perKeyHour < 30, "maintenance RPCs per key-hour: \(perKeyHour)")
    }

    @Test("across the modelled internet (100 ms median round trip, 1% loss): 500 nodes, 200 keys, 3 hours, every key readable every hour")
    func churnAcrossTheInternet() async {
        let hours = await runKeepingEveryKey(nodes: 500, keys: 200, hours: 3, seed: 7,
                                             internet: InternetModel(seed: 7, rttMedian: .milliseconds(100), loss: 0.01))
        #expect(hours.map(\.departures).reduce(0, +) > 3 * 200, "the churn is real")
    }
}
