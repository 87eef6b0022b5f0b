import Foundation
import NeuroPool

/// A pool of single-compartment Hodgkin–Huxley neurons with AMPA, NMDA and GABA-A synapses,
/// calcium, an ATP budget and neuromodulated receptor gains (docs/NEUROBIO.md has the
/// equations). It is driven exactly like NeuroPool's `NeuronPool`: before each bus tick every
/// afferent projection gets one `deliver(projection:sourceTick:spikes:)`, then `tick()` advances
/// `parameters.substeps` integration steps and leaves the neurons that fired in `lastSpikes`.
///
/// Floating-point math is confined to this model. Everything random (noise, membrane jitter)
/// comes from the pool's `PoolRandom`, whose state is saved with the pool, so the same seed and
/// input give the same spikes, and a saved and reloaded pool continues bit-identically.
///
/// State is structure-of-arrays, one `ContiguousArray<Double>` per variable.
public struct HHPool: Sendable, Equatable {
    /// The pool's name (at most 255 UTF-8 bytes when saved).
    public internal(set) var name: String
    /// Model constants.
    public internal(set) var parameters: HHParameters
    /// Biological features in effect.
    public internal(set) var features: HHFeatures
    /// Current neuromodulator levels (see `apply(_:)`).
    public internal(set) var modulators: HHModulators = .baseline
    /// The pool's generator.
    public internal(set) var random: PoolRandom
    /// Ticks run so far; the next tick is number `tickCount`.
    public internal(set) var tickCount: UInt64 = 0
    /// Spikes fired since construction.
    public internal(set) var totalSpikes: UInt64 = 0

    /// Membrane potential, mV.
    public internal(set) var v: ContiguousArray<Double>
    /// Gates m, h, n (dimensionless, held half a step ahead of `v`: the staggered scheme).
    public internal(set) var m: ContiguousArray<Double>
    public internal(set) var h: ContiguousArray<Double>
    public internal(set) var n: ContiguousArray<Double>
    /// Receptor states, mS/cm² before normalisation: decay and rise components per receptor
    /// (the conductance is `norm · (decay − rise)`, or `decay` without receptor kinetics).
    var ampaDecay, ampaRise, nmdaDecay, nmdaRise, gabaDecay, gabaRise: ContiguousArray<Double>
    /// Intracellular calcium, µM (exposed for plasticity rules).
    public internal(set) var calcium: ContiguousArray<Double>
    /// ATP, 1 = full.
    public internal(set) var atp: ContiguousArray<Double>
    /// Constant injected current per neuron, µA/cm² (see `setBias`).
    public internal(set) var bias: ContiguousArray<Double>
    /// Time of each neuron's latest spike, ms since the pool's start (−∞ before the first).
    public internal(set) var lastSpikeTime: ContiguousArray<Double>
    /// 1 for inhibitory neurons (their synapses are GABA-A), 0 for excitatory (AMPA + NMDA).
    public internal(set) var inhibitory: ContiguousArray<UInt8>
    /// Outgoing local synapses, NeuroPool's CSR type (`SynapseStore`: `synapses[rowPtr[i] ..<
    /// rowPtr[i+1]]` leave neuron i); weight units are `parameters.weightScale` mS/cm², the
    /// sign says excitatory or inhibitory; delay 1…8 ticks.
    public internal(set) var store: SynapseStore
    /// Synaptic input in flight, NeuroPool's delay ring with two channels: the summed weights
    /// per (tick mod 8, neuron), excitatory (channel 0, ≥ 0) and inhibitory (channel 1, ≤ 0).
    var delays: DelayBuffer
    /// Row starts of the local synapses.
    public var rowPtr: ContiguousArray<UInt32> { store.rowPtr }
    /// The local synapses, grouped by source neuron.
    public var synapses: ContiguousArray<Synapse> { store.synapses }
    /// Projections arriving from other pools.
    public internal(set) var afferents: [HHProjection] = []

    /// Neurons that fired in the last tick, ascending; the first `lastSpikeCount` count.
    var spikeBuffer: ContiguousArray<UInt16>
    /// Number of neurons that fired in the last tick.
    public internal(set) var lastSpikeCount = 0
    /// Derived from the parameters (not saved).
    var table: HHRateTable
    var constants: HHStepConstants
    /// Per-tick working values of the substep loop (derived, not saved).
    var scratch: ContiguousArray<Double> = []

    /// Number of neurons.
    public var neuronCount: Int { v.count }
    /// Number of local synapses.
    public var synapseCount: Int { synapses.count }
    /// The neurons that fired in the last tick, ascending.
    public var lastSpikes: ArraySlice<UInt16> { spikeBuffer[0 ..< lastSpikeCount] }

    /// An unconnected pool of `neurons` neurons at rest (`vInit`, gates at steady state), all
    /// excitatory unless `inhibitory` marks them. Throws on a bad size or parameter. O(N).
    public init(name: String, neurons count: Int, parameters: HHParameters = HHParameters(), features: HHFeatures = .all,
                inhibitory: [Bool]? = nil, seed: UInt64 = 0) throws(HHError) {
        guard (1 ... 65536).contains(count) else { throw .invalidNeuronCount(count) }
        if let inhibitory, inhibitory.count != count { throw .inputCountMismatch(inhibitory.count, neurons: count) }
        try parameters.validate()
        self.init(name: name, parameters: parameters, features: features, random: PoolRandom(seed: seed),
                  inhibitory: ContiguousArray((inhibitory ?? Array(repeating: false, count: count)).map { $0 ? 1 : 0 }),
                  rowPtr: ContiguousArray(repeating: 0, count: count + 1), synapses: [])
    }

    /// A pool with exactly the connectivity of a NeuroPool pool: the same neurons' kinds, the
    /// same synapses (targets, weights, delays). This is how a biological pool and its
    /// optimized twin share a network. O(N + S).
    public init(connectivityOf pool: NeuronPool, parameters: HHParameters = HHParameters(), features: HHFeatures = .all,
                seed: UInt64 = 0) throws(HHError) {
        try parameters.validate()
        let n = pool.neuronCount
        self.init(name: pool.name, parameters: parameters, features: features, random: PoolRandom(seed: seed),
                  inhibitory: ContiguousArray((0 ..< n).map { pool.neurons.isInhibitory($0) ? 1 : 0 }),
                  rowPtr: pool.synapses.rowPtr, synapses: pool.synapses.synapses)
    }

    /// Shared assembly (construction and decoding); the caller has validated everything.
    init(name: String, parameters: HHParameters, features: HHFeatures, random: PoolRandom, inhibitory: ContiguousArray<UInt8>,
         rowPtr: ContiguousArray<UInt32>, synapses: ContiguousArray<Synapse>) {
        let count = inhibitory.count
        self.name = name
        self.parameters = parameters
        self.features = features
        self.random = random
        self.inhibitory = inhibitory
        store = SynapseStore(rowPtr: rowPtr, synapses: synapses)
        delays = DelayBuffer(neuronCount: count, slots: 8, channels: 2)
        table = HHRateTable(dt: parameters.dt, celsius: parameters.celsius, magnesium: parameters.magnesium)
        constants = HHStepConstants(parameters, features: features, modulators: .baseline)
        let g = HHKinetics.gates(v: parameters.vInit, q10: HHKinetics.q10(celsius: parameters.celsius))
        func filled(_ x: Double) -> ContiguousArray<Double> { ContiguousArray(repeating: x, count: count) }
        v = filled(parameters.vInit)
        m = filled(g.mInf)
        h = filled(g.hInf)
        n = filled(g.nInf)
        ampaDecay = filled(0); ampaRise = filled(0); nmdaDecay = filled(0); nmdaRise = filled(0); gabaDecay = filled(0); gabaRise = filled(0)
        calcium = filled(parameters.calciumRest)
        atp = filled(1)
        bias = filled(0)
        lastSpikeTime = filled(-.infinity)
        spikeBuffer = ContiguousArray(repeating: 0, count: count)
    }

    /// Sets the constant current of every neuron in `range`, µA/cm² (a step current stays on
    /// until set again). O(range).
    public mutating func setBias(_ range: Range<Int>, _ density: Double) throws(HHError) {
        guard range.lowerBound >= 0, range.upperBound <= neuronCount else { throw .rangeOutOfBounds(range, neurons: neuronCount) }
        guard density.isFinite else { throw .invalidParameter(name: "bias", value: density, expected: "a finite current density") }
        for i in range { bias[i] = density }
    }

    /// Sets the neuromodulator levels; they scale receptor gains from the next delivery on
    /// (only with the `.modulators` feature). O(1).
    public mutating func apply(_ levels: HHModulators) {
        modulators = levels
        constants = HHStepConstants(parameters, features: features, modulators: levels)
    }

    /// Draws every membrane uniformly from `vInit ..< vInit + spread` mV with the pool's
    /// generator, gates at their steady state there (desynchronises a fresh pool). O(N).
    public mutating func randomizeMembranes(spread: Double) {
        guard spread > 0, spread.isFinite else { return }
        let q = HHKinetics.q10(celsius: parameters.celsius)
        for i in 0 ..< neuronCount {
            let u = Double(random.next() >> 11) * 0x1p-53
            v[i] = parameters.vInit + spread * u
            let g = HHKinetics.gates(v: v[i], q10: q)
            m[i] = g.mInf
            h[i] = g.hInf
            n[i] = g.nInf
        }
    }

    /// The AMPA, NMDA (unblocked at the neuron's present potential) and GABA-A conductances of
    /// neuron `i`, mS/cm². O(1).
    public func conductances(_ i: Int) -> (ampa: Double, nmda: Double, gaba: Double) {
        let c = constants
        let kinetic = features.contains(.receptorKinetics)
        let a = kinetic ? c.normAMPA * (ampaDecay[i] - ampaRise[i]) : ampaDecay[i]
        let nm = kinetic ? c.normNMDA * (nmdaDecay[i] - nmdaRise[i]) : nmdaDecay[i]
        let g = kinetic ? c.normGABA * (gabaDecay[i] - gabaRise[i]) : gabaDecay[i]
        return (a, nm * HHKinetics.magnesiumUnblock(v: v[i], magnesium: parameters.magnesium), g)
    }

    public static func == (a: HHPool, b: HHPool) -> Bool {
        a.name == b.name && a.parameters == b.parameters && a.features == b.features && a.modulators == b.modulators
            && a.random == b.random && a.tickCount == b.tickCount && a.totalSpikes == b.totalSpikes
            && a.v == b.v && a.m == b.m && a.h == b.h && a.n == b.n
            && a.ampaDecay == b.ampaDecay && a.ampaRise == b.ampaRise && a.nmdaDecay == b.nmdaDecay && a.nmdaRise == b.nmdaRise
            && a.gabaDecay == b.gabaDecay && a.gabaRise == b.gabaRise && a.calcium == b.calcium && a.atp == b.atp
            && a.bias == b.bias && a.lastSpikeTime == b.lastSpikeTime && a.inhibitory == b.inhibitory
            && a.store == b.store && a.delays == b.delays && a.afferents == b.afferents && a.lastSpikes == b.lastSpikes
    }
}

/// Per-step factors derived from the parameters, features and modulator levels.
struct HHStepConstants: Sendable {
    var eAMPA, eGABA: Double
    var normAMPA, normNMDA, normGABA: Double
    var gainAMPA, gainNMDA, gainGABA: Double
    /// e^(−s·dt/τ) for s = 0 ..< substeps, six per step (AMPA decay, rise, NMDA decay, rise,
    /// GABA decay, rise), and the same over a whole tick.
    var powers: ContiguousArray<Double>
    var tickDecay: (Double, Double, Double, Double, Double, Double)

    init(_ p: HHParameters, features: HHFeatures, modulators: HHModulators) {
        eAMPA = p.eAMPA
        eGABA = p.eGABA
        // Peak of e^(−t/τd) − e^(−t/τr) after a unit jump, so a weight unit peaks at weightScale.
        func norm(_ rise: Double, _ decay: Double) -> Double {
            let tPeak = rise * decay / (decay - rise) * log(decay / rise)
            return 1 / (exp(-tPeak / decay) - exp(-tPeak / rise))
        }
        normAMPA = norm(p.tauAMPARise, p.tauAMPADecay)
        normNMDA = norm(p.tauNMDARise, p.tauNMDADecay)
        normGABA = norm(p.tauGABARise, p.tauGABADecay)
        let taus = [p.tauAMPADecay, p.tauAMPARise, p.tauNMDADecay, p.tauNMDARise, p.tauGABADecay, p.tauGABARise]
        powers = ContiguousArray((0 ..< p.substeps).flatMap { s in taus.map { exp(-Double(s) * p.dt / $0) } })
        let t = taus.map { exp(-Double(p.substeps) * p.dt / $0) }
        tickDecay = (t[0], t[1], t[2], t[3], t[4], t[5])
        if features.contains(.modulators) {
            let da = (Double(modulators.dopamine) - 128) / 128
            let ht = (Double(modulators.serotonin) - 128) / 128
            let ach = (Double(modulators.acetylcholine) - 128) / 128
            gainAMPA = max(0, 1 + p.dopamineAMPA * da + p.serotoninAMPA * ht + p.acetylcholineAMPA * ach)
            gainNMDA = max(0, 1 + p.dopamineNMDA * da)
            gainGABA = max(0, 1 + p.serotoninGABA * ht + p.acetylcholineGABA * ach)
        } else {
            gainAMPA = 1; gainNMDA = 1; gainGABA = 1
        }
    }
}
