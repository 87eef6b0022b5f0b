/// A pool's plasticity: its rules (with their windows laid out for the tick loops) and the
/// neuromodulator levels the three-factor rule reads.
///
/// **Modulators.** Dopamine and cortisol are levels that relax to their baselines with time
/// constant `PoolConfig.dopamineTau`. A broadcast adds a pulse: dopamine `L` adds `L − baseline`
/// (negative below baseline: a dip), cortisol adds its excess over its baseline. The
/// modulation the weights see is `m = dopamine excess − cortisol excess`, in 1/256 level units,
/// summed tick by tick and spent every `sweepInterval` ticks by `NeuronPool`'s sweep.
public struct PlasticityState: Sendable, Equatable {
    /// The rules, 1…`NeuronPool.maxPlasticityRules`; a synapse's rule index selects one.
    public private(set) var rules: [PlasticityRule]
    /// Dopamine above baseline, 1/256 level units (−127…127 levels).
    public internal(set) var dopamine: Int32 = 0
    /// Cortisol above baseline, 1/256 level units (0…255 levels).
    public internal(set) var cortisol: Int32 = 0
    /// Σ (dopamine − cortisol) over the ticks since the last sweep.
    public internal(set) var integral: Int64 = 0

    /// Ticks between sweeps (eligibility decay and weight change): 1/32 of the shortest
    /// eligibility time constant, within 1…64. Derived from the rules.
    public private(set) var sweepInterval: Int
    /// Per tick retention of the modulator levels, 1/65536 (from `PoolConfig.dopamineTau`).
    private(set) var levelRetention: Int64
    /// The STDP windows of all rules in one table of signed eligibility changes, a row of
    /// `windowStride` entries per rule index (all eight; rules not installed: zeros). Entry
    /// `windowZero` of a row is 0; `windowZero + 1 + Δ` is what a post spike Δ ≥ 0 ticks after
    /// an arrival adds, `windowZero − Δ` minus what an arrival Δ ≥ 1 ticks after a post spike
    /// removes. Both ends of a row are 0, so an index clamped into the row needs no branch.
    private(set) var window: ContiguousArray<Int8> = []
    /// Entries per row of `window`: `windowZero + longest potentiation window + 2`.
    private(set) var windowStride = 1
    /// The "no change" slot between a row's two windows: the longest depression window.
    private(set) var windowZero = 0
    /// Eligibility retention per sweep of each rule, 1/65536.
    private(set) var retention: ContiguousArray<Int64> = []
    /// The weight-change multiplier of each rule for the current sweep (`prepareSweep`).
    private(set) var multipliers: ContiguousArray<Int64> = []
    /// Each rule's bounds as (low, high), for the sweep.
    private(set) var bounds: ContiguousArray<(Int, Int)> = []

    /// Most pulses the levels hold: ±127 dopamine levels, 255 cortisol levels.
    static let dopamineLimit: Int32 = 127 << 8
    static let cortisolLimit: Int32 = 255 << 8

    /// A state with `rules` (validated by the caller) and levels at baseline.
    init(rules: [PlasticityRule], dopamineTau: Int) {
        self.rules = rules
        sweepInterval = 1
        levelRetention = 0
        install(rules, dopamineTau: dopamineTau)
    }

    /// Replaces the rules and recomputes what is derived from them.
    mutating func install(_ rules: [PlasticityRule], dopamineTau: Int) {
        self.rules = rules
        let shortest = rules.map(\.eligibilityTau).min() ?? 1
        sweepInterval = min(max(shortest / 32, 1), 64)
        levelRetention = PlasticityRule(potentiation: 0, depression: 0, tauPlus: 1, tauMinus: 1, eligibilityTau: max(dopamineTau, 1),
                                        gain: 0, bounds: 0 ... 0).retention(over: 1)
        // Every table has all eight entries (rules not installed: no change), so any 3-bit
        // rule index a synapse carries is safe to look up.
        let installed = (0 ..< NeuronPool.maxPlasticityRules).map { $0 < rules.count ? rules[$0] : nil }
        let plus = installed.map { $0?.potentiationWindow ?? [] }
        let minus = installed.map { $0?.depressionWindow ?? [] }
        windowZero = minus.map(\.count).max() ?? 0
        windowStride = windowZero + (plus.map(\.count).max() ?? 0) + 2
        window = ContiguousArray(repeating: 0, count: windowStride * installed.count)
        for r in installed.indices {
            let zero = r * windowStride + windowZero
            for (delta, v) in plus[r].enumerated() { window[zero + 1 + delta] = v }
            for (delta, v) in minus[r].enumerated() where delta >= 1 { window[zero - delta] = -v }
        }
        retention = ContiguousArray(installed.map { $0?.retention(over: sweepInterval) ?? 0 })
        multipliers = ContiguousArray(repeating: 0, count: NeuronPool.maxPlasticityRules)
        bounds = ContiguousArray((0 ..< NeuronPool.maxPlasticityRules).map {
            $0 < rules.count ? (rules[$0].bounds.lowerBound, rules[$0].bounds.upperBound) : (0, 32767)
        })
    }

    /// Adds a broadcast's pulses (levels 0…255 against the baselines).
    mutating func receive(dopamine level: Int?, cortisol: Int?, dopamineBaseline: Int, cortisolBaseline: Int) {
        if let level {
            let sum = Int64(dopamine) + Int64(level - dopamineBaseline) << 8
            dopamine = Int32(min(max(sum, -Int64(Self.dopamineLimit)), Int64(Self.dopamineLimit)))
        }
        if let cortisol, cortisol > cortisolBaseline {
            self.cortisol = min(self.cortisol + Int32(cortisol - cortisolBaseline) << 8, Self.cortisolLimit)
        }
    }

    /// One tick: the levels relax toward baseline (magnitudes lose at least one unit, so they
    /// reach it) and their difference is added to `integral`. O(1).
    @inline(__always)
    mutating func advance() {
        if dopamine != 0 { dopamine = Self.relax(dopamine, levelRetention) }
        if cortisol != 0 { cortisol = Self.relax(cortisol, levelRetention) }
        integral &+= Int64(dopamine) &- Int64(cortisol)
    }

    @inline(__always)
    static func relax(_ v: Int32, _ keep: Int64) -> Int32 {
        let magnitude = Int64(v.magnitude)
        let lost = (magnitude &* (65536 &- keep) &+ 65535) &>> 16
        let kept = Int32(magnitude &- lost)
        return v < 0 ? -kept : kept
    }

    /// Sets every rule's sweep multiplier for the modulation summed since the last sweep
    /// (`integral · gain / 2^16`; a synapse's change is `e · M / 2^16` in 1/256 weight units)
    /// and resets the sum. Returns whether any multiplier is non-zero. No allocation.
    mutating func prepareSweep() -> Bool {
        // |integral| < 64 ticks · 2^17 and gain ≤ 2^39: the product stays within 2^62.
        let sum = integral
        integral = 0
        var any = false
        for r in rules.indices {
            multipliers[r] = (sum &* rules[r].gain) &>> 16
            any = any || multipliers[r] != 0
        }
        return any
    }
}

extension PlasticityState {
    /// Equal rules and levels (the derived windows and the sweep scratch are not compared).
    public static func == (a: PlasticityState, b: PlasticityState) -> Bool {
        a.rules == b.rules && a.dopamine == b.dopamine && a.cortisol == b.cortisol && a.integral == b.integral
            && a.levelRetention == b.levelRetention
    }
}

/// The STDP windows of a pool's rules as a raw buffer, valid inside `PlasticityState.withWindows`.
/// Each lookup clamps its index into the rule's row, whose ends are 0: no branch in the loops
/// that read it, whatever the distance.
package struct PlasticityWindows {
    var table: UnsafeBufferPointer<Int8>
    var stride: Int
    var zero: Int

    /// The eligibility change of a pair whose post spike is `delta` ticks after the arrival:
    /// the potentiation window at `delta` ≥ 0, minus the depression window at `−delta` when the
    /// arrival comes later; 0 outside both.
    @inline(__always)
    func pairing(rule: Int, delta: Int) -> Int32 {
        // delta ≥ 0 lands on zero + 1 + delta, delta < 0 on zero + delta (`delta >> 63` is −1).
        let i = zero &+ delta &+ 1 &+ (delta &>> 63)
        return Int32(table[rule &* stride &+ min(max(i, 0), stride &- 1)])
    }

    /// What an arrival `delta` ticks after a post spike removes under `rule` (0 outside the
    /// window, at `delta` 0 and before it).
    @inline(__always)
    func depression(rule: Int, delta: Int) -> Int32 {
        -Int32(table[rule &* stride &+ min(max(zero &- delta, 0), zero)])
    }
}

extension PlasticityState {
    /// Lends the windows to `body` as a raw buffer.
    func withWindows<R>(_ body: (PlasticityWindows) -> R) -> R {
        window.withUnsafeBufferPointer { table in
            body(PlasticityWindows(table: table, stride: windowStride, zero: windowZero))
        }
    }
}
