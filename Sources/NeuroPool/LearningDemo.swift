/// The neuropool design's learning demo: a 32-neuron pool at 50 % density is shown a stimulus
/// on its input neurons (0..<8) for 40 ticks per epoch and given dopamine whenever its output
/// neurons (24..<32) fire. STDP marks the synapses that carried activity, dopamine reinforces
/// or weakens them by the sign of their eligibility, weakened HOT synapses die and are pruned
/// every 10 epochs, and much-reinforced synapses mature to COLD.
public struct LearningDemo: Sendable {
    public var neurons = 32
    public var density = 0.5
    public var seed: UInt64 = 42
    public var epochs = 200
    public var ticksPerPresentation = 40
    public var inputs = 0 ..< 8
    public var outputs = 24 ..< 32
    /// Stimulus current on the input neurons, Q8.8 mV per tick (≈ 39 mV: fires them whenever
    /// they are not refractory).
    public var stimulus: Int16 = 10000
    /// Chance per tick that an input neuron receives the stimulus, in 1/256ths. The stimulus
    /// is a seeded Poisson train rather than a constant so that input spikes are not periodic:
    /// with periodic firing every pairing is both causal and anti-causal and STDP cannot tell
    /// the pathway from chance.
    public var stimulusChance: Int = 64
    public var dopamine: UInt8 = 135
    public var cortisol: UInt8 = 30
    public var acetylcholine: UInt8 = 100
    public var pruneEvery = 10
    /// Unrewarded presentations before the baseline, so homeostasis has settled the
    /// thresholds and baseline and final are both measured at equilibrium.
    public var warmupPresentations = 100
    /// Presentations averaged for the baseline and for the final response.
    public var measurePresentations = 50

    public init() {}

    /// The demo's pool configuration (the design's: stronger potentiation than depression,
    /// trace retention 240/256, short delays, homeostasis on).
    public var config: PoolConfig {
        var c = PoolConfig()
        c.seed = seed
        c.stdpPotentiation = 30
        c.stdpDepression = 40
        c.traceDecay = 200
        c.homeostasisStep = 2
        c.maxSynapsesPerNeuron = 32
        c.maxDelay = 3
        return c
    }

    /// What the demo measured.
    public struct Result: Sendable, Codable, Equatable {
        public var neurons: Int
        public var synapsesBefore: Int
        public var synapsesAfter: Int
        public var prunedPercent: Double
        public var thermalBefore: ThermalDistribution
        public var thermalAfter: ThermalDistribution
        public var meanWeightBefore: Double
        public var meanWeightAfter: Double
        public var ticksPerPresentation: Int
        /// Output spikes per presentation, mean of `measurePresentations` after the warm-up.
        public var baselineSpikes: Double
        /// Output spikes per presentation, mean of `measurePresentations` after learning.
        public var finalSpikes: Double
        /// Relative change of the final response against the baseline, in percent.
        public var activityChangePercent: Double
        public var epochs: Int
        public var reinforced: Int
        public var weakened: Int
        public var msPerEpoch: Double
    }

    /// Runs the demo; `progress` is called after each epoch with (epoch, output spikes, pool).
    /// Takes well under a second (≈ 0.02 ms per epoch in a release build).
    public func run(progress: ((Int, Int, NeuronPool) -> Void)? = nil) throws(PoolError) -> Result {
        try runWith({ _ in }, progress: progress)
    }

    /// Runs the demo with `tweak` applied to `config` first, for exploring how the result
    /// depends on a parameter.
    public func runWith(_ tweak: (inout PoolConfig) -> Void, progress: ((Int, Int, NeuronPool) -> Void)? = nil) throws(PoolError) -> Result {
        var cfg = config
        tweak(&cfg)
        var pool = try NeuronPool.withRandomConnectivity(name: "demo", neurons: neurons, density: density, config: cfg)
        let before = pool.stats()
        var input = [Int16](repeating: 0, count: neurons)
        // The stimulus has its own generator, seeded from the demo's seed, so it does not
        // disturb the pool's.
        var stimulusRandom = PoolRandom(seed: seed ^ 0x5354_494D_554C_5553)
        let chance = UInt64(stimulusChance) << 24

        func present(_ pool: inout NeuronPool) throws(PoolError) -> Int {
            pool.resetMembranes()
            var out = 0
            for _ in 0 ..< ticksPerPresentation {
                for i in inputs { input[i] = stimulusRandom.chance(chance) ? stimulus : 0 }
                try pool.tick(input: input)
                out += pool.spikeCount(in: outputs)
            }
            return out
        }

        func measure(_ pool: inout NeuronPool) throws(PoolError) -> Double {
            var total = 0
            for _ in 0 ..< measurePresentations { total += try present(&pool) }
            return Double(total) / Double(max(measurePresentations, 1))
        }

        for _ in 0 ..< warmupPresentations { _ = try present(&pool) }
        let baseline = try measure(&pool)
        var reinforced = 0
        var weakened = 0
        let clock = ContinuousClock()
        let start = clock.now
        for epoch in 0 ..< epochs {
            let out = try present(&pool)
            if out > 0 {
                pool.receiveModulators(dopamine: dopamine, cortisol: cortisol, acetylcholine: nil)
            }
            pool.synaptogenesis(acetylcholine: acetylcholine)
            if epoch % pruneEvery == pruneEvery - 1 { pool.pruneDead() }
            progress?(epoch, out, pool)
        }
        let elapsed = clock.now - start
        let after = pool.stats()
        let final = try measure(&pool)
        let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        return Result(
            neurons: neurons, synapsesBefore: before.synapses, synapsesAfter: after.synapses,
            prunedPercent: before.synapses == 0 ? 0 : 100 * Double(before.synapses - after.synapses) / Double(before.synapses),
            thermalBefore: before.thermal, thermalAfter: after.thermal,
            meanWeightBefore: before.meanWeightMagnitude, meanWeightAfter: after.meanWeightMagnitude,
            ticksPerPresentation: ticksPerPresentation, baselineSpikes: baseline, finalSpikes: final,
            activityChangePercent: baseline == 0 ? 0 : 100 * (final - baseline) / baseline,
            epochs: epochs, reinforced: reinforced, weakened: weakened, msPerEpoch: ms / Double(max(epochs, 1)))
    }
}

extension LearningDemo.Result: CustomStringConvertible {
    public var description: String {
        func f(_ x: Double) -> String { "\((x * 100).rounded() / 100)" }
        return """
        Pool: \(neurons) neurons, \(synapsesBefore) synapses (\(Int((100 * Double(synapsesBefore) / Double(neurons * neurons)).rounded()))% density)
        Structure:
          Synapses: \(synapsesBefore) -> \(synapsesAfter) (\(Int(prunedPercent.rounded()))% pruned)
          Thermal:  \(thermalBefore) -> \(thermalAfter)
          Weights:  |w| \(f(meanWeightBefore)) -> \(f(meanWeightAfter)); \(reinforced) reinforcements, \(weakened) weakenings
        Activity:
          Baseline: \(f(baselineSpikes)) output spikes / \(ticksPerPresentation) ticks
          Final:    \(f(finalSpikes)) output spikes / \(ticksPerPresentation) ticks (\(f(activityChangePercent))%, homeostatic stability)
        Performance: \(f(msPerEpoch)) ms/epoch (\(epochs) epochs)
        """
    }
}
