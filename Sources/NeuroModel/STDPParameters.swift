import Foundation
import NeuroPool

/// A plastic projection's learning rule in physical units: pair-based STDP writing an
/// eligibility trace, and weight change by learning rate × eligibility × dopamine.
///
/// A pair at distance Δ (post-synaptic spike minus pre-synaptic *arrival*) adds
/// `aPlus·e^(−Δ/τ+)` to the synapse's eligibility for Δ ≥ 0 and `−aMinus·e^(−|Δ|/τ−)` for
/// Δ < 0; eligibility decays with `tauElig`. The weight (a PSP amplitude, mV) changes at
/// `learningRate · eligibility · d` mV/s, where `d` is the dopamine level above baseline in
/// units of 128 broadcast levels (a broadcast of 255 adds a pulse of ≈ 1 that decays with the
/// pool's `tau_dopamine`), and stays within [`wMin`, `wMax`] in magnitude (hard bounds).
/// Quantized once onto `PlasticityRule` (`quantized(tickMicroseconds:shift:)`).
public struct STDPParameters: Sendable, Equatable, Hashable {
    /// Eligibility per pre-before-post pair at Δ = 0, dimensionless.
    public var aPlus: Double = 1.0
    /// Eligibility removed per post-before-pre pair at Δ → 0. The default, 1.1 × `aPlus`,
    /// makes the window slightly depression-dominated (its integral 1.04–1.1 times the
    /// potentiation's, from 1 ms to 0.1 ms ticks), as in Song, Miller & Abbott 2000.
    public var aMinus: Double = 1.1
    /// Time constants of the potentiation and depression windows, ms.
    public var tauPlus: Double = 20
    public var tauMinus: Double = 20
    /// Time constant of the eligibility trace, ms (Izhikevich 2007: 1 s).
    public var tauElig: Double = 1000
    /// mV per second per unit of eligibility per unit of dopamine.
    public var learningRate: Double = 1
    /// Bounds of the weight magnitude, mV. Nil `wMax`: twice the largest weight drawn.
    public var wMin: Double = 0
    public var wMax: Double? = nil

    public init() {}

    /// Eligibility units the larger amplitude maps to (127 is the most a synapse holds, so
    /// about 2.6 full pairings accumulate before the trace saturates).
    public static let unitsPerAmplitude = 48.0

    /// Checks ranges; returns the name of the first bad field with what it expects, or nil.
    public func problem() -> (field: String, expected: String)? {
        if !(aPlus >= 0 && aPlus <= 1e6) { return ("a_plus", ">= 0") }
        if !(aMinus >= 0 && aMinus <= 1e6) { return ("a_minus", ">= 0") }
        if aPlus == 0 && aMinus == 0 { return ("a_plus", "a_plus or a_minus above 0") }
        for (name, tau) in [("tau_plus", tauPlus), ("tau_minus", tauMinus)] where !(tau > 0 && tau <= 10_000) {
            return (name, "0 < \(name) <= 10000 ms")
        }
        if !(tauElig > 0 && tauElig <= 1_000_000) { return ("tau_elig", "0 < tau_elig <= 1000000 ms") }
        if !(learningRate >= 0 && learningRate <= 1e6) { return ("learning_rate", "0 <= learning_rate <= 10^6 mV/s") }
        if !(wMin >= 0 && wMin <= 100) { return ("w_min", "0 <= w_min <= 100 mV") }
        if let wMax, !(wMax > wMin && wMax <= 100) { return ("w_max", "w_min < w_max <= 100 mV") }
        return nil
    }

    /// The upper bound for a projection whose weights reach `largest` mV in magnitude.
    public func upperBound(largestWeight largest: Double) -> Double { wMax ?? 2 * abs(largest) }

    /// The integer rule at a tick of `tickMicroseconds` for weights of scale `shift` (a weight
    /// unit is 2^shift · 2^−16 mV) whose magnitudes reach `largest` mV. Time constants round
    /// to whole ticks (at least one), amplitudes to eligibility units, bounds to 1/256 units.
    public func quantized(tickMicroseconds: Int, shift: Int, largestWeight largest: Double) -> PlasticityRule {
        let dt = Double(tickMicroseconds) / 1000
        let ticks = { (ms: Double) in max(1, Int((ms / dt).rounded())) }
        let amplitude = max(aPlus, aMinus)
        let units = Self.unitsPerAmplitude / amplitude
        let unitMillivolts = Double(1 << shift) / Double(PopulationTable.unitsPerMillivolt)
        // 1/256 weight units per (eligibility unit · 1/256 dopamine level · tick), × 2^32.
        let gain = learningRate * dt / 1000 / units / (128 * 256) * 256 / unitMillivolts * 4_294_967_296
        let fine = { (mv: Double) in min(max(Int((mv / unitMillivolts * 256).rounded()), 0), 32767) }
        return PlasticityRule(potentiation: min(Int((aPlus * units).rounded()), 127), depression: min(Int((aMinus * units).rounded()), 127),
                              tauPlus: min(ticks(tauPlus), 100_000), tauMinus: min(ticks(tauMinus), 100_000),
                              eligibilityTau: min(ticks(tauElig), 100_000_000),
                              gain: min(Int64(gain.rounded()), PlasticityRule.maxGain),
                              bounds: fine(wMin) ... max(fine(wMin), fine(upperBound(largestWeight: largest))))
    }
}
