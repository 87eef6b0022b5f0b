import Foundation
import NeuroModel
import NeuroPool
import NeuroNetwork

/// The distal reward experiment of Izhikevich (2007, Cerebral Cortex 17:2443, "Solving the
/// distal reward problem through linkage of STDP and dopamine signaling") on integrate-and-fire
/// neurons, beside its control.
///
/// A pool of excitatory and inhibitory neurons (800 / 200 in the paper), each with `outdegree`
/// synapses, fires at about 1 Hz from random background events. One E→E synapse (E[0] → E[1],
/// its own projection) is chosen: each time E[1] fires within 10 ms after E[0], a dopamine pulse
/// follows after a random 1–3 s (a `[[reward]] kind = "pairing"`). The **control** run gets
/// the same number of pulses at random times. Credit assignment means the chosen synapse grows
/// to the maximum weight while the other excitatory weights stay low — and does not in the
/// control. One tick is 1 ms.
public struct DistalRewardExperiment: Sendable {
    public var seed: UInt64 = 1
    /// Simulated seconds per run.
    public var seconds = 3600
    public var excitatory = 800
    public var inhibitory = 200
    public var outdegree = 100
    /// Background events per neuron per second, and the PSP of each, mV. By default 14 mV at
    /// 8 Hz: one event does not fire a neuron from rest (threshold 20 mV), two within about
    /// 17 ms do, so neurons fire at about 1 Hz as in the paper, and whether a 4 mV synapse's
    /// target fires soon after its source depends on that synapse's weight. (A kick that fires
    /// from rest on its own, 25 mV at 1 Hz, leaves the weight no such influence.)
    public var backgroundHz = 8.0
    public var backgroundWeight = 14.0
    /// Learning rate of the excitatory synapses, mV/s per unit eligibility per unit dopamine.
    public var learningRate = 7.0
    /// Depression amplitude of the STDP window (potentiation is 1): the paper's 1.5.
    public var aMinus = 1.5
    /// Initial and largest excitatory weight, mV.
    public var initialWeight = 1.0
    public var maxWeight = 4.0
    /// Magnitude of the (static) inhibitory weights, mV. At 2 mV the inhibitory neurons hold
    /// the network near 1 Hz without population bursts; at the paper's 1 mV this background
    /// sets off a burst every few hundred milliseconds (4.3 Hz without plasticity).
    public var inhibitoryWeight = 2.0
    /// Dopamine level of a reward broadcast (128 is baseline).
    public var dopamine = 192
    /// Seconds between samples of the weights.
    public var sampleSeconds = 60
    /// Extra kicks of the chosen synapse's post-synaptic neuron E[1], every this many ms (a
    /// repeating spike train): more causal pairings. Nil in the paper's experiment.
    public var pacedPostMilliseconds: Int? = nil
    /// The eligibility and dopamine time constants and the reward delays, ms (the paper's:
    /// 1 s, 0.2 s, 1–3 s). A reduced run shortens them together with a faster background and
    /// a larger learning rate, so it sees as many rewards, each as far behind its pairing in
    /// eligibility time constants, in a tenth of the time.
    public var eligibilityTau = 1000
    public var dopamineTau = 200
    public var rewardDelay = 1000 ... 3000
    /// Only the synapses from these excitatory neurons are plastic (nil: all of E's, as in the
    /// paper).
    public var plasticFrom: Range<Int>? = nil

    public init() {}

    /// Which run.
    public enum Condition: String, Sendable, Codable {
        /// A pulse 1–3 s after each causal pairing of the chosen synapse.
        case rewarded
        /// As many pulses, at times drawn uniformly over the run.
        case control
    }

    /// The weights at one time.
    public struct Sample: Sendable, Codable, Equatable {
        public var second: Int
        /// The chosen synapse's weight, mV.
        public var chosen: Double
        /// The mean weight of every other excitatory synapse, mV; a synapse pruned after its
        /// weight reached 0 counts as 0 mV.
        public var others: Double
        /// Reward pulses so far.
        public var rewards: Int
    }

    /// One run's result.
    public struct Outcome: Sendable, Codable, Equatable {
        public var condition: Condition
        public var rewards: Int
        public var samples: [Sample]
        /// The chosen synapse at the end, mV, and the mean of the others.
        public var chosen: Double
        public var others: Double
        /// Other excitatory synapses pruned by the end (weight 0, dead).
        public var pruned: Int
        /// The fraction of the other excitatory synapses (pruned ones included) within 5 % of
        /// the maximum at the end: how exceptional the chosen synapse is when it is there.
        public var othersAtMaximum: Double
        /// Whether the run meets the paper's result at the end of the run: the chosen synapse at
        /// the maximum weight (within 5 %) and the mean of the others below a quarter of it.
        public var meetsCriterion: Bool
        /// The chosen synapse's largest sampled weight, mV, and when (s).
        public var peak: Double
        public var peakSecond: Int
        /// Whether the chosen synapse reached the maximum (within 5 %) at some sample while the
        /// others' mean was below a quarter of it: the result read as "reaches within the hour".
        public var reachedMaximum: Bool
        public var spikesPerSecond: Double
    }

    /// Both runs of one seed.
    public struct Result: Sendable, Codable, Equatable {
        public var seed: UInt64
        public var rewarded: Outcome
        public var control: Outcome
    }

    /// The network file of the rewarded run (`control` nil) or of the control run with pulses
    /// at `control` ticks.
    public func networkText(control: [UInt64]? = nil, pacedPostFile: String = "paced-post.csv") -> String {
        let n = excitatory + inhibitory
        var text = """
        # Distal reward (Izhikevich 2007, "Solving the distal reward problem through linkage of
        # STDP and dopamine signaling", Cerebral Cortex 17:2443) with integrate-and-fire neurons:
        # \(n) neurons (\(excitatory) E / \(inhibitory) I), \(outdegree) synapses each, random background activity.
        # One E→E synapse (E[0] → E[1], projection 2) is chosen: each time E[1] fires within
        # 10 ms after E[0], a dopamine pulse follows 1–3 s later. STDP marks the synapses that
        # took part in causing activity; only the chosen one is marked before every reward.
        # `neurobus demo distal-reward` runs this beside its control (the same number of pulses
        # at random times) for several seeds. Keys: docs/NETWORK-FORMAT.md (format 2).

        [network]
        name = "distal-reward"
        format = 2
        seed = \(seed)
        tick_us = 1000          # 1 ms, as the paper

        [controller]
        control = "tcp://127.0.0.1:27300"
        publish = "tcp://127.0.0.1:27301"

        \(corticalNetwork)
        # The chosen synapse E[0] → E[1], with the same learning rule.
        [[projection]]
        from = "cortex.E"
        from_neurons = [0, 1]
        to = "cortex.E"
        to_neurons = [1, 2]
        rule = "one_to_one"
        weight = \(initialWeight)
        delay = 1.0
        synapse = "stdp"
        a_minus = \(aMinus)
        tau_elig = \(eligibilityTau).0
        learning_rate = \(learningRate)
        w_max = \(maxWeight)

        """
        if let paced = pacedPostMilliseconds {
            text += """

            # E[1], the chosen synapse's post-synaptic neuron, is also kicked every \(paced) ms.
            [[generator]]
            kind = "spike_train"
            to = "cortex.E"
            file = "\(pacedPostFile)"
            period = \(paced).0
            weight = 25.0

            """
        }
        if let control {
            text += "\n# Control: the rewarded run's number of pulses, at random ticks.\n"
            for tick in control { text += "[[modulation]]\nat = \(tick)\ndopamine = \(dopamine)\n" }
        } else {
            text += """

            [[reward]]
            kind = "pairing"
            pool = "cortex"
            pre = 0
            post = 1
            window = 10             # ms: E[1] within 10 ms after E[0]
            delay = [\(rewardDelay.lowerBound), \(rewardDelay.upperBound)]    # ms: the pulse comes \(rewardDelay.lowerBound)–\(rewardDelay.upperBound) ms later
            dopamine = \(dopamine)          # a pulse of \(dopamine - 128) levels

            """
        }
        return text
    }


    /// The pool, its two projections (E → all, plastic; I → E, static) and the background
    /// drive, shared with `InstrumentalExperiment`.
    var corticalNetwork: String {
        """
        [[pool]]
        name = "cortex"
        endpoint = "tcp://127.0.0.1:27310"
        stdp = true
        tau_dopamine = \(dopamineTau).0    # ms: a reward is a pulse that decays with \(dopamineTau) ms

          [[pool.population]]
          name = "E"
          size = \(excitatory)
          kind = "excitatory"
          tau_m = 20.0
          v_threshold = 20.0
          v_reset = 10.0
          t_ref = 2.0
          v_init = { uniform = [0.0, 10.0] }

          [[pool.population]]
          name = "I"
          size = \(inhibitory)
          kind = "inhibitory"
          tau_m = 10.0
          v_threshold = 20.0
          v_reset = 10.0
          t_ref = 1.0
          v_init = { uniform = [0.0, 10.0] }

        \(excitatoryProjections)synapse = "stdp"
        a_minus = \(aMinus)          # \(aMinus == 1.5 ? "the paper's window: A- = 1.5 A+" : "A- = \(aMinus) A+ (the paper's: 1.5)"), tau = 20 ms
        tau_elig = \(eligibilityTau).0       # ms, the paper's eligibility time constant: 1 s
        learning_rate = \(learningRate)     # mV/s per unit eligibility per unit dopamine
        w_max = \(maxWeight)             # mV

        \(staticExcitatoryProjection)# Inhibitory neurons: \(outdegree) static synapses each onto excitatory ones, 1 ms.
        [[projection]]
        from = "cortex.I"
        to = "cortex.E"
        rule = "fixed_outdegree"
        outdegree = \(outdegree)
        weight = -\(inhibitoryWeight)
        delay = 1.0

        # Background: each neuron gets Poisson events of \(backgroundWeight) mV at \(backgroundHz) Hz\(backgroundNote).
        [[generator]]
        kind = "poisson"
        to = "cortex"
        rate_hz = \(backgroundHz)
        weight = \(backgroundWeight)

        """
    }

    /// The excitatory projection(s) up to the plastic one's `synapse` key: all of E plastic,
    /// or only `plasticFrom` (then first, so it is projection 0) with the rest of E static.
    var excitatoryProjections: String {
        guard let plastic = plasticFrom else {
            return "# Excitatory neurons: \(outdegree) plastic synapses each onto any other neuron, delays 1–20 ms.\n" + excitatoryDraw(from: nil)
        }
        return "# Excitatory neurons E[\(plastic.lowerBound), \(plastic.upperBound)): \(outdegree) plastic synapses each onto any other neuron, delays 1–20 ms.\n"
            + excitatoryDraw(from: plastic)
    }

    /// The static rest of E when only `plasticFrom` is plastic (empty otherwise).
    var staticExcitatoryProjection: String {
        guard let plastic = plasticFrom else { return "" }
        return "# E[\(plastic.upperBound), \(excitatory)): the same synapses, static.\n" + excitatoryDraw(from: plastic.upperBound ..< excitatory) + "\n"
    }

    /// One `[[projection]]` of E's synapses (from `neurons` of E, or all of it) up to its
    /// learning keys: the rule, weight and delays every excitatory synapse is drawn with.
    func excitatoryDraw(from neurons: Range<Int>?) -> String {
        "[[projection]]\nfrom = \"cortex.E\"\n" + (neurons.map { "from_neurons = [\($0.lowerBound), \($0.upperBound)]\n" } ?? "")
            + "to = \"cortex\"\nrule = \"fixed_outdegree\"\noutdegree = \(outdegree)\nallow_autapses = false\n"
            + "weight = \(initialWeight)            # mV\ndelay = { uniform = [0.5, 20.49] }\n"
    }

    /// What one background event does to a neuron at rest (threshold 20 mV), for the comment.
    var backgroundNote: String {
        if backgroundWeight >= 20 { return " (each fires it from rest)" }
        if backgroundWeight >= 10 { return " (one alone does not fire it from rest; two close together do)" }
        return ""
    }

    /// Runs the rewarded run, then the control with as many pulses at ticks drawn from a
    /// generator seeded from `seed`. `progress` gets (condition, seconds done).
    public func run(progress: ((Condition, Int) -> Void)? = nil) throws(NodeError) -> Result {
        var file = "paced-post.csv"
        var folder: URL?
        if pacedPostMilliseconds != nil {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("neurobus-distal-\(getpid())-\(seed)")
            do {
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                try Data("0,1\n".utf8).write(to: dir.appendingPathComponent(file))
            } catch { throw .failed("cannot write the paced spike train in \(dir.path): \(error)") }
            file = dir.appendingPathComponent(file).path
            folder = dir
        }
        defer { if let folder { try? FileManager.default.removeItem(at: folder) } }
        let rewarded = try runOne(text: networkText(pacedPostFile: file), condition: .rewarded, progress: progress)
        var random = PoolRandom(seed: seed ^ 0x434F_4E54_524F_4C)
        let ticks = UInt64(seconds) * 1000
        let pulses = (0 ..< rewarded.rewards).map { _ in random.uniform(below: ticks) }.sorted()
        var control = try runOne(text: networkText(control: pulses, pacedPostFile: file), condition: .control, progress: progress)
        control.rewards = pulses.count
        for k in control.samples.indices {
            control.samples[k].rewards = pulses.filter { $0 < UInt64(control.samples[k].second) * 1000 }.count
        }
        return Result(seed: seed, rewarded: rewarded, control: control)
    }

    private func runOne(text: String, condition: Condition, progress: ((Condition, Int) -> Void)?) throws(NodeError) -> Outcome {
        let network: NetworkDescription
        do { network = try NetworkDescription.parse(Array(text.utf8), file: "<distal-reward>") } catch { throw .failed("\(error)") }
        var samples: [Sample] = []
        var rewards = 0
        var spikes: UInt64 = 0
        var pruned = 0
        var atMaximum = 0.0
        let every = UInt64(sampleSeconds) * 1000
        _ = try LocalRun.run(network: network, ticks: UInt64(seconds) * 1000, out: nil, progressEvery: every, observe: { tick, pools, count in
            let (chosen, others, gone, top) = Self.weights(pools[0].pool, synapses: excitatory * outdegree, near: 0.95 * maxWeight)
            pruned = gone
            atMaximum = top
            rewards = count.count
            spikes = pools[0].pool.totalSpikes
            samples.append(Sample(second: Int(tick / 1000), chosen: chosen, others: others, rewards: count.count))
            progress?(condition, Int(tick / 1000))
        })
        let last = samples.last ?? Sample(second: 0, chosen: initialWeight, others: initialWeight, rewards: 0)
        let meets = last.chosen >= 0.95 * maxWeight && last.others < maxWeight / 4
        let top = samples.max { $0.chosen < $1.chosen } ?? last
        let reached = samples.contains { $0.chosen >= 0.95 * maxWeight && $0.others < maxWeight / 4 }
        return Outcome(condition: condition, rewards: rewards, samples: samples, chosen: last.chosen, others: last.others, pruned: pruned,
                       othersAtMaximum: atMaximum,
                       meetsCriterion: meets, peak: top.chosen, peakSecond: top.second, reachedMaximum: reached,
                       spikesPerSecond: Double(spikes) / Double(max(seconds, 1)))
    }

    /// The chosen synapse's weight (projection 2) and the mean of the other excitatory
    /// synapses (projection 0, built with `synapses`), mV, with those pruned counted at 0 mV
    /// (the paper's weights stop at 0 and stay); how many were pruned; and the fraction of
    /// the `synapses` at `near` mV or more.
    static func weights(_ pool: NeuronPool, synapses: Int, near: Double) -> (chosen: Double, others: Double, pruned: Int, atMaximum: Double) {
        func millivolts(_ s: Synapse) -> Double {
            Double(s.fineMagnitude) * Double(1 << s.shift) / Double(PopulationTable.unitsPerMillivolt) / 256
        }
        let chosen = pool.afferents[2].synapses.first.map(millivolts) ?? 0
        let all = pool.afferents[0].synapses
        let others = synapses == 0 ? 0 : all.reduce(0.0) { $0 + millivolts($1) } / Double(synapses)
        let top = all.reduce(0) { $0 + (millivolts($1) >= near ? 1 : 0) }
        return (chosen, others, max(synapses - all.count, 0), synapses == 0 ? 0 : Double(top) / Double(synapses))
    }
}
