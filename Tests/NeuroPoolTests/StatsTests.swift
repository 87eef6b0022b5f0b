import Testing
@testable import NeuroPool

@Suite("Pool statistics")
struct StatsTests {
    @Test func countsAndSumsMatchThePool() throws {
        var c = PoolConfig()
        c.seed = 4
        var pool = try NeuronPool.withRandomConnectivity(name: "stats-pool", neurons: 150, density: 0.1, config: c)
        var noise = NoiseInput(seed: 2, neurons: 150, current: 6000, chance: 30)
        for _ in 0 ..< 100 { try pool.tick(input: noise.next()) }
        // Some thermal variety and some dead synapses.
        pool.synapses[0].maturity = Maturity.encode(.warm, counter: 3)
        pool.synapses[1].maturity = Maturity.encode(.cool, counter: 3)
        pool.synapses[2].maturity = Maturity.encode(.cold, counter: 0)
        pool.synapses[3].maturity = Maturity.dead
        pool.synapses[4].maturity = Maturity.dead

        let s = pool.stats()
        #expect(s.name == "stats-pool")
        #expect(s.neurons == 150)
        #expect(s.excitatory + s.inhibitory == 150)
        #expect(s.inhibitory == 150 - (4 * 150) / 5)
        #expect(s.synapses == pool.synapseCount)
        #expect(s.ticks == 100)
        #expect(s.spikes == pool.totalSpikes)
        #expect(s.spikes > 0)
        #expect(abs(s.meanRateHz - Double(pool.totalSpikes) / 150 / 100 * 1000) < 1e-9)
        #expect(s.weightHistogram.count == 16)
        #expect(s.weightHistogram.reduce(0, +) == pool.synapseCount)
        let t = s.thermal
        #expect(t.hot + t.warm + t.cool + t.cold + t.dead == pool.synapseCount)
        #expect(t.warm == 1 && t.cool == 1 && t.cold == 1 && t.dead == 2)
        #expect(s.neuronBytes == 150 * 8)
        #expect(s.synapseBytes == pool.synapseCount * 8)
        #expect(s.rowPointerBytes == 151 * 4)
        #expect(s.delayBufferBytes == 8 * 150 * 4)
        let meanWeight = Double(pool.synapses.synapses.reduce(0) { $0 + abs(Int($1.weight)) }) / Double(pool.synapseCount)
        #expect(abs(s.meanWeightMagnitude - meanWeight) < 1e-9)
        #expect(s.eligibleSynapses == pool.synapses.synapses.filter { $0.eligibility != 0 }.count)
        let meanTheta = Double(pool.neurons.threshold.reduce(0) { $0 + Int($1) }) / 150 / 256
        #expect(abs(s.meanThresholdMV - meanTheta) < 1e-9)
    }

    @Test func histogramBinsAreWidthSixteenFromMinus128() throws {
        let weights: [Int8] = [-127, -113, -112, -1, 0, 15, 16, 127]
        let kinds = weights.map { $0 < 0 } + [false]
        let target = UInt16(weights.count)
        let pool = handmadePool(inhibitory: kinds, edges: weights.enumerated().map {
            ($0.offset, Synapse(target: target, weight: $0.element, delay: 1))
        })
        let h = pool.stats().weightHistogram
        var expected = [Int](repeating: 0, count: 16)
        expected[0] = 2    // −127, −113 ∈ [−128, −113]
        expected[1] = 1    // −112
        expected[7] = 1    // −1 ∈ [−16, −1]
        expected[8] = 2    // 0, 15 ∈ [0, 15]
        expected[9] = 1    // 16
        expected[15] = 1   // 127
        #expect(h == expected)
    }

    @Test func descriptionNamesThePoolAndItsCounts() throws {
        let pool = try NeuronPool.withFixedOutDegree(name: "described-pool-xyz", neurons: 40, outDegree: 3)
        let text = pool.stats().description
        #expect(text.contains("described-pool-xyz"))
        #expect(text.contains("40 neurons"))
        #expect(text.contains("120 synapses"))
        #expect(text.contains("H:120 W:0 C:0 F:0 D:0"))
    }

    @Test func emptyAndFreshPoolsHaveZeroRates() throws {
        let s = try NeuronPool.unconnected(name: "e", neurons: 3).stats()
        #expect(s.synapses == 0 && s.meanRateHz == 0 && s.meanWeightMagnitude == 0 && s.meanEligibilityMagnitude == 0)
        #expect(s.weightHistogram.reduce(0, +) == 0)
        #expect(s.meanThresholdMV.isFinite)
    }
}
