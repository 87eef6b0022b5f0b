import ArgumentParser
import Foundation
import NeuroNode
import NeuroPool
import NeuroNetwork
import NeuroEngine

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Demonstrations of the pool's mechanisms.",
        subcommands: [Learning.self, DistalReward.self, Instrumental.self]
    )

    struct Learning: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reward-driven choice on the neuropool design's 32-neuron pool, beside its controls.",
            discussion: """
            A 32-neuron pool at 50 % density sees a seeded Poisson stimulus on neurons 0..<8 for \
            40 ticks per epoch; output groups A (24..<28) and B (28..<32) compete. Three runs start \
            from the same pool and stimulus: contingent (a dopamine pulse after every epoch in which \
            A fired more than B), random (as many pulses, at random epochs) and none. Figures: A's \
            share of the output, A / (A + B), over 50 presentations before and after training, and \
            the mean weight of the input → A and input → B synapses. Credit assignment shows as the \
            input → A pathway gaining on the input → B one under contingent reward and not under the \
            controls; homeostasis (on) holds every neuron's rate near its target, so the share moves \
            little. Each seed is one row per condition, then the means over the seeds.
            """
        )

        @Option(help: "First seed of the pool and the stimulus.")
        var seed: UInt64 = 1

        @Option(help: "Seeds to run (seed, seed + 1, …).")
        var seeds: Int = 5

        @Option(help: "Training epochs per condition.")
        var epochs: Int = LearningDemo().epochs

        @Option(help: "Learning gain (2^-32 weight units per eligibility unit, dopamine unit and tick).")
        var gain: Int64 = LearningDemo().learningGain

        @Option(help: "Eligibility time constant, ticks.")
        var eligibilityTau: Int = LearningDemo().eligibilityTau

        @Option(help: "Homeostatic threshold step, Q8.8 mV per tick (0: off).")
        var homeostasis: Int = LearningDemo().homeostasisStep

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        func validate() throws {
            guard (0 ... PlasticityRule.maxGain).contains(gain) else { throw ValidationError("--gain \(gain) is out of range 0…\(PlasticityRule.maxGain)") }
            guard (1 ... 100_000_000).contains(eligibilityTau) else { throw ValidationError("--eligibility-tau \(eligibilityTau) is out of range 1…100000000") }
            guard (0 ... 255).contains(homeostasis) else { throw ValidationError("--homeostasis \(homeostasis) is out of range 0…255") }
            guard (1 ... 1_000_000).contains(epochs) else { throw ValidationError("--epochs \(epochs) is out of range 1…1000000") }
            guard (1 ... 1000).contains(seeds) else { throw ValidationError("--seeds \(seeds) is out of range 1…1000") }
        }

        func run() throws {
            var results: [LearningDemo.Result] = []
            for k in 0 ..< seeds {
                var demo = LearningDemo()
                demo.seed = seed &+ UInt64(k)
                demo.epochs = epochs
                demo.learningGain = gain
                demo.eligibilityTau = eligibilityTau
                demo.homeostasisStep = homeostasis
                results.append(try demo.run())
            }
            if json {
                print(try JSONOutput.string(results, snakeCase: true))
                return
            }
            print("=== NeuroBus learning demo: reward-driven choice, contingent reward beside its controls ===")
            for r in results { print(r) }
            print("mean over \(seeds) seed(s): change of A's output share, and of the input→A pathway's weight minus the input→B pathway's")
            for condition in LearningDemo.Condition.allCases {
                let outcomes = results.compactMap { $0.outcome(condition) }
                let share = outcomes.map { $0.shareAfter - $0.shareBefore }
                let pathway = outcomes.map { ($0.pathwayAAfter - $0.pathwayBAfter) - ($0.pathwayABefore - $0.pathwayBBefore) }
                func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(max(xs.count, 1)) }
                print("  \(condition.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) share \(String(format: "%+.3f", mean(share))) (rose in \(share.filter { $0 > 0 }.count) of \(share.count)), "
                      + "pathway A − B \(String(format: "%+.2f", mean(pathway))) units (rose in \(pathway.filter { $0 > 0 }.count) of \(pathway.count))")
            }
        }
    }

    struct DistalReward: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "distal-reward",
            abstract: "Izhikevich's (2007) distal reward experiment, rewarded beside its control, over several seeds.",
            discussion: """
            1000 integrate-and-fire neurons (800 E / 200 I, 100 synapses each, 1 Hz background \
            kicks) run for an hour of simulated time at 1 ms ticks. One E→E synapse is chosen: \
            each time its post-synaptic neuron fires within 10 ms after its pre-synaptic one, a \
            dopamine pulse follows 1–3 s later. The control run gets as many pulses at random \
            times. The paper's result: the chosen synapse reaches the maximum weight (4 mV) while \
            the other excitatory weights stay below a quarter of it; the control must not. Prints \
            each seed's weights for both runs, the chosen synapse's peak, whether it reached the \
            maximum within the hour and whether it is there at the end; --csv writes every sample. Takes about a minute \
            per run in a release build. `--print-network` prints the rewarded run's network file.
            """
        )

        @Option(help: "First seed.")
        var seed: UInt64 = 1

        @Option(help: "Seeds to run (seed, seed + 1, …).")
        var seeds: Int = 5

        @Option(help: "Simulated seconds per run.")
        var seconds: Int = 3600

        @Option(help: "Excitatory and inhibitory neurons (a reduced network keeps the 4:1 ratio you give).")
        var excitatory: Int = 800
        @Option(help: "Inhibitory neurons.")
        var inhibitory: Int = 200
        @Option(help: "Synapses per neuron.")
        var outdegree: Int = 100
        @Option(help: "Background kicks per neuron per second.")
        var backgroundHz: Double = DistalRewardExperiment().backgroundHz
        @Option(help: "PSP of each background kick, mV.")
        var backgroundWeight: Double = DistalRewardExperiment().backgroundWeight
        @Option(help: "Learning rate of the excitatory synapses, mV/s per unit eligibility per unit dopamine.")
        var learningRate: Double = DistalRewardExperiment().learningRate
        @Option(help: "Depression amplitude of the STDP window (potentiation is 1).")
        var aMinus: Double = DistalRewardExperiment().aMinus
        @Option(help: "Magnitude of the inhibitory weights, mV.")
        var inhibitoryWeight: Double = DistalRewardExperiment().inhibitoryWeight
        @Option(help: "Divide the eligibility and dopamine time constants and the reward delays by this, and multiply the background rate and the learning rate by it: as many rewards in a fraction of the time.")
        var speedUp: Int = 1

        @Option(help: "Write every weight sample (seed, condition, second, chosen mV, others mV, rewards) to this CSV file.")
        var csv: String?

        @Flag(help: "Print the rewarded run's network file for --seed and exit.")
        var printNetwork = false

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        func validate() throws {
            guard (1 ... 1000).contains(seeds) else { throw ValidationError("--seeds \(seeds) is out of range 1…1000") }
            guard (1 ... 100_000).contains(seconds) else { throw ValidationError("--seconds \(seconds) is out of range 1…100000") }
            guard excitatory >= 2, inhibitory >= 1, excitatory + inhibitory <= 65536 else {
                throw ValidationError("--excitatory \(excitatory) / --inhibitory \(inhibitory): expected at least 2 and 1, at most 65536 neurons in all")
            }
            guard (1 ... excitatory + inhibitory - 1).contains(outdegree), outdegree <= excitatory else {
                throw ValidationError("--outdegree \(outdegree) is out of range 1…\(min(excitatory, excitatory + inhibitory - 1))")
            }
            guard (1 ... 100).contains(speedUp) else { throw ValidationError("--speed-up \(speedUp) is out of range 1…100") }
            guard backgroundHz > 0, backgroundHz <= 1000 else { throw ValidationError("--background-hz \(backgroundHz) is out of range (0, 1000]") }
            guard backgroundWeight > 0, backgroundWeight <= 100 else { throw ValidationError("--background-weight \(backgroundWeight) is out of range (0, 100] mV") }
            guard inhibitoryWeight >= 0, inhibitoryWeight <= 100 else { throw ValidationError("--inhibitory-weight \(inhibitoryWeight) is out of range [0, 100] mV") }
        }

        func experiment(_ seed: UInt64) -> DistalRewardExperiment {
            var e = DistalRewardExperiment()
            e.seed = seed
            e.seconds = seconds
            e.excitatory = excitatory
            e.inhibitory = inhibitory
            e.outdegree = outdegree
            e.backgroundHz = backgroundHz
            e.backgroundWeight = backgroundWeight
            e.learningRate = learningRate
            e.aMinus = aMinus
            e.inhibitoryWeight = inhibitoryWeight
            e.eligibilityTau /= speedUp
            e.dopamineTau /= speedUp
            e.rewardDelay = e.rewardDelay.lowerBound / speedUp ... e.rewardDelay.upperBound / speedUp
            e.backgroundHz *= Double(speedUp)
            e.learningRate *= Double(speedUp)
            e.sampleSeconds = max(1, min(60, seconds / 20))
            return e
        }

        func run() throws {
            if printNetwork {
                print(experiment(seed).networkText(), terminator: "")
                return
            }
            var results: [DistalRewardExperiment.Result] = []
            for k in 0 ..< seeds {
                let s = seed &+ UInt64(k)
                let result = try experiment(s).run { condition, second in
                    if !json, second % max(1, seconds / 10) == 0 {
                        FileHandle.standardError.write(Data("seed \(s) \(condition.rawValue): \(second) / \(seconds) s\n".utf8))
                    }
                }
                results.append(result)
            }
            if let csv {
                var lines = ["seed,condition,second,chosen_mv,others_mv,rewards"]
                for r in results {
                    for o in [r.rewarded, r.control] {
                        for x in o.samples { lines.append("\(r.seed),\(o.condition.rawValue),\(x.second),\(x.chosen),\(x.others),\(x.rewards)") }
                    }
                }
                try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: csv), options: .atomic)
            }
            if json {
                print(try JSONOutput.string(results, snakeCase: true))
                return
            }
            let w = experiment(seed)
            print("=== distal reward: \(excitatory + inhibitory) neurons, \(seconds) s, chosen synapse 1 -> at most \(w.maxWeight) mV ===")
            print("seed  run       pulses  chosen mV  others mV  pruned  others at max  rate Hz   peak mV (at s)  reached  at end")
            func row(_ seed: UInt64, _ o: DistalRewardExperiment.Outcome) -> String {
                func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
                let rate = o.spikesPerSecond / Double(excitatory + inhibitory)
                return pad("\(seed)", 4) + "  " + o.condition.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
                    + pad("\(o.rewards)", 8) + pad(String(format: "%.3f", o.chosen), 11) + pad(String(format: "%.3f", o.others), 11)
                    + pad("\(o.pruned)", 8) + pad(String(format: "%.2f %%", 100 * o.othersAtMaximum), 15) + pad(String(format: "%.2f", rate), 9)
                    + pad(String(format: "%.3f", o.peak) + " (\(o.peakSecond))", 17) + pad(o.reachedMaximum ? "yes" : "no", 9)
                    + pad(o.meetsCriterion ? "yes" : "no", 8)
            }
            for r in results {
                print(row(r.seed, r.rewarded))
                print(row(r.seed, r.control))
            }
            let n = results.count
            let reached = results.filter(\.rewarded.reachedMaximum).count, controlReached = results.filter(\.control.reachedMaximum).count
            let met = results.filter(\.rewarded.meetsCriterion).count, controlMet = results.filter(\.control.meetsCriterion).count
            print("chosen synapse reached the maximum (others below a quarter): rewarded \(reached) of \(n), control \(controlReached) of \(n)")
            print("at the maximum at the end: rewarded \(met) of \(n), control \(controlMet) of \(n)")
        }
    }

    struct Instrumental: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Izhikevich's (2007) instrumental conditioning, rewarded beside its control, over several seeds.",
            discussion: """
            The distal-reward network (1000 neurons, 1 ms ticks) with a background of small events \
            (1000 Hz × 0.5 mV per neuron) that keeps membranes below threshold. Once a second a \
            stimulus kicks group S = E[0, 50); when group A = E[50, 100) fires more spikes than group \
            B = E[100, 150) within 20 ms after it, a dopamine pulse follows 0.5 s after that window \
            (and a dip when B fires more). The control run gets as many pulses and dips at random \
            times; --reversed rewards B over A. The figures are A's and B's spikes in the 20 ms \
            after S over the first and the last tenth of the trials, and the mean weights of the \
            S → A and S → B synapses at the end; the criterion is the rewarded group's response \
            over the last tenth at least 1.3 times the other's. `--print-network` prints the \
            rewarded run's network file (its stimulus file holds rows 0,0 … 0,49).
            """
        )

        @Option(help: "First seed.")
        var seed: UInt64 = 1
        @Option(help: "Seeds to run (seed, seed + 1, …).")
        var seeds: Int = 5
        @Option(help: "Simulated seconds per run.")
        var seconds: Int = 3600
        @Option(help: "Excitatory neurons (at least 150: S, A and B are 50 each).")
        var excitatory: Int = 800
        @Option(help: "Inhibitory neurons.")
        var inhibitory: Int = 200
        @Option(help: "Synapses per neuron.")
        var outdegree: Int = 100
        @Option(help: "Background events per neuron per second (Poisson).")
        var backgroundHz: Double = InstrumentalExperiment().network.backgroundHz
        @Option(help: "PSP of each background event, mV.")
        var backgroundWeight: Double = InstrumentalExperiment().network.backgroundWeight
        @Option(help: "Learning rate of the excitatory synapses, mV/s per unit eligibility per unit dopamine.")
        var learningRate: Double = InstrumentalExperiment().network.learningRate
        @Option(help: "Depression amplitude of the STDP window (potentiation is 1).")
        var aMinus: Double = InstrumentalExperiment().network.aMinus
        @Option(help: "Magnitude of the inhibitory weights, mV.")
        var inhibitoryWeight: Double = InstrumentalExperiment().network.inhibitoryWeight
        @Flag(help: "No dopamine dip when the other group fires more (only the reward pulses, as in the paper).")
        var noDip = false
        @Flag(help: "Only the synapses from S plastic, the rest of the network static (default: every excitatory synapse, as in the paper).")
        var plasticStimulusOnly = false
        @Flag(help: "Train each seed's network both ways (A rewarded, then B rewarded, each with its control) and report the contingency index: log2 of the final A:B ratio after A-training over that after B-training.")
        var both = false
        @Flag(help: "Reward B firing more than A instead.")
        var reversed = false
        @Flag(help: "Print the rewarded run's network file for --seed and exit.")
        var printNetwork = false
        @Flag(help: "Print JSON instead of the table.")
        var json = false

        func validate() throws {
            guard (1 ... 1000).contains(seeds) else { throw ValidationError("--seeds \(seeds) is out of range 1…1000") }
            guard (10 ... 100_000).contains(seconds) else { throw ValidationError("--seconds \(seconds) is out of range 10…100000") }
            guard excitatory >= 150, inhibitory >= 1, excitatory + inhibitory <= 65536 else {
                throw ValidationError("--excitatory \(excitatory) / --inhibitory \(inhibitory): expected at least 150 and 1, at most 65536 neurons in all")
            }
            guard (1 ... excitatory).contains(outdegree) else { throw ValidationError("--outdegree \(outdegree) is out of range 1…\(excitatory)") }
            guard inhibitoryWeight >= 0, inhibitoryWeight <= 100 else { throw ValidationError("--inhibitory-weight \(inhibitoryWeight) is out of range [0, 100] mV") }
        }

        func experiment(_ seed: UInt64) -> InstrumentalExperiment {
            var e = InstrumentalExperiment()
            e.seed = seed
            e.seconds = seconds
            e.network.excitatory = excitatory
            e.network.inhibitory = inhibitory
            e.network.outdegree = outdegree
            e.reversed = reversed
            e.network.backgroundHz = backgroundHz
            e.network.backgroundWeight = backgroundWeight
            e.network.learningRate = learningRate
            e.network.aMinus = aMinus
            e.network.inhibitoryWeight = inhibitoryWeight
            if noDip { e.dopamineLost = nil }
            e.plasticStimulusOnly = plasticStimulusOnly
            return e
        }

        func run() throws {
            if printNetwork {
                print(experiment(seed).networkText(stimulus: "instrumental-stimulus.csv"), terminator: "")
                return
            }
            if both { return try runBoth() }
            var results: [InstrumentalExperiment.Result] = []
            for k in 0 ..< seeds {
                let s = seed &+ UInt64(k)
                results.append(try experiment(s).run { progress(s, $0.rawValue, $1) })
            }
            if json {
                print(try JSONOutput.string(results, snakeCase: true))
                return
            }
            print("=== instrumental conditioning: \(excitatory + inhibitory) neurons, \(seconds) s, rewarded group \(reversed ? "B" : "A") ===")
            print("seed  run       pulses/dips  A first  B first  A last  B last  S->A mV  S->B mV  meets criterion")
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
            for r in results {
                for o in [r.rewarded, r.control] {
                    print(pad("\(r.seed)", 4) + "  " + o.condition.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0) + pad("\(o.rewards)/\(o.dips)", 13)
                          + [o.firstA, o.firstB, o.lastA, o.lastB].map { pad(String(format: "%.2f", $0), 8) }.joined()
                          + [o.weightSA, o.weightSB].map { pad(String(format: "%.3f", $0), 9) }.joined()
                          + "  " + (o.meetsCriterion ? "yes" : "no"))
                }
            }
            print("rewarded runs meeting the criterion: \(results.filter(\.rewarded.meetsCriterion).count) of \(results.count); control runs: \(results.filter(\.control.meetsCriterion).count) of \(results.count)")
        }

        /// A progress line on standard error about every tenth of a run (whole minutes).
        func progress(_ seed: UInt64, _ run: String, _ second: Int) {
            if !json, second % max(60, seconds / 10 / 60 * 60) == 0 {
                FileHandle.standardError.write(Data("seed \(seed) \(run): \(second) / \(seconds) s\n".utf8))
            }
        }

        /// `--both`: each seed trained A-rewarded and B-rewarded, with the contingency index.
        func runBoth() throws {
            var results: [InstrumentalExperiment.Paired] = []
            for k in 0 ..< seeds {
                let s = seed &+ UInt64(k)
                results.append(try experiment(s).runPaired { progress(s, $0, $1) })
            }
            if json {
                print(try JSONOutput.string(results, snakeCase: true))
                return
            }
            print("=== instrumental conditioning both ways: \(excitatory + inhibitory) neurons, \(seconds) s per run ===")
            print("responses: spikes of A and B in the window after S, last tenth of the trials; index: log2 of A:B after A-training over A:B after B-training")
            print("seed  A-trained A:B  B-trained A:B  index  control A:B (two runs)  control index  meets  control meets")
            func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
            func pair(_ o: InstrumentalExperiment.Outcome) -> String { String(format: "%.2f:%.2f", o.lastA, o.lastB) }
            for r in results {
                print(pad("\(r.seed)", 4) + pad(pair(r.rewardA.rewarded), 15) + pad(pair(r.rewardB.rewarded), 15)
                      + pad(String(format: "%.2f", r.contingency), 7)
                      + pad(pair(r.rewardA.control) + " " + pair(r.rewardB.control), 24) + pad(String(format: "%.2f", r.controlContingency), 15)
                      + pad(r.meetsCriterion ? "yes" : "no", 7) + pad(r.controlMeetsCriterion ? "yes" : "no", 15))
            }
            print(String(format: "criterion: index at least %.2f (3 times) with the rewarded group ahead both ways: rewarded %d of %d, controls %d of %d",
                         InstrumentalExperiment.contingencyCriterion, results.filter(\.meetsCriterion).count, results.count,
                         results.filter(\.controlMeetsCriterion).count, results.count))
        }
    }
}
