import Foundation

/// The neuropool design's learning demo on its 32-neuron pool, with controls: the pool sees a
/// seeded Poisson stimulus on its input neurons (0..<8) for 40 ticks per epoch, and two output
/// groups compete — A (24..<28) and B (28..<32). Under **contingent** reward, a dopamine pulse
/// follows every epoch in which A fired more than B. The controls are **random** reward (the
/// same number of pulses, at epochs drawn independently of the response) and **none** (no
/// dopamine). What is measured is A's share of the output, `A / (A + B)`, before and after
/// training, averaged over presentations with plasticity on but no reward.
///
/// Credit assignment shows in the weights: the input → A synapses gain on the input → B ones
/// under contingent reward and not under the controls. Homeostasis (on, as in the design) holds
/// every neuron's rate near its target, so A's share of the output moves little. Every
/// condition starts from the same pool and sees the same stimulus.
public struct LearningDemo: Sendable {
    public var neurons = 32
    public var density = 0.5
    public var seed: UInt64 = 42
    public var epochs = 1000
    public var ticksPerPresentation = 40
    public var inputs = 0 ..< 8
    public var groupA = 24 ..< 28
    public var groupB = 28 ..< 32
    /// Stimulus current on the input neurons, Q8.8 mV per tick (≈ 39 mV: fires them whenever
    /// they are not refractory).
    public var stimulus: Int16 = 10000
    /// Chance per tick that an input neuron receives the stimulus, in 1/256ths. A seeded
    /// Poisson train rather than a constant, so input spikes are not periodic.
    public var stimulusChance: Int = 64
    /// Dopamine level of a reward broadcast (a pulse of `dopamine − 128` levels).
    public var dopamine: UInt8 = 255
    /// Learning gain (`PoolConfig.learningGain`).
    public var learningGain: Int64 = 3000
    /// Eligibility time constant, ticks: about one presentation, so a reward credits the
    /// pairings of the epoch it follows.
    public var eligibilityTau = 40
    /// Weight magnitudes of the pool's excitatory synapses, drawn uniformly (1…127).
    public var excitatoryWeight = 20 ... 60
    /// Time constant of the dopamine pulse, ticks: half a presentation, so a reward acts
    /// before the next epoch's pairings.
    public var dopamineTau = 20
    /// Homeostatic threshold step (0: off).
    public var homeostasisStep = 2
    /// Unrewarded presentations before the baseline, so homeostasis has settled.
    public var warmupPresentations = 100
    /// Presentations averaged for the baseline and for the final response.
    public var measurePresentations = 50

    public init() {}

    /// How reward is given during training.
    public enum Condition: String, Sendable, Codable, CaseIterable {
        /// Dopamine after every epoch in which A fired more than B.
        case contingent
        /// As many pulses as the contingent run gave, at epochs drawn at random.
        case random
        /// No dopamine.
        case none
    }

    /// The demo's pool configuration: the default plasticity rule with `learningGain`,
    /// `eligibilityTau` and `dopamineTau` sized to one presentation, short delays, homeostasis.
    public var config: PoolConfig {
        var c = PoolConfig()
        c.seed = seed
        c.learningGain = learningGain
        c.eligibilityTau = eligibilityTau
        c.homeostasisStep = homeostasisStep
        c.excitatoryWeight = excitatoryWeight
        c.dopamineTau = dopamineTau
        c.maxDelay = 3
        c.acetylcholineGate = 256
        return c
    }

    /// What one condition measured.
    public struct Outcome: Sendable, Codable, Equatable {
        public var condition: Condition
        public var rewards: Int
        /// A's share of the output spikes before and after training.
        public var shareBefore: Double
        public var shareAfter: Double
        /// Output spikes of A and B per presentation after training.
        public var spikesA: Double
        public var spikesB: Double
        /// Mean weight magnitude (with fraction, weight units) of the synapses from the input
        /// neurons onto A and onto B, before and after training.
        public var pathwayABefore: Double, pathwayBBefore: Double
        public var pathwayAAfter: Double, pathwayBAfter: Double
        public var synapsesAfter: Int
        public var thermalAfter: ThermalDistribution
    }

    /// The three conditions of one seed.
    public struct Result: Sendable, Codable, Equatable {
        public var seed: UInt64
        public var neurons: Int
        public var synapses: Int
        public var epochs: Int
        public var outcomes: [Outcome]

        /// The outcome of `condition`.
        public func outcome(_ condition: Condition) -> Outcome? { outcomes.first { $0.condition == condition } }
    }

    /// Runs the three conditions. `progress` is called after each training epoch with
    /// (condition, epoch, A spikes, B spikes).
    public func run(progress: ((Condition, Int, Int, Int) -> Void)? = nil) throws(PoolError) -> Result {
        var start = try NeuronPool.withRandomConnectivity(name: "demo", neurons: neurons, density: density, config: config)
        var stimulusRandom = PoolRandom(seed: seed ^ 0x5354_494D_554C_5553)
        for _ in 0 ..< warmupPresentations { _ = try present(&start, &stimulusRandom) }
        let contingent = try train(start, stimulusRandom, .contingent, schedule: nil, progress: progress)
        // The random control pays as often as the contingent run did, at epochs drawn from
        // its own generator.
        var draw = PoolRandom(seed: seed ^ 0x5241_4E44_4F4D)
        var schedule = [Bool](repeating: false, count: epochs)
        var order = Array(0 ..< epochs)
        NeuronPool.shuffle(&order, &draw)
        for k in order.prefix(contingent.rewards) { schedule[k] = true }
        let random = try train(start, stimulusRandom, .random, schedule: schedule, progress: progress)
        let none = try train(start, stimulusRandom, .none, schedule: [Bool](repeating: false, count: epochs), progress: progress)
        return Result(seed: seed, neurons: neurons, synapses: start.synapseCount, epochs: epochs, outcomes: [contingent, random, none])
    }

    /// One presentation: membranes reset, `ticksPerPresentation` ticks of stimulus; returns the
    /// spikes of A and B.
    private func present(_ pool: inout NeuronPool, _ random: inout PoolRandom) throws(PoolError) -> (a: Int, b: Int) {
        pool.resetMembranes()
        var input = [Int16](repeating: 0, count: neurons)
        let chance = UInt64(stimulusChance) << 24
        var a = 0, b = 0
        for _ in 0 ..< ticksPerPresentation {
            for i in inputs { input[i] = random.chance(chance) ? stimulus : 0 }
            try pool.tick(input: input)
            a += pool.spikeCount(in: groupA)
            b += pool.spikeCount(in: groupB)
        }
        return (a, b)
    }

    /// A's share over `measurePresentations` presentations, and the mean spikes of A and B.
    private func measure(_ pool: inout NeuronPool, _ random: inout PoolRandom) throws(PoolError) -> (share: Double, a: Double, b: Double) {
        var a = 0, b = 0
        for _ in 0 ..< measurePresentations {
            let r = try present(&pool, &random)
            a += r.a
            b += r.b
        }
        let n = Double(max(measurePresentations, 1))
        return (a + b == 0 ? 0.5 : Double(a) / Double(a + b), Double(a) / n, Double(b) / n)
    }

    /// Baseline, training under `condition` (contingent when `schedule` is nil), final.
    private func train(_ start: NeuronPool, _ stimulus: PoolRandom, _ condition: Condition, schedule: [Bool]?,
                       progress: ((Condition, Int, Int, Int) -> Void)?) throws(PoolError) -> Outcome {
        var pool = start
        var random = stimulus
        let before = try measure(&pool, &random)
        let pathwaysBefore = pathways(pool)
        var rewards = 0
        for epoch in 0 ..< epochs {
            let (a, b) = try present(&pool, &random)
            if schedule?[epoch] ?? (a > b) {
                pool.receiveModulators(dopamine: dopamine, cortisol: nil, acetylcholine: nil)
                rewards += 1
            }
            progress?(condition, epoch, a, b)
        }
        let after = try measure(&pool, &random)
        let stats = pool.stats()
        let pathwaysAfter = pathways(pool)
        return Outcome(condition: condition, rewards: rewards, shareBefore: before.share, shareAfter: after.share,
                       spikesA: after.a, spikesB: after.b,
                       pathwayABefore: pathwaysBefore.a, pathwayBBefore: pathwaysBefore.b,
                       pathwayAAfter: pathwaysAfter.a, pathwayBAfter: pathwaysAfter.b,
                       synapsesAfter: stats.synapses, thermalAfter: stats.thermal)
    }

    /// Mean weight magnitude of the input → A and input → B synapses (pruned ones count as 0).
    func pathways(_ pool: NeuronPool) -> (a: Double, b: Double) {
        var sum = (a: 0, b: 0), count = (a: 0, b: 0)
        for i in inputs {
            for k in pool.synapses.row(i) {
                let s = pool.synapses.synapses[k]
                if groupA.contains(Int(s.target)) { sum.a += s.fineMagnitude; count.a += 1 }
                if groupB.contains(Int(s.target)) { sum.b += s.fineMagnitude; count.b += 1 }
            }
        }
        return (Double(sum.a) / 256 / Double(max(count.a, 1)), Double(sum.b) / 256 / Double(max(count.b, 1)))
    }
}

extension LearningDemo.Result: CustomStringConvertible {
    public var description: String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        func f(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
        var lines = ["seed \(seed): \(neurons) neurons, \(synapses) synapses, \(epochs) training epochs",
                     "  condition   rewards  A share before  after   change  A / B spikes after  in→A before  after  in→B before  after  synapses"]
        for o in outcomes {
            let change = o.shareAfter - o.shareBefore
            lines.append("  " + o.condition.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + pad("\(o.rewards)", 8)
                         + pad(f(o.shareBefore), 16) + pad(f(o.shareAfter), 7) + pad((change >= 0 ? "+" : "") + f(change), 9)
                         + pad(f(o.spikesA, 2) + " / " + f(o.spikesB, 2), 20)
                         + pad(f(o.pathwayABefore, 2), 13) + pad(f(o.pathwayAAfter, 2), 7) + pad(f(o.pathwayBBefore, 2), 13) + pad(f(o.pathwayBAfter, 2), 7)
                         + pad("\(o.synapsesAfter)", 10))
        }
        return lines.joined(separator: "\n")
    }
}
