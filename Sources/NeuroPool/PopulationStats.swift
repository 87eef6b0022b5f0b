#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One population of a pool of populations, as `PoolStats` reports it: its neurons, kind and
/// constants converted back to physical units. A `.pool` file counts time in ticks and does
/// not store the tick length, so times are given exactly in ticks (and the leak as the stored
/// per-tick retention) and in ms at `tickMicroseconds` (an assumption of the caller).
public struct PopulationStats: Sendable, Equatable, Codable {
    public var name: String
    /// The population's neurons: `start ..< end` within the pool, `count` of them.
    public var start: Int
    public var end: Int
    public var count: Int
    /// `"excitatory"` or `"inhibitory"` (Dale's law holds per population).
    public var kind: String
    /// Membrane retention per tick as stored, e^(−dt/τ_m) in units of 2^−24.
    public var decay: Int32
    /// The same retention as a fraction, `decay / 2^24`.
    public var retentionPerTick: Double
    /// τ_m = −1 / ln(retention) ticks; nil when the retention is 1 (no leak).
    public var tauMTicks: Double?
    /// τ_m in ms at `tickMicroseconds` per tick; nil when the retention is 1.
    public var tauMMs: Double?
    /// Resting potential, mV (absolute).
    public var vRestMV: Double
    /// Threshold without homeostatic offsets, mV (absolute).
    public var vThresholdMV: Double
    /// Mean threshold of the population's neurons with their homeostatic offsets, mV (absolute).
    public var meanThresholdMV: Double
    /// Reset potential, mV (absolute).
    public var vResetMV: Double
    /// Lowest membrane potential, mV (absolute); nil: unbounded.
    public var vMinMV: Double?
    /// Refractory period in ticks, and in ms at `tickMicroseconds`.
    public var refractoryTicks: Int
    public var tRefMs: Double
    /// Constant input added every non-refractory tick (NEST's I_e, exactly integrated), mV.
    public var driveMVPerTick: Double
    /// The current per capacitance that gives `driveMVPerTick`, i_e / c_m in pA/pF (= mV/ms):
    /// c_m is not stored, so i_e itself is this times the population's c_m. Nil when the tick
    /// integral of τ_m is 0.
    public var currentPerCapacitance: Double?
    /// `"delta"` (input jumps the membrane, NEST's `iaf_psc_delta`) or `"exp"` (current-based
    /// exponential synapses, `iaf_psc_exp`).
    public var synapse: String
    /// Exponential synapses: the excitatory and inhibitory synaptic time constants in ticks
    /// (from their stored per-tick retentions) and in ms at `tickMicroseconds`; nil for delta.
    public var tauSynExTicks: Double?
    public var tauSynExMs: Double?
    public var tauSynInTicks: Double?
    public var tauSynInMs: Double?
    /// Homeostatic threshold fall per tick without a spike and rise per spike, mV (both 0: off).
    public var homeostasisFallMV: Double
    public var homeostasisRiseMV: Double
    /// The rate at which fall and rise balance, Hz at `tickMicroseconds` per tick; nil: off.
    public var homeostasisTargetHz: Double?
    /// The tick length the ms and Hz values assume, µs.
    public var tickMicroseconds: UInt32

    /// The summary of population `p` whose neurons have homeostatic threshold offsets `offsets`
    /// (Q8.8 mV, one per neuron), times at `tickMicroseconds` (≥ 1) per tick. O(count).
    public init(_ p: PopulationTable.Population, offsets: ArraySlice<Int16>, tickMicroseconds: UInt32) {
        let unit = Double(PopulationTable.unitsPerMillivolt)
        let dt = Double(max(tickMicroseconds, 1)) / 1000
        name = p.name
        start = p.start
        end = p.start + p.count
        count = p.count
        kind = p.inhibitory ? "inhibitory" : "excitatory"
        decay = p.decay
        retentionPerTick = Double(p.decay) / Double(1 << PopulationTable.decayShift)
        let r = retentionPerTick
        tauMTicks = r >= 1 ? nil : r <= 0 ? 0 : -1 / log(r)
        tauMMs = tauMTicks.map { $0 * dt }
        let rest = Double(p.rest) / unit
        vRestMV = rest
        vThresholdMV = rest + Double(p.threshold) / unit
        let offsetSum = offsets.reduce(0) { $0 + Int($1) }
        meanThresholdMV = vThresholdMV + (offsets.isEmpty ? 0 : Double(offsetSum) / Double(offsets.count) / 256)
        vResetMV = rest + Double(p.reset) / unit
        vMinMV = p.floor == Int32.min ? nil : rest + Double(p.floor) / unit
        refractoryTicks = Int(p.refractory)
        tRefMs = Double(p.refractory) * dt
        driveMVPerTick = Double(p.drive) / unit
        // drive = (i_e / c_m) · τ_m · (1 − retention); without leak, (i_e / c_m) · dt.
        let integral = r >= 1 ? dt : (tauMMs ?? 0) * (1 - r)
        currentPerCapacitance = integral > 0 ? driveMVPerTick / integral : nil
        synapse = p.exponential ? "exp" : "delta"
        if p.exponential {
            let scale = Double(1 << PopulationTable.decayShift)
            func ticks(_ d: Int32) -> Double? { d >= 1 << 24 ? nil : d <= 0 ? 0 : -1 / log(Double(d) / scale) }
            tauSynExTicks = ticks(p.synapseDecayExcitatory)
            tauSynInTicks = ticks(p.synapseDecayInhibitory)
            tauSynExMs = tauSynExTicks.map { $0 * dt }
            tauSynInMs = tauSynInTicks.map { $0 * dt }
        }
        homeostasisFallMV = Double(p.homeostasisFall) / 256
        homeostasisRiseMV = Double(p.homeostasisRise) / 256
        if p.homeostasis {
            // fall · (ticks without a spike) = rise · spikes: a spike on fall / (fall + rise) of the ticks.
            homeostasisTargetHz = Double(p.homeostasisFall) / Double(p.homeostasisFall + p.homeostasisRise) / dt * 1000
        }
        self.tickMicroseconds = max(tickMicroseconds, 1)
    }

    /// The tick length `tickMicroseconds` in ms, as text: `1`, `0.1`, `0.025`.
    public static func milliseconds(_ tickMicroseconds: UInt32) -> String {
        tickMicroseconds % 1000 == 0 ? "\(tickMicroseconds / 1000)" : "\(Double(tickMicroseconds) / 1000)"
    }

    /// `x` rounded to `digits` decimals, as Swift prints the result (`20.0`, `19.99999`).
    static func rounded(_ x: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0 ..< digits { scale *= 10 }
        return "\((x * scale).rounded() / scale)"
    }

    /// The indented lines `PoolStats.description` prints for the population.
    var lines: [String] {
        let f = Self.rounded
        let membrane = tauMTicks.map { "tau_m \(f($0, 3)) ticks = \(f(tauMMs!, 4)) ms" } ?? "no leak"
        let iE = currentPerCapacitance.map { " (i_e/c_m \(f($0, 4)) pA/pF)" } ?? ""
        func tau(_ ticks: Double?, _ ms: Double?) -> String { ticks.map { "\(f($0, 3)) ticks = \(f(ms!, 4)) ms" } ?? "no decay" }
        let synapses = synapse == "exp"
            ? "exponential synapses: tau_syn_ex \(tau(tauSynExTicks, tauSynExMs)), tau_syn_in \(tau(tauSynInTicks, tauSynInMs))"
            : "delta synapses"
        let homeostasis = homeostasisTargetHz.map {
            "homeostasis -\(f(homeostasisFallMV, 4)) mV per silent tick, +\(f(homeostasisRiseMV, 4)) mV per spike (balance at \(f($0, 2)) Hz)"
        } ?? "homeostasis off"
        return [
            "    \(name) [\(start), \(end)): \(count) \(kind), \(synapses)",
            "      \(membrane) (retention \(f(retentionPerTick, 8)) per tick = \(decay)/2^24), t_ref \(refractoryTicks) ticks = \(f(tRefMs, 4)) ms",
            "      v_rest \(f(vRestMV, 4)) mV, v_threshold \(f(vThresholdMV, 4)) mV (mean with homeostasis \(f(meanThresholdMV, 4))), v_reset \(f(vResetMV, 4)) mV, v_min "
                + (vMinMV.map { "\(f($0, 4)) mV" } ?? "unbounded"),
            "      drive \(f(driveMVPerTick, 6)) mV per tick\(iE), \(homeostasis)",
        ]
    }
}
