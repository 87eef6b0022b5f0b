import Testing
@testable import NeuroPool

@Suite("Three-factor plasticity")
struct PlasticityTests {
    /// Neurons: 0 excitatory, 1 excitatory (post), 2 inhibitory, 3 excitatory (never fires).
    /// Synapses 0→1 (+30), 2→1 (−30), 0→3 (+30). Weights × 16 stay far below threshold.
    static func pool() -> NeuronPool {
        var c = quietConfig()
        c.stdp = true
        c.eligibilityDecayInterval = 255
        return handmadePool(inhibitory: [false, false, true, false], edges: [
            (0, Synapse(target: 1, weight: 30, delay: 1)),
            (2, Synapse(target: 1, weight: -30, delay: 1)),
            (0, Synapse(target: 3, weight: 30, delay: 1)),
        ], config: c)
    }

    /// 0 and 2 fire, then 1 fires one tick later: 0→1 and 2→1 become eligible (> 0).
    static func causallyPaired() throws -> NeuronPool {
        var p = pool()
        try p.tick(input: kick(4, [0, 2]))
        try p.tick(input: kick(4, [1]))
        return p
    }

    /// 1 fires, then 0 and 2 fire one tick later: 0→1 and 2→1 get eligibility < 0.
    static func antiCausallyPaired() throws -> NeuronPool {
        var p = pool()
        try p.tick(input: kick(4, [1]))
        try p.tick(input: kick(4, [0, 2]))
        return p
    }

    @Test func dopamineStrengthensCausalSynapses() throws {
        var p = try Self.causallyPaired()
        let exc = try synapse(p, from: 0, to: 1)
        let inh = try synapse(p, from: 2, to: 1)
        let idle = try synapse(p, from: 0, to: 3)
        #expect(exc.eligibility > 0 && inh.eligibility > 0 && idle.eligibility == 0)

        let result = p.applyModulation(dopamine: 200, cortisol: 30, acetylcholine: 0)
        #expect(result.reinforced == 2)
        #expect(result.weakened == 0)
        let reward = 200 - p.config.dopamineBaseline
        let k = p.config.modulationShift
        let exc2 = try synapse(p, from: 0, to: 1)
        let inh2 = try synapse(p, from: 2, to: 1)
        // Documented change: e·(DA − DA₀)⁺ / 2^k in magnitude, sign kept.
        #expect(Int(exc2.weight) == 30 + Int(exc.eligibility) * reward / (1 << k))
        #expect(Int(inh2.weight) == -(30 + Int(inh.eligibility) * reward / (1 << k)))
        #expect(exc2.weight > 30 && inh2.weight < -30)
        #expect(Maturity.counter(exc2.maturity) == Maturity.counter(exc.maturity) + 1)
        #expect(Maturity.counter(inh2.maturity) == Maturity.counter(inh.maturity) + 1)
        #expect(try synapse(p, from: 0, to: 3) == idle, "a synapse without eligibility is untouched")
        // Eligibility is not consumed by modulation.
        #expect(exc2.eligibility == exc.eligibility)
    }

    @Test func cortisolWeakensCausalSynapses() throws {
        var p = try Self.causallyPaired()
        let exc = try synapse(p, from: 0, to: 1)
        let inh = try synapse(p, from: 2, to: 1)
        let result = p.applyModulation(dopamine: 128, cortisol: 128, acetylcholine: 0)
        #expect(result.reinforced == 0)
        #expect(result.weakened == 2)
        let punishment = 128 - p.config.cortisolBaseline
        let k = p.config.modulationShift
        let exc2 = try synapse(p, from: 0, to: 1)
        let inh2 = try synapse(p, from: 2, to: 1)
        #expect(Int(exc2.weight) == max(30 - Int(exc.eligibility) * punishment / (1 << k), 0))
        #expect(Int(inh2.weight) == -max(30 - Int(inh.eligibility) * punishment / (1 << k), 0))
        #expect(exc2.weight < 30 && inh2.weight > -30)
        #expect(Maturity.counter(exc2.maturity) == Maturity.counter(exc.maturity) - 1)
        #expect(Maturity.state(exc2.maturity) == .hot)
    }

    @Test func dopamineWeakensAndCortisolStrengthensAntiCausalSynapses() throws {
        var a = try Self.antiCausallyPaired()
        let before = try synapse(a, from: 0, to: 1)
        #expect(before.eligibility < 0)
        #expect(try synapse(a, from: 2, to: 1).eligibility < 0)
        var b = a
        let r1 = a.applyModulation(dopamine: 255, cortisol: 0, acetylcholine: 0)
        #expect(r1.reinforced == 0 && r1.weakened == 2)
        #expect(try synapse(a, from: 0, to: 1).weight < before.weight)
        #expect(try synapse(a, from: 2, to: 1).weight > -30)
        let r2 = b.applyModulation(dopamine: 0, cortisol: 255, acetylcholine: 0)
        #expect(r2.reinforced == 2 && r2.weakened == 0)
        #expect(try synapse(b, from: 0, to: 1).weight > before.weight)
        #expect(try synapse(b, from: 2, to: 1).weight < -30)
    }

    @Test func baselinesChangeNothing() throws {
        let paired = try Self.causallyPaired()
        for (da, c) in [(128, 30), (0, 0), (100, 30), (128, 10), (0, 30)] as [(UInt8, UInt8)] {
            var p = paired
            let result = p.applyModulation(dopamine: da, cortisol: c, acetylcholine: 255)
            #expect(result.reinforced == 0 && result.weakened == 0, "DA \(da) cortisol \(c)")
            #expect(p == paired, "DA \(da) cortisol \(c) must not change the pool")
        }
    }

    @Test func acetylcholineDoesNotEnterTheWeightChange() throws {
        var a = try Self.causallyPaired()
        var b = a
        let ra = a.applyModulation(dopamine: 190, cortisol: 70, acetylcholine: 0)
        let rb = b.applyModulation(dopamine: 190, cortisol: 70, acetylcholine: 255)
        #expect(ra == rb)
        #expect(a == b)
        #expect(a.synapseCount == 3, "modulation never creates synapses")
    }

    @Test func changesSmallerThanOneStepAreNotCounted() throws {
        var p = excitatoryPool(2, edges: [(0, Synapse(target: 1, weight: 40, delay: 1, eligibility: 1))])
        let before = p
        // e · (129 − 128) / 64 truncates to 0.
        let result = p.applyModulation(dopamine: 129, cortisol: 30, acetylcholine: 0)
        #expect(result.reinforced == 0 && result.weakened == 0)
        #expect(p == before)
    }

    @Test func weightSignNeverFlipsAndMagnitudeStaysWithin127() throws {
        var c = PoolConfig()
        c.seed = 11
        var pool = try NeuronPool.withFixedOutDegree(name: "dale", neurons: 60, outDegree: 12, config: c)
        func checkDale(_ label: String) {
            for i in 0 ..< pool.neuronCount {
                let inhibitory = pool.neurons.isInhibitory(i)
                for s in pool.synapses.outgoing(i) {
                    #expect(inhibitory ? s.weight <= 0 : s.weight >= 0, "\(label): neuron \(i) weight \(s.weight)")
                    #expect(s.weight != Int8.min, "\(label): weight −128 is outside −127…127")
                }
            }
        }
        // Strong reward on maximal positive eligibility: magnitudes pile up to the 127 cap.
        for k in 0 ..< pool.synapseCount { pool.synapses[k].eligibility = 127 }
        for _ in 0 ..< 10 { pool.applyModulation(dopamine: 255, cortisol: 0, acetylcholine: 0) }
        checkDale("after reward")
        #expect(pool.synapses.synapses.allSatisfy { abs(Int($0.weight)) == 127 || $0.thermalState == .cold })
        // Heavy cortisol on the same eligibility: magnitudes go to zero, never past it.
        for _ in 0 ..< 10 { pool.applyModulation(dopamine: 0, cortisol: 255, acetylcholine: 0) }
        checkDale("after cortisol")
        // Mixed signs of eligibility under both modulators at once.
        var r = PoolRandom(seed: 4)
        for k in 0 ..< pool.synapseCount {
            pool.synapses[k].eligibility = Int8(Int(r.uniform(below: 255)) - 127)
        }
        for step in 0 ..< 30 {
            pool.applyModulation(dopamine: UInt8(truncatingIfNeeded: step * 37), cortisol: UInt8(truncatingIfNeeded: step * 91), acetylcholine: 0)
            checkDale("mixed step \(step)")
        }
    }

    @Test func inhibitorySynapseAtTheNegativeCapStaysAt127() throws {
        var p = handmadePool(inhibitory: [true, false], edges: [(0, Synapse(target: 1, weight: -120, delay: 1, eligibility: 127))])
        for _ in 0 ..< 5 { p.applyModulation(dopamine: 255, cortisol: 0, acetylcholine: 0) }
        #expect(try synapse(p, from: 0, to: 1).weight == -127)
        // And the result still encodes to a loadable file (−128 would be rejected).
        let loaded = try NeuronPool.decode(p.encoded())
        #expect(loaded == p)
    }

    @Test func coldSynapsesAreFrozen() throws {
        var p = try Self.causallyPaired()
        let k = try #require(synapseIndex(p, from: 0, to: 1))
        let cold = Maturity.encode(.cold, counter: 0)
        p.synapses[k].maturity = cold
        // Only the cold synapse is eligible: the others are cleared.
        for j in 0 ..< p.synapseCount where j != k { p.synapses[j].eligibility = 0 }
        let frozen = p.synapses[k]
        #expect(frozen.eligibility > 0)
        for (da, c) in [(200, 30), (255, 0), (128, 128), (0, 255), (255, 255)] as [(UInt8, UInt8)] {
            let result = p.applyModulation(dopamine: da, cortisol: c, acetylcholine: 200)
            #expect(result.reinforced == 0 && result.weakened == 0, "DA \(da) cortisol \(c)")
            #expect(p.synapses[k].weight == frozen.weight)
            #expect(p.synapses[k].maturity == cold)
        }
    }

    @Test func repeatedWeakeningKillsANewbornWhichPruneRemoves() throws {
        var p = try Self.causallyPaired()
        let k = try #require(synapseIndex(p, from: 0, to: 1))
        #expect(p.synapses[k].maturity == Maturity.newborn)
        for round in 1 ... 4 {
            let r = p.applyModulation(dopamine: 128, cortisol: 40, acetylcholine: 0)
            #expect(r.weakened == 2, "round \(round)")
            #expect(Maturity.isDead(p.synapses[k].maturity) == (round == 4), "round \(round)")
        }
        #expect(p.pruneDead() == 2)  // both eligible newborns died
        #expect(synapseIndex(p, from: 0, to: 1) == nil)
        #expect(synapseIndex(p, from: 2, to: 1) == nil)
        #expect(synapseIndex(p, from: 0, to: 3) != nil)
        #expect(p.synapseCount == 1)
    }
}
