import Testing
@testable import NeuroPool

@Suite("pruneDead")
struct PruneTests {
    @Test(arguments: [1, 2, 7, 50])
    func removesExactlyTheDeadSynapses(every step: Int) throws {
        var c = PoolConfig()
        c.seed = UInt64(step)
        var pool = try NeuronPool.withRandomConnectivity(name: "p", neurons: 120, density: 0.08, config: c)
        #expect(!pool.synapses.synapses.contains { Maturity.isDead($0.maturity) })
        // Give every synapse a distinct-ish eligibility so moved synapses are recognisable.
        for k in 0 ..< pool.synapseCount { pool.synapses[k].eligibility = Int8(k % 255 - 127) }
        var killed = 0
        for k in stride(from: step - 1, to: pool.synapseCount, by: step) {
            pool.synapses[k].maturity = Maturity.dead
            killed += 1
        }
        let before = edges(pool.synapses)
        let survivors = before.filter { !Maturity.isDead(UInt8($0.maturity)) }
        #expect(survivors.count == before.count - killed)

        let removed = pool.pruneDead()
        #expect(removed == killed)
        #expect(pool.synapseCount == before.count - killed)
        #expect(edges(pool.synapses) == survivors, "survivors keep their source and every field")
        #expect(csrProblems(pool.synapses, neurons: pool.neuronCount).isEmpty)
        #expect(structureProblems(pool, maxDelay: c.maxDelay).isEmpty)
        #expect(pool.pruneDead() == 0, "a second prune finds nothing")
    }

    @Test func emptiesWholeRowsIncludingTheFirstAndLast() throws {
        var pool = try NeuronPool.withFixedOutDegree(name: "rows", neurons: 20, outDegree: 4)
        for row in [0, 7, 8, 19] {
            for k in pool.synapses.row(row) { pool.synapses[k].maturity = Maturity.dead }
        }
        let survivors = edges(pool.synapses).filter { ![0, 7, 8, 19].contains($0.source) }
        #expect(pool.pruneDead() == 16)
        #expect(edges(pool.synapses) == survivors)
        for row in [0, 7, 8, 19] { #expect(pool.synapses.row(row).isEmpty) }
        for row in [1, 6, 9, 18] { #expect(pool.synapses.row(row).count == 4) }
        #expect(csrProblems(pool.synapses, neurons: 20).isEmpty)
    }

    @Test func pruningEverythingLeavesAnEmptyValidStore() throws {
        var pool = try NeuronPool.withFixedOutDegree(name: "all", neurons: 10, outDegree: 9)
        for k in 0 ..< pool.synapseCount { pool.synapses[k].maturity = Maturity.dead }
        #expect(pool.pruneDead() == 90)
        #expect(pool.synapseCount == 0)
        #expect(pool.synapses.rowPtr.allSatisfy { $0 == 0 })
        #expect(pool.synapses.rowPtr.count == 11)
    }

    @Test func onlyTheDeadByteIsDead() throws {
        // HOT with a counter, and every other state with counter 0, survive.
        var pool = excitatoryPool(5, edges: [
            (0, Synapse(target: 1, weight: 1, delay: 1, maturity: Maturity.encode(.hot, counter: 1))),
            (0, Synapse(target: 2, weight: 1, delay: 1, maturity: Maturity.encode(.warm, counter: 0))),
            (0, Synapse(target: 3, weight: 1, delay: 1, maturity: Maturity.encode(.cool, counter: 0))),
            (0, Synapse(target: 4, weight: 1, delay: 1, maturity: Maturity.encode(.cold, counter: 0))),
            (1, Synapse(target: 0, weight: 1, delay: 1, maturity: Maturity.dead)),
        ])
        #expect(pool.pruneDead() == 1)
        #expect(pool.synapseCount == 4)
        #expect(pool.synapses.row(1).isEmpty)
    }

    /// After pruning, the STDP incoming index must be rebuilt: a stale one would credit (or
    /// write past) the wrong synapses.
    @Test func stdpCreditsTheRightSynapseAfterPruning() throws {
        var c = quietConfig()
        c.stdp = true
        c.eligibilityTau = 100_000_000
        var pool = excitatoryPool(5, edges: [
            (0, Synapse(target: 1, weight: 1, delay: 1)),  // A, will die
            (0, Synapse(target: 2, weight: 1, delay: 1)),  // B
            (3, Synapse(target: 2, weight: 1, delay: 1)),  // C
            (4, Synapse(target: 2, weight: 1, delay: 1)),  // D
        ], config: c)
        // A pairing builds the index.
        try pool.tick(input: kick(5, [3]))
        try pool.tick(input: kick(5, [2]))
        #expect(try synapse(pool, from: 3, to: 2).eligibility > 0)
        #expect(pool.synapses.incoming != nil)

        pool.synapses[try #require(synapseIndex(pool, from: 0, to: 1))].maturity = Maturity.dead
        #expect(pool.pruneDead() == 1)
        for k in 0 ..< pool.synapseCount { pool.synapses[k].eligibility = 0 }
        for i in 0 ..< 5 { pool.lastSpike[i] = NeuronPool.longAgo(pool.tickCount) }
        for _ in 0 ..< 4 { pool.tick() }  // out of refractoriness

        try pool.tick(input: kick(5, [4]))
        try pool.tick(input: kick(5, [2]))
        #expect(try synapse(pool, from: 4, to: 2).eligibility > 0)
        #expect(try synapse(pool, from: 0, to: 2).eligibility == 0)
        #expect(try synapse(pool, from: 3, to: 2).eligibility == 0)
    }

    @Test func prunedPoolStillTicksLikeItsCopy() throws {
        // Prune, then compare against a pool built with the survivors only.
        var pool = try NeuronPool.withFixedOutDegree(name: "t", neurons: 80, outDegree: 6)
        for k in stride(from: 0, to: pool.synapseCount, by: 3) { pool.synapses[k].maturity = Maturity.dead }
        pool.pruneDead()
        var rebuilt = pool
        var store = SynapseStore(neuronCount: 80)
        store.insert(edges(pool.synapses).map {
            ($0.source, Synapse(target: UInt16($0.target), weight: Int8($0.weight), delay: UInt8($0.delay),
                                eligibility: Int8($0.eligibility), maturity: UInt8($0.maturity)))
        })
        rebuilt.synapses = store
        rebuilt.synapses.incoming = nil
        #expect(rebuilt == pool)
        var noise = NoiseInput(seed: 8, neurons: 80, current: 6000, chance: 30)
        let inputs = (0 ..< 100).map { _ in noise.next() }
        let a = try raster(&pool, ticks: 100) { inputs[$0] }
        let b = try raster(&rebuilt, ticks: 100) { inputs[$0] }
        #expect(a == b)
        #expect(pool == rebuilt)
    }
}
