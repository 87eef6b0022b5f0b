/// Biological features of an `HHPool` that can be switched off one by one (feature importance).
/// With none of them on, a neuron is the bare 1952 Hodgkin–Huxley membrane and synapses are
/// single-exponential AMPA and GABA-A conductances.
public struct HHFeatures: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Calcium: influx on each spike, exponential decay, and a calcium-activated K⁺ (AHP) current.
    public static let calcium = HHFeatures(rawValue: 1 << 0)
    /// ATP budget: spikes and Na⁺ pumping cost ATP, recovery toward full; depletion opens K_ATP.
    public static let atp = HHFeatures(rawValue: 1 << 1)
    /// NMDA receptors (with Jahr & Stevens magnesium block) beside AMPA at excitatory synapses.
    public static let nmda = HHFeatures(rawValue: 1 << 2)
    /// Receptor kinetics: difference-of-exponentials conductances (finite rise); off, a
    /// conductance jumps at the spike and decays with one exponential.
    public static let receptorKinetics = HHFeatures(rawValue: 1 << 3)
    /// Neuromodulators (dopamine, serotonin, acetylcholine) scale receptor gains.
    public static let modulators = HHFeatures(rawValue: 1 << 4)

    /// Every feature.
    public static let all: HHFeatures = [.calcium, .atp, .nmda, .receptorKinetics, .modulators]
    /// The features in a fixed order with their command-line names.
    public static let named: [(name: String, feature: HHFeatures)] = [
        ("calcium", .calcium), ("atp", .atp), ("nmda", .nmda), ("receptor-kinetics", .receptorKinetics), ("modulators", .modulators),
    ]

    public var description: String {
        let names = HHFeatures.named.filter { contains($0.feature) }.map(\.name)
        return names.isEmpty ? "none" : names.joined(separator: ",")
    }
}

/// Neuromodulator levels seen by an `HHPool`, 0…255 each; 128 is the neutral baseline
/// (the same scale as NeuroPool's modulator levels).
public struct HHModulators: Sendable, Equatable {
    public var dopamine: UInt8
    public var serotonin: UInt8
    public var acetylcholine: UInt8
    public init(dopamine: UInt8 = 128, serotonin: UInt8 = 128, acetylcholine: UInt8 = 128) {
        self.dopamine = dopamine
        self.serotonin = serotonin
        self.acetylcholine = acetylcholine
    }
    /// All three at baseline: receptor gains are 1.
    public static let baseline = HHModulators()
}

/// Every constant of an `HHPool`. Units: mV, ms, mS/cm², µA/cm², µF/cm², µM, °C.
/// Saved in HH pool files (protocol/HH-POOL-FORMAT.md) in declaration order.
public struct HHParameters: Sendable, Equatable {
    // Membrane: Hodgkin & Huxley (1952), as NEURON's `hh` mechanism.
    /// Peak sodium conductance, mS/cm² (HH: 120).
    public var gNa = 120.0
    /// Peak potassium conductance, mS/cm² (HH: 36).
    public var gK = 36.0
    /// Leak conductance, mS/cm² (HH: 0.3).
    public var gL = 0.3
    /// Reversal potentials, mV (NEURON's defaults for `hh`).
    public var eNa = 50.0
    public var eK = -77.0
    public var eL = -54.3
    /// Membrane capacitance, µF/cm².
    public var cm = 1.0
    /// Temperature, °C; rates scale by 3^((celsius − 6.3)/10).
    public var celsius = 6.3
    /// Integration step, ms; the bus tick is sub-stepped into `tickDuration / dt` steps.
    public var dt = 0.025
    /// Bus tick, ms.
    public var tickDuration = 1.0
    /// Initial membrane potential, mV (gates start at their steady state there).
    public var vInit = -65.0
    /// A spike is an upward crossing of this potential, mV.
    public var spikeThreshold = 0.0

    // Synapses: a weight unit of the CSR (Int8, as NeuroPool) is `weightScale` mS/cm².
    /// Conductance per weight unit, mS/cm².
    public var weightScale = 0.0025
    /// AMPA: reversal mV, rise and decay time constants ms.
    public var eAMPA = 0.0
    public var tauAMPARise = 0.2
    public var tauAMPADecay = 2.0
    /// NMDA peak conductance as a fraction of AMPA's at the same synapse.
    public var nmdaRatio = 0.3
    public var tauNMDARise = 2.0
    public var tauNMDADecay = 80.0
    /// Extracellular magnesium, mM (Jahr & Stevens 1990 block: 1 / (1 + [Mg]/3.57 · e^(−0.062 V))).
    public var magnesium = 1.0
    /// GABA-A: reversal mV, rise and decay ms.
    public var eGABA = -80.0
    public var tauGABARise = 0.5
    public var tauGABADecay = 5.0

    // Calcium.
    /// Resting [Ca²⁺]ᵢ, µM; influx per spike, µM; decay time constant, ms.
    public var calciumRest = 0.05
    public var calciumPerSpike = 0.2
    public var tauCalcium = 80.0
    /// Calcium-activated K⁺ (AHP): peak mS/cm² and half-activation µM (g = gAHP·Ca/(Ca + K)).
    public var gAHP = 0.15
    public var calciumHalf = 1.0

    // ATP budget (normalised: 1 = full).
    /// ATP used per spike, and per nC/cm² of Na⁺ charge that the Na⁺/K⁺ pump moves back out.
    public var atpPerSpike = 0.0005
    public var atpPerCharge = 0.00001
    /// Recovery time constant toward full, ms.
    public var tauATP = 2000.0
    /// K_ATP conductance at complete depletion, mS/cm² (g = gKATP·(1 − ATP)).
    public var gKATP = 0.5

    // Neuromodulation: gain = 1 + sensitivity · (level − 128)/128.
    /// Dopamine on NMDA and AMPA (D1 enhancement).
    public var dopamineNMDA = 0.5
    public var dopamineAMPA = 0.2
    /// Serotonin on AMPA (negative: 5-HT1A-like damping) and GABA-A.
    public var serotoninAMPA = -0.3
    public var serotoninGABA = 0.3
    /// Acetylcholine on AMPA (nicotinic enhancement) and GABA-A (muscarinic disinhibition).
    public var acetylcholineAMPA = 0.3
    public var acetylcholineGABA = -0.2

    // Noise: a current drawn each tick per neuron, uniform with this standard deviation (µA/cm²).
    public var noise = 0.0

    public init() {}

    /// Substeps per bus tick.
    public var substeps: Int { Int((tickDuration / dt).rounded()) }

    /// The fields in save order (the HH pool format stores exactly these, as Float64).
    static var fields: [(name: String, path: WritableKeyPath<HHParameters, Double>)] { [
        ("gNa", \.gNa), ("gK", \.gK), ("gL", \.gL), ("eNa", \.eNa), ("eK", \.eK), ("eL", \.eL), ("cm", \.cm),
        ("celsius", \.celsius), ("dt", \.dt), ("tickDuration", \.tickDuration), ("vInit", \.vInit),
        ("spikeThreshold", \.spikeThreshold), ("weightScale", \.weightScale),
        ("eAMPA", \.eAMPA), ("tauAMPARise", \.tauAMPARise), ("tauAMPADecay", \.tauAMPADecay),
        ("nmdaRatio", \.nmdaRatio), ("tauNMDARise", \.tauNMDARise), ("tauNMDADecay", \.tauNMDADecay), ("magnesium", \.magnesium),
        ("eGABA", \.eGABA), ("tauGABARise", \.tauGABARise), ("tauGABADecay", \.tauGABADecay),
        ("calciumRest", \.calciumRest), ("calciumPerSpike", \.calciumPerSpike), ("tauCalcium", \.tauCalcium),
        ("gAHP", \.gAHP), ("calciumHalf", \.calciumHalf),
        ("atpPerSpike", \.atpPerSpike), ("atpPerCharge", \.atpPerCharge), ("tauATP", \.tauATP), ("gKATP", \.gKATP),
        ("dopamineNMDA", \.dopamineNMDA), ("dopamineAMPA", \.dopamineAMPA), ("serotoninAMPA", \.serotoninAMPA),
        ("serotoninGABA", \.serotoninGABA), ("acetylcholineAMPA", \.acetylcholineAMPA), ("acetylcholineGABA", \.acetylcholineGABA),
        ("noise", \.noise),
    ] }

    /// Checks every field; throws `HHError.invalidParameter` naming the first bad one.
    public func validate() throws(HHError) {
        for (name, path) in HHParameters.fields where !self[keyPath: path].isFinite {
            throw .invalidParameter(name: name, value: self[keyPath: path], expected: "a finite number")
        }
        func positive(_ name: String, _ v: Double) throws(HHError) {
            if !(v > 0) { throw .invalidParameter(name: name, value: v, expected: "> 0") }
        }
        func nonNegative(_ name: String, _ v: Double) throws(HHError) {
            if !(v >= 0) { throw .invalidParameter(name: name, value: v, expected: ">= 0") }
        }
        try positive("cm", cm)
        try positive("dt", dt)
        try positive("tickDuration", tickDuration)
        if dt > 0.1 { throw .invalidParameter(name: "dt", value: dt, expected: "at most 0.1 ms") }
        let ratio = tickDuration / dt
        if abs(ratio - ratio.rounded()) > 1e-9 * ratio || ratio.rounded() < 1 || ratio > 1_000_000 {
            throw .invalidParameter(name: "tickDuration", value: tickDuration, expected: "a whole multiple of dt (\(dt) ms)")
        }
        if !(-50 ... 60).contains(celsius) { throw .invalidParameter(name: "celsius", value: celsius, expected: "-50...60") }
        for (name, v) in [("gNa", gNa), ("gK", gK), ("gL", gL), ("weightScale", weightScale), ("nmdaRatio", nmdaRatio),
                          ("magnesium", magnesium), ("calciumRest", calciumRest), ("calciumPerSpike", calciumPerSpike),
                          ("gAHP", gAHP), ("atpPerSpike", atpPerSpike), ("atpPerCharge", atpPerCharge), ("gKATP", gKATP), ("noise", noise)] {
            try nonNegative(name, v)
        }
        for (name, v) in [("tauAMPARise", tauAMPARise), ("tauAMPADecay", tauAMPADecay), ("tauNMDARise", tauNMDARise),
                          ("tauNMDADecay", tauNMDADecay), ("tauGABARise", tauGABARise), ("tauGABADecay", tauGABADecay),
                          ("tauCalcium", tauCalcium), ("calciumHalf", calciumHalf), ("tauATP", tauATP)] {
            try positive(name, v)
        }
        for (name, rise, decay) in [("tauAMPARise", tauAMPARise, tauAMPADecay), ("tauNMDARise", tauNMDARise, tauNMDADecay),
                                    ("tauGABARise", tauGABARise, tauGABADecay)] where !(rise < decay) {
            throw .invalidParameter(name: name, value: rise, expected: "less than the decay time constant")
        }
    }
}
