import Foundation
import NeuroNode
import Testing

/// The distal-reward and instrumental experiments at a reduced size that still separates the
/// rewarded run from its control, and their example files.
@Suite("Learning experiments")
struct LearningExperimentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// 100 neurons, 10 synapses each, 5 Hz background (25 pairings of the chosen synapse per
    /// minute at the start instead of 0.6), a faster learning rate: minutes instead of an hour.
    static func reducedDistal(seed: UInt64) -> DistalRewardExperiment {
        var e = DistalRewardExperiment()
        e.seed = seed
        e.excitatory = 80
        e.inhibitory = 20
        e.outdegree = 10
        e.backgroundHz = 5
        e.seconds = 240
        e.sampleSeconds = 20
        return e
    }

    @Test(arguments: [UInt64(1), 2])
    func distalRewardGrowsOnlyTheChosenSynapse(seed: UInt64) throws {
        let e = Self.reducedDistal(seed: seed)
        let r = try e.run()
        #expect(r.rewarded.rewards > 10, "\(r.rewarded.rewards) rewards")
        #expect(r.control.rewards == r.rewarded.rewards)
        #expect(r.rewarded.meetsCriterion, "rewarded: chosen \(r.rewarded.chosen) mV, others \(r.rewarded.others) mV")
        #expect(!r.control.meetsCriterion, "control: chosen \(r.control.chosen) mV, others \(r.control.others) mV")
        #expect(r.control.chosen < e.maxWeight / 2, "control: chosen \(r.control.chosen) mV")
        #expect(r.rewarded.others < e.initialWeight * 1.05 && r.control.others < e.initialWeight * 1.05)
    }

    @Test func distalRewardIsDeterministic() throws {
        var e = Self.reducedDistal(seed: 3)
        e.seconds = 40
        #expect(try e.run() == e.run())
    }

    @Test func exampleFilesAreTheExperimentsNetworks() throws {
        let distal = try String(contentsOf: Self.root.appendingPathComponent("examples/distal-reward.toml"), encoding: .utf8)
        #expect(distal == DistalRewardExperiment().networkText())
        let instrumental = try String(contentsOf: Self.root.appendingPathComponent("examples/instrumental.toml"), encoding: .utf8)
        #expect(instrumental == InstrumentalExperiment().networkText(stimulus: "instrumental-stimulus.csv"))
        let stimulus = try String(contentsOf: Self.root.appendingPathComponent("examples/instrumental-stimulus.csv"), encoding: .utf8)
        #expect(stimulus == InstrumentalExperiment().stimulusCSV)
        for file in ["distal-reward.toml", "instrumental.toml"] {
            let network = try NetworkDescription.load(path: Self.root.appendingPathComponent("examples/\(file)").path)
            #expect(network.pools.count == 1 && network.pools[0].neurons == 1000)
        }
    }

    /// The experiment's network on the bus (one node and the controller, separate processes)
    /// equals `run` byte for byte, rewards included.
    @Test func distalRewardIsIdenticalAcrossProcesses() throws {
        var e = Self.reducedDistal(seed: 5)
        e.backgroundHz = 20
        e.learningRate = 60
        try LockstepIntegrationTests.expectIdenticalRuns(networkText: e.networkText(), ticks: 6000)
    }
}
