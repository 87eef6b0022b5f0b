/// Everything that shapes a pool's construction and dynamics. Saved in `.pool` files, so a
/// loaded pool continues exactly as the saved one would have.
///
/// Units: potentials and currents in Q8.8 mV (256 = 1 mV); rates per mille per tick;
/// modulator levels 0…255 with the baselines below.
public struct PoolConfig: Sendable, Equatable, Codable {
    /// Seed of the pool's generator: same seed, same network, same spikes.
    public var seed: UInt64 = 0
    /// Profile of excitatory neurons.
    public var excitatoryProfile: NeuronProfile = .regularSpiking
    /// Profile of inhibitory neurons.
    public var inhibitoryProfile: NeuronProfile = .fastSpiking
    /// Weight magnitudes of new excitatory synapses, drawn uniformly (1…127).
    public var excitatoryWeight: ClosedRange<Int> = 20 ... 60
    /// Weight magnitudes of new inhibitory synapses, drawn uniformly (1…127).
    public var inhibitoryWeight: ClosedRange<Int> = 20 ... 60
    /// Largest axonal delay drawn for new synapses, 1…8 ticks.
    public var maxDelay: Int = 8
    /// PSP of a synapse is `weight << weightShift` Q8.8 mV (0…7).
    public var weightShift: Int = 4

    /// Whether spikes update STDP eligibility and modulators change weights. Off, the tick
    /// skips all plasticity work.
    public var stdp: Bool = true
    /// Eligibility a pre-before-post pair at Δ = 0 adds (A+), 0…127. With `stdpDepression`
    /// 50 the window is slightly depression-dominated (its integral 1.04 times the
    /// potentiation's, as in Song, Miller & Abbott 2000).
    public var stdpPotentiation: Int = 46
    /// Eligibility a post-before-pre pair removes (A−), 0…127.
    public var stdpDepression: Int = 50
    /// Time constant of the potentiation window, ticks.
    public var stdpTauPlus: Int = 20
    /// Time constant of the depression window, ticks.
    public var stdpTauMinus: Int = 20
    /// Time constant of the eligibility trace, ticks (1 s at 1 ms ticks).
    public var eligibilityTau: Int = 1000
    /// Learning gain (`PlasticityRule.gain`): with the default, a full pair rewarded one
    /// eligibility time constant later by a full dopamine pulse (level 255) moves a weight by
    /// about one unit.
    public var learningGain: Int64 = 12000
    /// Bounds of a plastic weight's magnitude, 1/256 weight units (0…32767).
    public var weightBounds: ClosedRange<Int> = 0 ... 32767
    /// Time constant with which dopamine and cortisol relax to their baselines, ticks.
    public var dopamineTau: Int = 200
    /// Trace value a neuron gets when it fires (1…127); synaptogenesis reads the trace.
    public var traceMax: Int = 127
    /// Trace retention per tick in 1/256ths: `trace = trace * traceDecay >> 8`.
    public var traceDecay: Int = 240

    /// Homeostatic threshold step, Q8.8 mV per tick without a spike; 0 turns homeostasis off.
    /// A spike raises the threshold by `step * (1000 − target) / target`, so the rate settles
    /// where the two balance: `homeostasisTarget` spikes per thousand ticks.
    ///
    /// The threshold is an Int16 like the membrane, so homeostasis regulates any drive whose
    /// steady-state membrane (`drive × 256 / leak`) stays below `thresholdBounds.upperBound`:
    /// up to ≈ 1500 Q8.8 mV per tick (≈ 6 mV) for regular-spiking neurons with the default
    /// bounds. A drive that saturates the membrane at 127.99 mV crosses every representable
    /// threshold; such a neuron fires at its refractory limit with θ pinned at the ceiling.
    public var homeostasisStep: Int = 2
    /// Target firing rate in spikes per thousand ticks (1…999). 50 = 5 % of ticks.
    public var homeostasisTarget: Int = 50
    /// Lowest and highest threshold homeostasis may set, Q8.8 mV.
    public var thresholdBounds: ClosedRange<Int> = 256 ... 32000

    /// Dopamine level a broadcast is measured against: above it a pulse, below it a dip.
    public var dopamineBaseline: Int = 128
    /// Cortisol level above which a broadcast adds a pulse (which acts as negative dopamine).
    public var cortisolBaseline: Int = 30
    /// Acetylcholine level at or above which synaptogenesis runs.
    public var acetylcholineGate: Int = 140
    /// Most outgoing synapses synaptogenesis lets a neuron have.
    public var maxSynapsesPerNeuron: Int = 128
    /// Most synapses one `synaptogenesis` call creates.
    public var maxNewSynapses: Int = 16
    /// Trace above which a neuron counts as recently active for synaptogenesis.
    public var activeTrace: Int = 5

    public init() {}

    /// Checks every field's range; throws `PoolError.invalidConfig` naming the first bad one.
    public func validate() throws(PoolError) {
        func check(_ ok: Bool, _ field: String, _ value: Any, _ expected: String) throws(PoolError) {
            if !ok { throw .invalidConfig(field: field, value: "\(value)", expected: expected) }
        }
        try check(excitatoryWeight.lowerBound >= 1 && excitatoryWeight.upperBound <= 127, "excitatoryWeight", excitatoryWeight, "a range within 1...127")
        try check(inhibitoryWeight.lowerBound >= 1 && inhibitoryWeight.upperBound <= 127, "inhibitoryWeight", inhibitoryWeight, "a range within 1...127")
        try check((1 ... 8).contains(maxDelay), "maxDelay", maxDelay, "1...8")
        try check((0 ... 7).contains(weightShift), "weightShift", weightShift, "0...7")
        try stdpRule.validate()
        try check((1 ... 100_000_000).contains(dopamineTau), "dopamineTau", dopamineTau, "1...100000000 ticks")
        try check((1 ... 127).contains(traceMax), "traceMax", traceMax, "1...127")
        try check((0 ... 255).contains(traceDecay), "traceDecay", traceDecay, "0...255")
        try check((0 ... 255).contains(homeostasisStep), "homeostasisStep", homeostasisStep, "0...255")
        try check((1 ... 999).contains(homeostasisTarget), "homeostasisTarget", homeostasisTarget, "1...999")
        try check(thresholdBounds.lowerBound >= 1 && thresholdBounds.upperBound <= Int(Int16.max), "thresholdBounds", thresholdBounds, "a range within 1...32767")
        try check((0 ... 255).contains(dopamineBaseline), "dopamineBaseline", dopamineBaseline, "0...255")
        try check((0 ... 255).contains(cortisolBaseline), "cortisolBaseline", cortisolBaseline, "0...255")
        try check((0 ... 256).contains(acetylcholineGate), "acetylcholineGate", acetylcholineGate, "0...256 (256 disables synaptogenesis)")
        try check((0 ... 65535).contains(maxSynapsesPerNeuron), "maxSynapsesPerNeuron", maxSynapsesPerNeuron, "0...65535")
        try check((0 ... 65535).contains(maxNewSynapses), "maxNewSynapses", maxNewSynapses, "0...65535")
        try check((0 ... 127).contains(activeTrace), "activeTrace", activeTrace, "0...127")
    }

    /// The plasticity rule these fields give (a shorthand pool's rule 0).
    public var stdpRule: PlasticityRule {
        PlasticityRule(potentiation: stdpPotentiation, depression: stdpDepression, tauPlus: stdpTauPlus, tauMinus: stdpTauMinus,
                       eligibilityTau: eligibilityTau, gain: learningGain, bounds: weightBounds)
    }

    /// Threshold rise per spike that balances `homeostasisStep` at `homeostasisTarget`.
    var homeostasisRise: Int {
        homeostasisStep * (1000 - homeostasisTarget) / homeostasisTarget
    }
}
