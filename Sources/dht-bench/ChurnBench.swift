import Foundation
import Kademlia
import KademliaTestKit

/// Runs the churn scenario and prints a Markdown table, one row per simulated hour as it
/// is probed, then the memory a node cost and the wall time.
func runChurn(_ options: BenchOptions) async {
    var scenario = ChurnScenario()
    scenario.nodes = options.nodes
    scenario.keys = options.keys
    scenario.hours = options.hours
    scenario.medianSession = .seconds(60 * options.medianSessionMinutes)
    scenario.gracefulShare = options.gracefulShare ?? (options.graceful ? 1 : 0)
    scenario.keysPerPublisher = options.keysPerPublisher
    scenario.seed = options.seed
    scenario.joinBatch = options.joinBatch
    if options.churnAcrossInternet {
        scenario.internet = InternetModel(seed: options.seed, rttMedian: .milliseconds(options.rttMedianMilliseconds), loss: options.loss)
    }
    if let maxStoredValues = options.maxStoredValues { scenario.configuration.limits.maxStoredValues = maxStoredValues }
    let clock = ContinuousClock()
    let start = clock.now
    let rssBefore = SystemProbe.anonymousKiB()
    emit("churn: \(options.nodes) nodes, \(options.keys) keys, median session \(options.medianSessionMinutes) min, "
          + "\(Int(scenario.gracefulShare * 100))% of departures graceful, the rest crashes, seed \(options.seed)"
          + (scenario.joinBatch > 1 ? ", built \(scenario.joinBatch) joins at a time" : "")
          + (scenario.internet.map { "; across \($0.summary)" } ?? "; on the instant network"))
    emit("")
    emit("| hour | live nodes | departures | keys readable | replicas p50 | replicas min | data RPCs per key-hour | of which stores "
          + "| routing RPCs per node-hour | data RPCs per node-hour | busy answers | dropped by limits | stores refused |")
    emit("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    var simulation = ChurnSimulation(scenario)
    var peakResident = 0
    let hours = await simulation.run { hour in
        peakResident = max(peakResident, SystemProbe.anonymousKiB())
        emit("| \(hour.hour) | \(hour.liveNodes) | \(hour.departures) | \(hour.readable)/\(hour.keys) | \(hour.medianReplicas) | "
              + "\(hour.minimumReplicas) | \(format(hour.dataRPCsPerKey)) | \(format(hour.dataStoresPerKey)) | \(format(hour.routingRPCsPerNode)) | "
              + "\(format(hour.dataRPCsPerKey * Double(hour.keys) / Double(max(hour.liveNodes, 1)))) | \(hour.busyAnswers) | \(hour.queriesDroppedSilently) | \(hour.storesRefused) |")
    }
    let data = hours.map(\.dataRPCsPerKey).reduce(0, +) / Double(max(hours.count, 1))
    emit("")
    emit("mean data RPCs per key-hour: \(format(data)); every key readable every hour: \(hours.allSatisfy { $0.readable == $0.keys }); "
          + "queries dropped by limits: \(hours.map(\.queriesDroppedSilently).reduce(0, +))")
    let rssPerNode = Double(peakResident - rssBefore) / Double(options.nodes)
    emit("memory per node: \(format(rssPerNode)) KiB; wall time \(format((clock.now - start).seconds)) s")
    emit(MemoryBreakdown(of: simulation.liveNodes, residentKiBPerNode: rssPerNode).line)
}

/// Writes one line to stdout at once, so a long run shows its rows as they come.
private func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func format(_ value: Double) -> String {
    String((value * 10).rounded() / 10)
}
