import Foundation
import NeuroPool

/// A population's neuron parameters in physical units, as NEST's `iaf_psc_delta` names them:
/// dV/dt = −(V − v_rest)/τ_m + i_e/c_m, a spike at V ≥ v_threshold, then V = v_reset for t_ref.
/// Quantized once (`quantized(tickMicroseconds:)`) onto NeuroPool's integer population pass.
public struct NeuronParameters: Sendable, Equatable {
    /// Membrane time constant, ms (2…100 at 1 ms ticks and at 0.1 ms ticks; any τ_m ≥ 0.5 tick).
    public var tauM: Double = 20
    /// Resting potential, mV.
    public var vRest: Double = 0
    /// Threshold, mV (above `vRest`, at most 120 mV above it).
    public var vThreshold: Double = 20
    /// Reset potential, mV (below the threshold, at or above `vMin`; may equal `vRest`).
    public var vReset: Double = 10
    /// Lowest membrane potential, mV; nil: unbounded (NEST's default), i.e. 128 mV below rest.
    public var vMin: Double? = nil
    /// Absolute refractory period, ms (0…255 ticks).
    public var tRef: Double = 2
    /// Constant input current, pA (NEST's `I_e`).
    public var iE: Double = 0
    /// Membrane capacitance, pF (only scales `iE`).
    public var cM: Double = 250
    /// Initial membrane potential, mV: a constant or a distribution, clipped to [v_min, v_threshold).
    public var vInit: ValueDistribution = .constant(0)
    /// Current-based exponential synapses (NEST's `iaf_psc_exp`, NIR's `CubaLIF`): weights are
    /// currents in pA whose effect decays with `tauSynEx` / `tauSynIn`; false: delta synapses
    /// (`iaf_psc_delta`), weights are PSP jumps in mV.
    public var exponentialSynapses = false
    /// Excitatory and inhibitory synaptic time constants, ms (exponential synapses).
    public var tauSynEx: Double = 2
    public var tauSynIn: Double = 2
    /// Homeostatic target rate, Hz; nil: homeostasis off (the default for populations).
    public var homeostasisHz: Double? = nil
    /// Homeostatic threshold step, mV per tick without a spike.
    public var homeostasisStep: Double = 1.0 / 256

    public init() {}
}

/// A population in physical units: a name, a size, a kind and its neuron parameters.
public struct PopulationSpec: Sendable, Equatable {
    public var name: String
    public var size: Int
    public var inhibitory: Bool
    public var parameters: NeuronParameters

    public init(name: String, size: Int, inhibitory: Bool, parameters: NeuronParameters = NeuronParameters()) {
        self.name = name
        self.size = size
        self.inhibitory = inhibitory
        self.parameters = parameters
    }
}

/// One quantized value beside the requested one.
public struct QuantizedValue: Sendable, Equatable {
    /// What it is, e.g. `tau_m`.
    public var name: String
    /// Unit of both values (`ms`, `mV`, `pA`, `ticks`).
    public var unit: String
    public var requested: Double
    public var actual: Double

    public init(name: String, unit: String, requested: Double, actual: Double) {
        self.name = name
        self.unit = unit
        self.requested = requested
        self.actual = actual
    }

    /// |actual − requested| / |requested| (0 when both are 0; infinite when only requested is).
    public var relativeError: Double {
        if requested == actual { return 0 }
        return requested == 0 ? .infinity : abs(actual - requested) / abs(requested)
    }
}

extension NeuronParameters {
    /// Membrane units (2^−16 mV) per millivolt.
    static let unit = Double(PopulationTable.unitsPerMillivolt)

    /// Checks every parameter, naming the bad one with `prefix` (e.g. `pool[0].population[1].`).
    public func validate(prefix: String, tickMicroseconds: UInt32) throws(ModelError) {
        let dt = Double(tickMicroseconds) / 1000
        func check(_ ok: Bool, _ key: String, _ value: Double, _ expected: String) throws(ModelError) {
            if !ok || !value.isFinite { throw .invalidParameter(name: prefix + key, value: "\(value)", expected: expected) }
        }
        try check(tauM >= dt / 2 && tauM <= 1e6, "tau_m", tauM, "a time constant of at least half a tick (\(dt / 2) ms) in ms")
        try check(abs(vRest) <= 1000, "v_rest", vRest, "a potential within ±1000 mV")
        try check(vThreshold > vRest && vThreshold - vRest <= 120, "v_threshold", vThreshold, "above v_rest (\(vRest) mV) by at most 120 mV")
        try check(vReset < vThreshold && vReset - vRest >= -120, "v_reset", vReset, "below v_threshold (\(vThreshold) mV) and at most 120 mV below v_rest")
        if let vMin { try check(vMin <= vReset && vMin - vRest >= -127, "v_min", vMin, "at or below v_reset (\(vReset) mV) and at most 127 mV below v_rest") }
        try check(tRef >= 0 && (tRef / dt).rounded() <= 255, "t_ref", tRef, "0...\(255 * dt) ms (255 ticks)")
        try check(cM > 0, "c_m", cM, "a capacitance above 0 pF")
        let drive = millivoltsPerTick(picoamperes: iE, tickMicroseconds: tickMicroseconds)
        try check(abs(drive) <= 120, "i_e", iE, "a current whose step per tick stays within ±120 mV")
        try vInit.validate(name: prefix + "v_init")
        if exponentialSynapses {
            try check(tauSynEx >= dt / 2 && tauSynEx <= 1e6, "tau_syn_ex", tauSynEx, "a time constant of at least half a tick (\(dt / 2) ms) in ms")
            try check(tauSynIn >= dt / 2 && tauSynIn <= 1e6, "tau_syn_in", tauSynIn, "a time constant of at least half a tick (\(dt / 2) ms) in ms")
        }
        if let homeostasisHz {
            try check(homeostasisHz > 0 && homeostasisHz * dt / 1000 < 0.5, "homeostasis_hz", homeostasisHz, "a rate above 0 and below half a spike per tick")
            try check(homeostasisStep > 0 && homeostasisStep <= 1, "homeostasis_step", homeostasisStep, "0 < step <= 1 mV per tick")
            // The threshold offset is a Q8.8 Int16: the rise per spike that balances the fall
            // at the target rate must fit in it.
            let p = homeostasisHz * dt / 1000
            let fall = max(1, (homeostasisStep * 256).rounded())
            let rise = fall * (1 - p) / p
            try check(rise <= 32767, "homeostasis_hz", homeostasisHz,
                      "a target whose balancing threshold rise per spike (\(rise / 256) mV with this homeostasis_step and tick) stays within 127 mV: raise the target or lower the step")
        }
    }

    /// The population's constants at a tick of `tickMicroseconds`, neurons `start ..< start + size`,
    /// and the quantized values beside the requested ones. Call `validate` first.
    public func quantized(name: String, start: Int, size: Int, inhibitory: Bool,
                          tickMicroseconds: UInt32) -> (PopulationTable.Population, [QuantizedValue]) {
        let dt = Double(tickMicroseconds) / 1000
        let scale = Double(1 << PopulationTable.decayShift)
        let decay = Int32((exp(-dt / tauM) * scale).rounded())
        let tauActual = decay <= 0 ? 0 : -dt / log(Double(decay) / scale)
        let driveMV = millivoltsPerTick(picoamperes: iE, tickMicroseconds: tickMicroseconds)
        let drive = Int32((driveMV * Self.unit).rounded())
        let threshold = Int32(((vThreshold - vRest) * Self.unit).rounded())
        let reset = Int32(((vReset - vRest) * Self.unit).rounded())
        let floor = Int32((((vMin ?? (vRest - 128)) - vRest) * Self.unit).rounded())
        let refractory = UInt8((tRef / dt).rounded())
        var fall: Int32 = 0
        var rise: Int32 = 0
        if let homeostasisHz {
            // Balance: fall × (ticks without a spike) = rise × spikes at the target rate.
            let p = homeostasisHz * dt / 1000
            fall = max(1, Int32(min((homeostasisStep * 256).rounded(), Double(Int16.max))))
            rise = Int32(min((Double(fall) * (1 - p) / p).rounded(), Double(Int16.max)))
        }
        var population = PopulationTable.Population(
            name: name, start: start, count: size, inhibitory: inhibitory, decay: decay, drive: drive,
            threshold: threshold, reset: reset, floor: floor, refractory: refractory,
            homeostasisFall: fall, homeostasisRise: rise, rest: Int32((vRest * Self.unit).rounded()))
        if exponentialSynapses {
            population.exponential = true
            population.synapseDecayExcitatory = Int32((exp(-dt / tauSynEx) * scale).rounded())
            population.synapseDecayInhibitory = Int32((exp(-dt / tauSynIn) * scale).rounded())
        }
        var report = [
            QuantizedValue(name: "tau_m", unit: "ms", requested: tauM, actual: tauActual),
            QuantizedValue(name: "v_threshold", unit: "mV", requested: vThreshold, actual: vRest + Double(threshold) / Self.unit),
            QuantizedValue(name: "v_reset", unit: "mV", requested: vReset, actual: vRest + Double(reset) / Self.unit),
            QuantizedValue(name: "t_ref", unit: "ms", requested: tRef, actual: Double(refractory) * dt),
        ]
        if exponentialSynapses {
            for (key, tau, d) in [("tau_syn_ex", tauSynEx, population.synapseDecayExcitatory), ("tau_syn_in", tauSynIn, population.synapseDecayInhibitory)] {
                report.append(QuantizedValue(name: key, unit: "ms", requested: tau, actual: d <= 0 ? 0 : -dt / log(Double(d) / scale)))
            }
        }
        if iE != 0 {
            report.append(QuantizedValue(name: "i_e", unit: "pA", requested: iE,
                                         actual: Double(drive) / Self.unit / millivoltsPerTick(picoamperes: 1, tickMicroseconds: tickMicroseconds)))
        }
        return (population, report)
    }

    /// What one input of 1 pA adds to the membrane over the next tick through an exponential
    /// synapse of time constant `tauSyn` ms, mV (NEST's propagator P21 of `iaf_psc_exp`):
    /// τ_s τ_m / (C_m (τ_m − τ_s)) · (e^(−dt/τ_m) − e^(−dt/τ_s)), or dt/C_m · e^(−dt/τ_m) when
    /// the two are equal. Weights into exponential synapses are stored pre-multiplied by it.
    public func millivoltsPerPicoampere(tauSyn: Double, tickMicroseconds: UInt32) -> Double {
        let dt = Double(tickMicroseconds) / 1000
        if abs(tauM - tauSyn) < 1e-9 * tauM { return dt / cM * exp(-dt / tauM) }
        return tauSyn * tauM / (cM * (tauM - tauSyn)) * (exp(-dt / tauM) - exp(-dt / tauSyn))
    }

    /// The factor from a projection's weight to the stored PSP-per-tick, mV per weight unit:
    /// 1 for delta synapses (weights are mV), P21 for exponential ones (weights are pA).
    public func weightFactor(inhibitory: Bool, tickMicroseconds: UInt32) -> Double {
        guard exponentialSynapses else { return 1 }
        return millivoltsPerPicoampere(tauSyn: inhibitory ? tauSynIn : tauSynEx, tickMicroseconds: tickMicroseconds)
    }

    /// The initial membrane of each of `size` neurons, 2^−16 mV above rest, drawn from `vInit`
    /// and clipped to [floor, threshold).
    public func initialMembranes(size: Int, random: inout PoolRandom) -> [Int32] {
        let low = (vMin ?? (vRest - 128)) - vRest
        let high = vThreshold - vRest - 1 / Self.unit
        return (0 ..< size).map { _ in
            let v = min(max(vInit.sample(&random) - vRest, low), high)
            return Int32((v * Self.unit).rounded())
        }
    }
}

extension NeuronParameters {
    /// What a constant current of `picoamperes` adds to the membrane each tick, mV: the exact
    /// integration over one tick, I·τ_m/C_m·(1 − e^(−dt/τ_m)) (NEST's P30 · I_e). O(1).
    public func millivoltsPerTick(picoamperes: Double, tickMicroseconds: UInt32) -> Double {
        let dt = Double(tickMicroseconds) / 1000
        return picoamperes / cM * tauM * (1 - exp(-dt / tauM))
    }
}
