import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// The distal-reward and instrumental experiments at a reduced size that still separates the
/// rewarded run from its control, and their example files.
@Suite("Learning experiments")
struct LearningExperimentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// 100 neurons with 10 synapses each instead of 1000 with 100, for 40 simulated minutes:
    /// the chosen synapse sees the paper's pairing and reward statistics (1 Hz, 1–3 s delays),
    /// the network is ten times cheaper.
    static func reducedDistal(seed: UInt64) -> DistalRewardExperiment {
        var e = DistalRewardExperiment()
        e.seed = seed
        e.excitatory = 80
        e.inhibitory = 20
        e.outdegree = 10
        e.seconds = 2400
        e.sampleSeconds = 600
        return e
    }

    @Test(arguments: [UInt64(2)])
    func distalRewardGrowsOnlyTheChosenSynapse(seed: UInt64) throws {
        let e = Self.reducedDistal(seed: seed)
        let r = try e.run()
        #expect(r.rewarded.rewards > 15, "\(r.rewarded.rewards) rewards")
        #expect(r.control.rewards == r.rewarded.rewards)
        // Rewarded: the chosen synapse at the maximum, far above the others, whose mean (the
        // pruned ones at 0 mV) stays below a quarter of it — the paper's criterion.
        #expect(r.rewarded.chosen >= 0.95 * e.maxWeight, "rewarded: chosen \(r.rewarded.chosen) mV")
        #expect(r.rewarded.chosen > 3 * r.rewarded.others, "rewarded: chosen \(r.rewarded.chosen) mV, others \(r.rewarded.others) mV")
        #expect(r.rewarded.others < e.maxWeight / 4 && r.rewarded.meetsCriterion, "rewarded: others \(r.rewarded.others) mV")
        #expect(r.rewarded.reachedMaximum && r.rewarded.peak >= 0.95 * e.maxWeight)
        #expect(!r.control.reachedMaximum && r.control.peak < e.maxWeight / 2, "control: peak \(r.control.peak) mV")
        #expect(r.rewarded.pruned > 0 && r.rewarded.pruned < e.excitatory * e.outdegree / 2, "\(r.rewarded.pruned) pruned")
        // Control: as many pulses at random times leave it with (or below) the others.
        #expect(r.control.chosen < e.maxWeight / 2 && r.control.chosen < 1.5 * r.control.others,
                "control: chosen \(r.control.chosen) mV, others \(r.control.others) mV")
        #expect(!r.control.meetsCriterion)
    }

    /// Instrumental conditioning trained both ways on 400 neurons with 40 synapses each (the
    /// groups keep their 50 neurons, so S sends A and B as many synapses as at full size) for
    /// 20 simulated minutes a run: four runs, the contingency index against the controls'.
    @Test func instrumentalConditioningFollowsTheContingency() throws {
        var e = InstrumentalExperiment()
        e.seed = 3
        e.network.excitatory = 320
        e.network.inhibitory = 80
        e.network.outdegree = 40
        e.seconds = 1200
        let r = try e.runPaired()
        #expect(r.rewardA.rewarded.rewards > 100 && r.rewardB.rewarded.rewards > 100, "pulses \(r.rewardA.rewarded.rewards), \(r.rewardB.rewarded.rewards)")
        // The rewarded group ends ahead each way, and the same network's A:B ratio moves at
        // least 3 times between the two trainings.
        #expect(r.rewardA.rewarded.lastA > r.rewardA.rewarded.lastB, "A-trained: A \(r.rewardA.rewarded.lastA), B \(r.rewardA.rewarded.lastB)")
        #expect(r.rewardB.rewarded.lastB > r.rewardB.rewarded.lastA, "B-trained: A \(r.rewardB.rewarded.lastA), B \(r.rewardB.rewarded.lastB)")
        #expect(r.contingency >= InstrumentalExperiment.contingencyCriterion && r.meetsCriterion, "index \(r.contingency)")
        // As many pulses and dips at random times move it far less.
        #expect(abs(r.controlContingency) < InstrumentalExperiment.contingencyCriterion && !r.controlMeetsCriterion,
                "control index \(r.controlContingency)")
        #expect(r.contingency > abs(r.controlContingency) + 1)
    }

    @Test func distalRewardIsDeterministic() throws {
        var e = Self.reducedDistal(seed: 3)
        e.seconds = 60
        e.sampleSeconds = 20
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

@Suite("Network warnings")
struct NetworkWarningTests {
    @Test func aRewardForRatesHomeostasisForbidsIsWarnedAbout() throws {
        let warnings = NetworkDescription.builtInThreePool().warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("reward[0] pays when motor[0, 64) fires at least 1400 spikes in 100 ticks, 219 Hz per neuron") == true, "\(warnings)")
        #expect(warnings.first?.contains("near 50.0 Hz") == true)
        #expect(NetworkDescription.builtInDefault().warnings.isEmpty)
    }

    @Test func populationsWarnOnlyWhenTheRateIsOutOfReach() throws {
        func network(minSpikes: Int) -> String {
            """
            [network]
            name = "w"
            format = 2
            seed = 1
            [controller]
            control = "tcp://127.0.0.1:27400"
            publish = "tcp://127.0.0.1:27401"
            [[pool]]
            name = "p"
            endpoint = "tcp://127.0.0.1:27402"
              [[pool.population]]
              name = "E"
              size = 10
              kind = "excitatory"
              homeostasis_hz = 10.0
            [[reward]]
            pool = "p"
            neurons = [0, 10]
            every = 100
            min_spikes = \(minSpikes)
            dopamine = 200
            """
        }
        // 100 ticks of 1 ms, 10 neurons: 10 spikes is 10 Hz per neuron, 20 is 20 Hz.
        #expect(try NetworkDescription.parse(Array(network(minSpikes: 10).utf8), file: "<w>").warnings.isEmpty)
        let warned = try NetworkDescription.parse(Array(network(minSpikes: 20).utf8), file: "<w>").warnings
        #expect(warned.count == 1 && warned[0].contains("20.0 Hz per neuron") && warned[0].contains("near 10.0 Hz"), "\(warned)")
    }
}
