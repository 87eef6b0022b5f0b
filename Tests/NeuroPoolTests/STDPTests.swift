import Foundation
import Testing
@testable import NeuroPool

/// The STDP window and the eligibility trace, against their closed forms.
@Suite("STDP window and eligibility")
struct STDPTests {
    /// STDP on, homeostasis off; eligibility that does not decay within a test unless asked.
    static func config(eligibilityTau: Int = 100_000_000) -> PoolConfig {
        var c = quietConfig()
        c.stdp = true
        c.eligibilityTau = eligibilityTau
        c.learningGain = 0
        return c
    }

    /// Neuron 0 → 1 with `delay`, and 0 → 2, 2 → 1 (2 never fires). Weights are tiny so
    /// nothing fires except what the test drives.
    static func pairPool(delay: UInt8, config: PoolConfig = config()) -> NeuronPool {
        excitatoryPool(3, edges: [
            (0, Synapse(target: 1, weight: 1, delay: delay)),
            (0, Synapse(target: 2, weight: 1, delay: delay)),
            (2, Synapse(target: 1, weight: 1, delay: 1)),
        ], config: config)
    }

    /// Pre (0) fires at tick `pre`, post (1) at tick `post`; runs to a tick past both plus the
    /// delay, so the arrival has happened. Returns the pool.
    static func pairing(pre: Int, post: Int, delay: UInt8) throws -> NeuronPool {
        var pool = pairPool(delay: delay)
        let end = max(pre, post) + Int(delay) + 2
        for t in 0 ..< end {
            var fire: [Int] = []
            if t == pre { fire.append(0) }
            if t == post { fire.append(1) }
            try pool.tick(input: kick(3, fire))
            #expect(Set(pool.lastSpikes.map(Int.init)) == Set(fire), "tick \(t)")
        }
        return pool
    }

    /// The closed form at 1 ms ticks: Δ = t_post − (t_pre + delay);
    /// Δ ≥ 0 → round(A+ e^(−Δ/τ+)), Δ < 0 → −round(A− e^(−|Δ|/τ−)).
    static func expected(_ delta: Int, _ c: PoolConfig) -> Int {
        if delta >= 0 { return Int((Double(c.stdpPotentiation) * exp(-Double(delta) / Double(c.stdpTauPlus))).rounded()) }
        return -Int((Double(c.stdpDepression) * exp(Double(delta) / Double(c.stdpTauMinus))).rounded())
    }

    @Test(arguments: [1, 3, 8])
    func windowMatchesTheClosedFormFromMinus50To50Ticks(delay: Int) throws {
        let c = Self.config()
        for delta in -50 ... 50 {
            // Place the pair so both ticks are ≥ 5: arrival = pre + delay, post = arrival + Δ.
            let pre = 60
            let post = pre + delay + delta
            guard post != pre else { continue } // same tick: covered by sameTickPairCountsOnce
            let pool = try Self.pairing(pre: pre, post: post, delay: UInt8(delay))
            let e = Int(try synapse(pool, from: 0, to: 1).eligibility)
            #expect(e == Self.expected(delta, c), "delay \(delay), Δ \(delta): e \(e)")
            #expect(try synapse(pool, from: 0, to: 2).eligibility == 0)
            #expect(try synapse(pool, from: 2, to: 1).eligibility == 0)
        }
    }

    @Test func defaultWindowIsSlightlyDepressionDominated() {
        let c = PoolConfig()
        let rule = c.stdpRule
        let ltp = rule.potentiationWindow.reduce(0) { $0 + Int($1) }
        let ltd = rule.depressionWindow.reduce(0) { $0 + Int($1) }
        #expect(c.stdpTauPlus == c.stdpTauMinus)
        #expect(ltd > ltp, "LTD integral \(ltd) vs LTP \(ltp)")
        #expect(Double(ltd) / Double(ltp) < 1.15)
    }

    /// The tick loops read every rule's two windows from one clamped table: for each installed
    /// rule (windows of different lengths, one of them empty) and for rule indices with no rule,
    /// every distance — inside, at the edges and far outside both windows — gives what the
    /// rule's own windows say.
    @Test func windowTableMatchesEveryRulesWindows() {
        let rules = [
            PlasticityRule(potentiation: 27, depression: 29, tauPlus: 20, tauMinus: 20, eligibilityTau: 1000, gain: 0, bounds: 0 ... 32767),
            PlasticityRule(potentiation: 100, depression: 5, tauPlus: 3, tauMinus: 300, eligibilityTau: 1000, gain: 0, bounds: 0 ... 32767),
            PlasticityRule(potentiation: 0, depression: 60, tauPlus: 50, tauMinus: 7, eligibilityTau: 1000, gain: 0, bounds: 0 ... 32767),
        ]
        let state = PlasticityState(rules: rules, dopamineTau: 200)
        state.withWindows { windows in
            for r in 0 ..< NeuronPool.maxPlasticityRules {
                let plus = r < rules.count ? rules[r].potentiationWindow : []
                let minus = r < rules.count ? rules[r].depressionWindow : []
                func potentiation(_ d: Int) -> Int32 { d < plus.count ? Int32(plus[d]) : 0 }
                func depression(_ d: Int) -> Int32 { d >= 1 && d < minus.count ? Int32(minus[d]) : 0 }
                let reach = max(plus.count, minus.count) + 3
                for delta in Array(-reach ... reach) + [Int(Int32.min), -100_000, 100_000, Int(Int32.max)] {
                    let pair = delta >= 0 ? potentiation(delta) : -depression(-delta)
                    #expect(windows.pairing(rule: r, delta: delta) == pair, "rule \(r), post − arrival \(delta)")
                    #expect(windows.depression(rule: r, delta: delta) == (delta >= 1 ? depression(delta) : 0),
                            "rule \(r), arrival − post \(delta)")
                }
            }
        }
    }

    @Test func sameTickPairCountsOnce() throws {
        // Pre and post fire in the same tick: the arrival comes `delay` ticks after the post spike.
        let c = Self.config()
        let pool = try Self.pairing(pre: 10, post: 10, delay: 4)
        #expect(Int(try synapse(pool, from: 0, to: 1).eligibility) == Self.expected(-4, c))
    }

    @Test func stdpOffChangesNothing() throws {
        var pool = Self.pairPool(delay: 1, config: quietConfig())
        try pool.tick(input: kick(3, [0]))
        try pool.tick(input: kick(3, [1]))
        for _ in 0 ..< 5 { pool.tick() }
        #expect(pool.synapses.synapses.allSatisfy { $0.eligibility == 0 })
    }

    @Test func coldSynapsesGetNoEligibility() throws {
        var pool = excitatoryPool(2, edges: [(0, Synapse(target: 1, weight: 1, delay: 1, maturity: Maturity.encode(.cold, counter: 5)))],
                                  config: Self.config())
        try pool.tick(input: kick(2, [0]))
        try pool.tick(input: kick(2, [1]))
        try pool.tick(input: kick(2, [0]))
        #expect(try synapse(pool, from: 0, to: 1).eligibility == 0)
    }

    /// 200 pre neurons → 1 post neuron, all paired at Δ = 0, so each synapse starts at A+.
    static func fanIn(config c: PoolConfig, weight: Int8 = 30, maturity: UInt8 = Maturity.newborn) throws -> NeuronPool {
        let n = 201
        var pool = excitatoryPool(n, edges: (0 ..< 200).map { ($0, Synapse(target: 200, weight: weight, delay: 1, maturity: maturity)) },
                                  config: c)
        try pool.tick(input: kick(n, Array(0 ..< 200)))
        try pool.tick(input: kick(n, [200]))
        #expect(pool.lastSpikes == [200])
        return pool
    }

    static func meanEligibility(_ pool: NeuronPool) -> Double {
        Double(pool.synapses.synapses.reduce(0) { $0 + Int($1.eligibility) }) / Double(pool.synapseCount)
    }

    @Test(arguments: [200, 1000])
    func eligibilityDecaysWithItsTimeConstant(tau: Int) throws {
        var pool = try Self.fanIn(config: Self.config(eligibilityTau: tau))
        let start = Self.meanEligibility(pool)
        #expect(start == Double(pool.config.stdpPotentiation))
        var t = 0
        for multiple in [0.5, 1.0, 2.0] {
            let target = Int(Double(tau) * multiple)
            while t < target { pool.tick(); t += 1 }
            let mean = Self.meanEligibility(pool)
            let predicted = start * exp(-Double(t) / Double(tau))
            #expect(abs(mean - predicted) <= 0.05 * start, "τ \(tau), t \(t): mean \(mean), predicted \(predicted)")
        }
        while t < 8 * tau { pool.tick(); t += 1 }
        #expect(Self.meanEligibility(pool).magnitude < 0.5, "eligibility reaches zero, it does not stall")
    }
}
