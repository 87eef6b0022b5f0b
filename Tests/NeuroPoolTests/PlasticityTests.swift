import Foundation
import Testing
@testable import NeuroPool

/// Three-factor weight change: eligibility × (dopamine − baseline), against its closed form.
@Suite("Three-factor plasticity")
struct PlasticityTests {
    static func config(gain: Int64, eligibilityTau: Int = 1000, bounds: ClosedRange<Int> = 0 ... 32767) -> PoolConfig {
        var c = quietConfig()
        c.stdp = true
        c.eligibilityTau = eligibilityTau
        c.learningGain = gain
        c.weightBounds = bounds
        return c
    }

    static func meanWeight(_ pool: NeuronPool) -> Double {
        Double(pool.synapses.synapses.reduce(0) { $0 + $1.fineMagnitude }) / Double(pool.synapseCount) / 256
    }

    /// Runs `ticks` ticks with no input.
    static func idle(_ pool: inout NeuronPool, _ ticks: Int) { for _ in 0 ..< ticks { pool.tick() } }

    /// The predicted change in weight units of a synapse with eligibility `e0` at the pairing,
    /// for a dopamine pulse of `excess` levels `delay` ticks later:
    /// gain/2^32 · e0 e^(−delay/τe) · 256·excess · (1/τe + 1/τd)^−1, over 256.
    static func predicted(_ c: PoolConfig, e0: Double, delay: Int, excess: Int) -> Double {
        let tauE = Double(c.eligibilityTau), tauD = Double(c.dopamineTau)
        let integral = e0 * exp(-Double(delay) / tauE) * Double(excess * 256) / (1 / tauE + 1 / tauD)
        return Double(c.learningGain) / 4_294_967_296 * integral / 256
    }

    @Test func aRewardOneTauAfterAPairingChangesTheWeightAsPredicted() throws {
        let c = Self.config(gain: 240_000)
        var pool = try STDPTests.fanIn(config: c)
        let before = Self.meanWeight(pool)
        Self.idle(&pool, 1000)
        pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        Self.idle(&pool, 3000)
        let change = Self.meanWeight(pool) - before
        let expected = Self.predicted(c, e0: Double(c.stdpPotentiation), delay: 1000, excess: 127)
        #expect(expected > 15, "the test needs a change of many units, got \(expected)")
        #expect(abs(change - expected) <= 0.05 * expected, "change \(change) units, predicted \(expected)")
    }

    @Test func aRewardFiveTauLaterChangesAlmostNothing() throws {
        let c = Self.config(gain: 240_000)
        var early = try STDPTests.fanIn(config: c)
        var late = early
        let before = Self.meanWeight(early)
        Self.idle(&early, 1000)
        early.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        Self.idle(&early, 3000)
        Self.idle(&late, 5000)
        late.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        Self.idle(&late, 3000)
        let atOneTau = Self.meanWeight(early) - before
        let atFiveTau = Self.meanWeight(late) - before
        #expect(atFiveTau.magnitude < 0.05 * atOneTau, "5τ: \(atFiveTau) units against \(atOneTau) at 1τ")
    }

    @Test func withoutModulatorsNothingChanges() throws {
        var pool = try STDPTests.fanIn(config: Self.config(gain: 240_000))
        let before = pool.synapses.synapses.map(\.fineMagnitude)
        Self.idle(&pool, 3000)
        #expect(pool.synapses.synapses.map(\.fineMagnitude) == before)
    }

    @Test func subUnitChangesAccumulate() throws {
        // A gain that moves each synapse by about a tenth of a unit per rewarded pairing.
        let c = Self.config(gain: 1200)
        var pool = try STDPTests.fanIn(config: c)
        let perReward = Self.predicted(c, e0: Double(c.stdpPotentiation), delay: 1000, excess: 127)
        #expect(perReward > 0.05 && perReward < 0.2)
        let start = pool.synapses.synapses.map { Int($0.weight) }
        let fineStart = Self.meanWeight(pool)
        Self.idle(&pool, 1000)
        pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        Self.idle(&pool, 2000)
        let once = Self.meanWeight(pool) - fineStart
        #expect(abs(once - perReward) <= 0.1 * perReward, "one reward: \(once), predicted \(perReward)")
        // Twenty more rewarded pairings: the fractions carry into whole units.
        for _ in 0 ..< 20 {
            try pool.tick(input: kick(201, Array(0 ..< 200)))
            try pool.tick(input: kick(201, [200]))
            Self.idle(&pool, 1000)
            pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
            Self.idle(&pool, 2000)
        }
        let gained = zip(pool.synapses.synapses, start).map { Double(Int($0.weight) - $1) }
        let meanGained = gained.reduce(0, +) / Double(gained.count)
        #expect(meanGained >= 1.5, "whole units gained: \(meanGained) (predicted about \(21 * perReward))")
    }

    @Test func weightsStayWithinTheirBounds() throws {
        let c = Self.config(gain: 4_000_000, bounds: 20 * 256 ... 40 * 256)
        var pool = try STDPTests.fanIn(config: c)
        for _ in 0 ..< 5 {
            try pool.tick(input: kick(201, Array(0 ..< 200)))
            try pool.tick(input: kick(201, [200]))
            pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
            Self.idle(&pool, 600)
        }
        #expect(pool.synapses.synapses.allSatisfy { $0.fineMagnitude == 40 * 256 }, "all at the upper bound")
        for _ in 0 ..< 5 {
            try pool.tick(input: kick(201, Array(0 ..< 200)))
            try pool.tick(input: kick(201, [200]))
            pool.receiveModulators(dopamine: 0, cortisol: nil, acetylcholine: nil)
            Self.idle(&pool, 600)
        }
        #expect(pool.synapses.synapses.allSatisfy { $0.fineMagnitude == 20 * 256 }, "all at the lower bound")
        #expect(pool.synapseCount == 200, "a lower bound above zero lets no synapse die")
    }

    @Test func dopamineBelowBaselineWeakensCausalSynapses() throws {
        let c = Self.config(gain: 240_000)
        var pool = try STDPTests.fanIn(config: c)
        let before = Self.meanWeight(pool)
        Self.idle(&pool, 1000)
        pool.receiveModulators(dopamine: 1, cortisol: nil, acetylcholine: nil) // 127 levels below baseline
        Self.idle(&pool, 3000)
        let change = Self.meanWeight(pool) - before
        let expected = -Self.predicted(c, e0: Double(c.stdpPotentiation), delay: 1000, excess: 127)
        #expect(abs(change - expected) <= 0.05 * expected.magnitude, "change \(change), predicted \(expected)")
    }

    @Test func cortisolActsAsNegativeDopamine() throws {
        let c = Self.config(gain: 240_000)
        var pool = try STDPTests.fanIn(config: c)
        let before = Self.meanWeight(pool)
        Self.idle(&pool, 1000)
        pool.receiveModulators(dopamine: nil, cortisol: UInt8(c.cortisolBaseline + 100), acetylcholine: nil)
        Self.idle(&pool, 3000)
        let change = Self.meanWeight(pool) - before
        let expected = -Self.predicted(c, e0: Double(c.stdpPotentiation), delay: 1000, excess: 100)
        #expect(abs(change - expected) <= 0.05 * expected.magnitude, "change \(change), predicted \(expected)")
    }

    @Test func antiCausalSynapsesWeakenUnderDopamine() throws {
        let c = Self.config(gain: 60_000)
        // Post fires, then pre: every synapse gets −A− e^(−1/τ−)·… < 0.
        var pool = excitatoryPool(201, edges: (0 ..< 200).map { ($0, Synapse(target: 200, weight: 30, delay: 1)) }, config: c)
        try pool.tick(input: kick(201, [200]))
        try pool.tick(input: kick(201, Array(0 ..< 200)))
        #expect(pool.synapses.synapses.allSatisfy { $0.eligibility < 0 })
        let before = Self.meanWeight(pool)
        pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        Self.idle(&pool, 3000)
        #expect(Self.meanWeight(pool) < before - 5)
    }

    @Test func inhibitoryWeightsKeepTheirSign() throws {
        let c = Self.config(gain: 4_000_000)
        var inhibitory = [Bool](repeating: true, count: 200)
        inhibitory.append(false)
        var pool = handmadePool(inhibitory: inhibitory, edges: (0 ..< 200).map { ($0, Synapse(target: 200, weight: -30, delay: 1)) }, config: c)
        try pool.tick(input: kick(201, [200]))
        try pool.tick(input: kick(201, Array(0 ..< 200)))
        pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        Self.idle(&pool, 3000)
        #expect(pool.synapses.synapses.allSatisfy { $0.weight <= 0 }, "Dale's law holds")
        #expect(pool.synapseCount < 200, "HOT synapses weakened to zero died and were pruned")
    }

    @Test func coldSynapsesDoNotChange() throws {
        let c = Self.config(gain: 240_000)
        var pool = try STDPTests.fanIn(config: c, maturity: Maturity.encode(.cold, counter: 0))
        let before = pool.synapses.synapses
        Self.idle(&pool, 1000)
        pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        Self.idle(&pool, 3000)
        #expect(pool.synapses.synapses == before)
    }

    @Test func wholeUnitsGainedReinforceMaturity() throws {
        let c = Self.config(gain: 240_000)
        var pool = try STDPTests.fanIn(config: c)
        Self.idle(&pool, 1000)
        pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        Self.idle(&pool, 3000)
        // About 20 units gained from a newborn (HOT, 4): HOT→WARM after 4 more, then ~16 into WARM.
        let states = Set(pool.synapses.synapses.map(\.thermalState))
        #expect(states == [.warm], "\(states)")
    }

    @Test func rulesLiveInTheirOwnRowsOfTheTable() throws {
        // Two rules: rule 1 has no potentiation, so a synapse under it gains no eligibility.
        var c = Self.config(gain: 240_000)
        c.stdpPotentiation = 40
        var pool = excitatoryPool(3, edges: [
            (0, Synapse(target: 2, weight: 1, delay: 1, reserved: Synapse.reserved(shift: 0, rule: 0))),
            (1, Synapse(target: 2, weight: 1, delay: 1, reserved: Synapse.reserved(shift: 0, rule: 1))),
        ], config: c)
        var silent = c.stdpRule
        silent.potentiation = 0
        try pool.setPlasticityRules([c.stdpRule, silent])
        try pool.tick(input: kick(3, [0, 1]))
        try pool.tick(input: kick(3, [2]))
        #expect(try synapse(pool, from: 0, to: 2).eligibility == 40)
        #expect(try synapse(pool, from: 1, to: 2).eligibility == 0)
        #expect(throws: PoolError.self) { try pool.setPlasticityRules([c.stdpRule]) } // rule 1 is in use
        #expect(throws: PoolError.self) { try pool.setPlasticityRules(Array(repeating: c.stdpRule, count: 9)) }
    }
}
