import Testing
@testable import NeuroPool

@Suite("STDP eligibility")
struct STDPTests {
    /// STDP on, homeostasis off, eligibility decay pushed out of the pairing window.
    static func config(stdp: Bool = true) -> PoolConfig {
        var c = quietConfig()
        c.stdp = stdp
        c.eligibilityDecayInterval = 255
        return c
    }

    /// 0 → 1 (the pair under test), 0 → 2 (2 never fires), 2 → 1 (2 never fires). Weights
    /// are tiny so nothing fires except what the test drives.
    static func pairPool(stdp: Bool = true) -> NeuronPool {
        excitatoryPool(3, edges: [
            (0, Synapse(target: 1, weight: 1, delay: 1)),
            (0, Synapse(target: 2, weight: 1, delay: 1)),
            (2, Synapse(target: 1, weight: 1, delay: 1)),
        ], config: config(stdp: stdp))
    }

    /// Fires `first` in one tick and `second` `lag` ticks later; returns the pool.
    static func pairing(first: Int, second: Int, lag: Int, stdp: Bool = true) throws -> NeuronPool {
        var pool = pairPool(stdp: stdp)
        try pool.tick(input: kick(3, [first]))
        #expect(Array(pool.lastSpikes) == [UInt16(first)])
        for _ in 1 ..< lag { pool.tick() }
        try pool.tick(input: kick(3, [second]))
        #expect(Array(pool.lastSpikes) == [UInt16(second)])
        return pool
    }

    @Test func causalPairingGainsPositiveEligibility() throws {
        let c = Self.config()
        var previous = Int.max
        for lag in 1 ... 5 {
            let pool = try Self.pairing(first: 0, second: 1, lag: lag)
            let e = Int(try synapse(pool, from: 0, to: 1).eligibility)
            #expect(e > 0, "lag \(lag)")
            #expect(e <= c.stdpPotentiation, "lag \(lag)")
            #expect(e < previous, "a longer lag must give less eligibility (lag \(lag): \(e) after \(previous))")
            previous = e
            // Synapses whose other end did not fire are untouched.
            #expect(try synapse(pool, from: 0, to: 2).eligibility == 0)
            #expect(try synapse(pool, from: 2, to: 1).eligibility == 0)
        }
    }

    @Test func antiCausalPairingGetsNegativeEligibility() throws {
        let c = Self.config()
        var magnitudes: [Int] = []
        for lag in 1 ... 5 {
            let pool = try Self.pairing(first: 1, second: 0, lag: lag)
            let e = Int(try synapse(pool, from: 0, to: 1).eligibility)
            #expect(e < 0, "lag \(lag)")
            #expect(-e <= c.stdpDepression, "lag \(lag)")
            magnitudes.append(-e)
            #expect(try synapse(pool, from: 0, to: 2).eligibility == 0)
        }
        #expect(magnitudes == magnitudes.sorted(by: >), "depression must not grow with the lag: \(magnitudes)")
        #expect(magnitudes.first! > magnitudes.last!)
    }

    @Test func aLoneSpikeIsNoPairing() throws {
        var pool = Self.pairPool()
        try pool.tick(input: kick(3, [0]))
        for _ in 0 ..< 5 { pool.tick() }
        #expect(pool.synapses.synapses.allSatisfy { $0.eligibility == 0 })
    }

    @Test func pairingsFarApartDoNotCount() throws {
        // After the pre trace has decayed to zero a post spike is no longer causal.
        var pool = Self.pairPool()
        try pool.tick(input: kick(3, [0]))
        var ticks = 0
        while pool.neurons.trace[0] > 0 && ticks < 1000 { pool.tick(); ticks += 1 }
        #expect(pool.neurons.trace[0] == 0)
        try pool.tick(input: kick(3, [1]))
        #expect(try synapse(pool, from: 0, to: 1).eligibility == 0)
    }

    @Test func repeatedCausalPairingsAccumulateAndSaturate() throws {
        var pool = Self.pairPool()
        var values: [Int8] = []
        for _ in 0 ..< 20 {
            try pool.tick(input: kick(3, [0]))
            for _ in 0 ..< 3 { pool.tick() }   // past the refractory periods
            try pool.tick(input: kick(3, [1]))
            for _ in 0 ..< 7 { pool.tick() }   // 20 cycles of 12 ticks stay inside one decay interval
            values.append(try synapse(pool, from: 0, to: 1).eligibility)
        }
        #expect(values[1] > values[0])
        #expect(values.last! == 127, "eligibility saturates at 127: \(values)")
        #expect(values.allSatisfy { $0 > 0 && $0 <= 127 })
    }

    @Test func eligibilityDecaysTowardZeroAtEachInterval() throws {
        var c = quietConfig()
        c.stdp = true
        let interval = c.eligibilityDecayInterval
        let shift = c.eligibilityDecayShift
        var pool = excitatoryPool(4, edges: (0 ..< 3).flatMap { s in
            (0 ..< 4).filter { $0 != s }.map { (s, Synapse(target: UInt16($0), weight: 1, delay: 1)) }
        }, config: c)
        let start: [Int8] = [100, -100, 127, -127, 1, -1, 2, -2, 0]
        for k in 0 ..< pool.synapseCount { pool.synapses[k].eligibility = start[k % start.count] }
        var expected = pool.synapses.synapses.map { Int($0.eligibility) }
        var decaySteps = 0
        while decaySteps < 20 {
            pool.tick()
            let now = pool.synapses.synapses.map { Int($0.eligibility) }
            if pool.tickCount % UInt64(interval) == 0 {
                // Documented: |e| loses ⌈|e| / 2^shift⌉, sign kept.
                expected = expected.map { e in
                    let m = abs(e)
                    let kept = m - (m + (1 << shift) - 1) / (1 << shift)
                    return e < 0 ? -kept : kept
                }
                decaySteps += 1
            }
            #expect(now == expected, "tick \(pool.tickCount)")
            if now != expected { break }
        }
        #expect(pool.lastSpikeCount == 0)
        #expect(pool.synapses.synapses.allSatisfy { $0.eligibility == 0 }, "20 decay steps bring even ±127 to zero")
    }

    @Test func decayLeavesEveryOtherFieldAlone() throws {
        var c = quietConfig()
        c.stdp = true
        c.eligibilityDecayInterval = 1
        var pool = excitatoryPool(3, edges: [
            (0, Synapse(target: 1, weight: 77, delay: 5, eligibility: -90, maturity: Maturity.encode(.cool, counter: 9))),
            (1, Synapse(target: 2, weight: 0, delay: 8, eligibility: 127, maturity: Maturity.encode(.warm, counter: 63))),
            (2, Synapse(target: 0, weight: 127, delay: 1, eligibility: 3, maturity: Maturity.encode(.cool, counter: 63))),
        ], config: c)
        let before = edges(pool.synapses)
        pool.tick()
        let after = edges(pool.synapses)
        #expect(after.count == before.count)
        for (a, b) in zip(before, after) {
            #expect((a.source, a.target, a.weight, a.delay, a.maturity) == (b.source, b.target, b.weight, b.delay, b.maturity))
            #expect(abs(b.eligibility) < abs(a.eligibility))
            #expect(b.eligibility.signum() == a.eligibility.signum() || b.eligibility == 0)
        }
        #expect(pool.synapses.synapses.allSatisfy { $0.reserved == 0 })
    }

    @Test func stdpOffChangesNoEligibility() throws {
        let causal = try Self.pairing(first: 0, second: 1, lag: 1, stdp: false)
        #expect(causal.synapses.synapses.allSatisfy { $0.eligibility == 0 })
        let anti = try Self.pairing(first: 1, second: 0, lag: 1, stdp: false)
        #expect(anti.synapses.synapses.allSatisfy { $0.eligibility == 0 })

        // Nor does it decay existing eligibility.
        var c = quietConfig()
        c.stdp = false
        c.eligibilityDecayInterval = 1
        var pool = excitatoryPool(2, edges: [(0, Synapse(target: 1, weight: 1, delay: 1, eligibility: 100))], config: c)
        for _ in 0 ..< 50 { pool.tick() }
        try pool.tick(input: kick(2, [0]))
        try pool.tick(input: kick(2, [1]))
        #expect(try synapse(pool, from: 0, to: 1).eligibility == 100)
    }

    @Test func coldSynapsesKeepTheirEligibility() throws {
        var c = Self.config()
        c.eligibilityDecayInterval = 255
        var pool = excitatoryPool(2, edges: [(0, Synapse(target: 1, weight: 1, delay: 1, eligibility: 10,
                                                         maturity: Maturity.encode(.cold, counter: 0)))], config: c)
        try pool.tick(input: kick(2, [0]))
        try pool.tick(input: kick(2, [1]))   // causal
        #expect(try synapse(pool, from: 0, to: 1).eligibility == 10)
        for _ in 0 ..< 3 { pool.tick() }
        try pool.tick(input: kick(2, [0]))   // anti-causal (1 fired 4 ticks ago)
        #expect(try synapse(pool, from: 0, to: 1).eligibility == 10)
    }
}
