import Foundation

/// One set of STDP and three-factor constants in the pool's integer units: what a plastic
/// projection's synapses (or all of a shorthand pool's) follow. A pool holds up to
/// `NeuronPool.maxPlasticityRules`; each synapse names its rule in bits 5–7 of `reserved`.
///
/// **Pairing.** A pre-synaptic spike counts when it *arrives* (its tick plus the synapse's
/// delay). A post-synaptic spike `Δ ≥ 0` ticks after an arrival adds
/// `round(potentiation · e^(−Δ/tauPlus))` to the synapse's eligibility; an arrival `Δ ≥ 1`
/// ticks after a post-synaptic spike subtracts `round(depression · e^(−Δ/tauMinus))`. Each
/// spike pairs with the most recent spike on the other side (nearest-spike pairing).
///
/// **Eligibility** (−127…127) decays with time constant `eligibilityTau`.
///
/// **Weight change.** While the pool's modulation `m` (dopamine above baseline minus cortisol
/// above baseline, `ModulatorState`) is non-zero, a synapse's weight magnitude changes by
/// `gain · e · m / 2^32` in 1/256 weight units per tick (`m` in 1/256 level units), kept in the
/// synapse's 8 fraction bits so sub-unit changes accumulate, and clamped to `bounds`.
public struct PlasticityRule: Sendable, Equatable, Hashable {
    /// Eligibility a pre-before-post pair at Δ = 0 adds, 0…127.
    public var potentiation: Int
    /// Eligibility a post-before-pre pair at Δ = 1 tick removes (before the decay of that
    /// tick: `depression · e^(−1/tauMinus)`), 0…127.
    public var depression: Int
    /// Time constant of the potentiation window, ticks, 1…100 000.
    public var tauPlus: Int
    /// Time constant of the depression window, ticks, 1…100 000.
    public var tauMinus: Int
    /// Time constant of the eligibility trace, ticks, 1…100 000 000.
    public var eligibilityTau: Int
    /// Learning gain: 1/256 weight units per (eligibility unit · 1/256 level unit · tick),
    /// times 2^32. 0…2^39.
    public var gain: Int64
    /// Bounds of the weight magnitude in 1/256 weight units, within 0…32767 (0…127.996).
    public var bounds: ClosedRange<Int>

    public init(potentiation: Int, depression: Int, tauPlus: Int, tauMinus: Int, eligibilityTau: Int,
                gain: Int64, bounds: ClosedRange<Int>) {
        self.potentiation = potentiation
        self.depression = depression
        self.tauPlus = tauPlus
        self.tauMinus = tauMinus
        self.eligibilityTau = eligibilityTau
        self.gain = gain
        self.bounds = bounds
    }

    /// Longest window table, ticks: windows are cut where their value rounds to zero or here.
    public static let maxWindow = 8192
    /// Largest `gain` (keeps `gain · Σm` within 64 bits over a sweep).
    public static let maxGain: Int64 = 1 << 39

    /// Checks every field's range; throws `PoolError.invalidConfig` naming the first bad one.
    public func validate() throws(PoolError) {
        func check(_ ok: Bool, _ field: String, _ value: Any, _ expected: String) throws(PoolError) {
            if !ok { throw .invalidConfig(field: field, value: "\(value)", expected: expected) }
        }
        try check((0 ... 127).contains(potentiation), "stdpPotentiation", potentiation, "0...127")
        try check((0 ... 127).contains(depression), "stdpDepression", depression, "0...127")
        try check((1 ... 100_000).contains(tauPlus), "stdpTauPlus", tauPlus, "1...100000 ticks")
        try check((1 ... 100_000).contains(tauMinus), "stdpTauMinus", tauMinus, "1...100000 ticks")
        try check((1 ... 100_000_000).contains(eligibilityTau), "eligibilityTau", eligibilityTau, "1...100000000 ticks")
        try check((0 ... Self.maxGain).contains(gain), "learningGain", gain, "0...\(Self.maxGain)")
        try check(bounds.lowerBound >= 0 && bounds.upperBound <= 32767, "weightBounds", bounds, "a range within 0...32767")
    }

    /// The potentiation window: entry Δ is what a post spike Δ ticks after an arrival adds.
    public var potentiationWindow: [Int8] { Self.window(potentiation, tau: tauPlus, from: 0) }
    /// The depression window: entry Δ (≥ 1; entry 0 is 0) is what an arrival Δ ticks after a
    /// post spike removes.
    public var depressionWindow: [Int8] { Self.window(depression, tau: tauMinus, from: 1) }

    /// `round(amplitude · e^(−Δ/tau))` for Δ = 0…, zero below `from`, cut after the last
    /// non-zero entry (at most `maxWindow`). Computed once, when a rule is installed.
    static func window(_ amplitude: Int, tau: Int, from: Int) -> [Int8] {
        var out: [Int8] = []
        for delta in 0 ..< maxWindow {
            let v = delta < from ? 0 : (Double(amplitude) * exp(-Double(delta) / Double(tau))).rounded()
            if delta >= from && v < 1 { break }
            out.append(Int8(v))
        }
        return out
    }

    /// Eligibility retention over `ticks` ticks in 1/65536: `round(65536 · e^(−ticks/τ))`.
    func retention(over ticks: Int) -> Int64 {
        Int64((65536 * exp(-Double(ticks) / Double(eligibilityTau))).rounded())
    }
}
