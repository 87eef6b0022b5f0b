import Testing
@testable import NeuroPool

@Suite("Determinism")
struct DeterminismTests {
    /// Builds a pool from `seed` and runs it 200 ticks on input drawn from the pool's own
    /// generator path (randomised membranes) plus a fixed noise train; returns pool and raster.
    static func run(seed: UInt64, ticks: Int = 200) throws -> (NeuronPool, [[UInt16]]) {
        var c = PoolConfig()
        c.seed = seed
        var pool = try NeuronPool.withRandomConnectivity(name: "det", neurons: 200, density: 0.05, config: c)
        pool.randomizeMembranes(below: 5000)
        var noise = NoiseInput(seed: 1234, neurons: 200, current: 4000, chance: 20)
        let r = try raster(&pool, ticks: ticks) { _ in noise.next() }
        pool.receiveModulators(dopamine: 190, cortisol: 40, acetylcholine: nil)
        for _ in 0 ..< 100 { pool.tick() }
        pool.synaptogenesis(acetylcholine: 200)
        pool.pruneDead()
        return (pool, r)
    }

    @Test func sameSeedGivesByteIdenticalConstruction() throws {
        for seed: UInt64 in [0, 1, 42, .max] {
            var c = PoolConfig()
            c.seed = seed
            let a = try NeuronPool.withRandomConnectivity(name: "s", neurons: 300, density: 0.07, config: c)
            let b = try NeuronPool.withRandomConnectivity(name: "s", neurons: 300, density: 0.07, config: c)
            #expect(a.encoded() == b.encoded())
            let f1 = try NeuronPool.withFixedOutDegree(name: "s", neurons: 300, outDegree: 9, config: c)
            let f2 = try NeuronPool.withFixedOutDegree(name: "s", neurons: 300, outDegree: 9, config: c)
            #expect(f1.encoded() == f2.encoded())
        }
    }

    @Test func sameSeedGivesIdenticalRastersAndState() throws {
        let (a, ra) = try Self.run(seed: 7)
        let (b, rb) = try Self.run(seed: 7)
        #expect(ra.reduce(0) { $0 + $1.count } > 100, "the run must actually spike")
        #expect(ra == rb)
        #expect(a == b)
        #expect(a.encoded() == b.encoded())
    }

    @Test func differentSeedsGiveDifferentNetworksAndRasters() throws {
        var c1 = PoolConfig(), c2 = PoolConfig()
        c1.seed = 7
        c2.seed = 8
        let a = try NeuronPool.withRandomConnectivity(name: "s", neurons: 200, density: 0.05, config: c1)
        let b = try NeuronPool.withRandomConnectivity(name: "s", neurons: 200, density: 0.05, config: c2)
        #expect(a.synapses != b.synapses)
        #expect(a.neurons.flags != b.neurons.flags)
        let (_, ra) = try Self.run(seed: 7)
        let (_, rb) = try Self.run(seed: 8)
        #expect(ra != rb)
    }

    @Test func copiesAreIndependentValues() throws {
        var a = try NeuronPool.withFixedOutDegree(name: "v", neurons: 50, outDegree: 5)
        let snapshot = a
        let bytes = a.encoded()
        try a.tick(input: kick(50, Array(0 ..< 25)))
        a.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        #expect(a != snapshot)
        #expect(snapshot.encoded() == bytes, "mutating a copy must not touch the original")
    }

    @Test func generatorIsReproducibleAndUniform() {
        var a = PoolRandom(seed: 9), b = PoolRandom(seed: 9), c = PoolRandom(seed: 10)
        let xs = (0 ..< 100).map { _ in a.next() }
        #expect(xs == (0 ..< 100).map { _ in b.next() })
        #expect(xs != (0 ..< 100).map { _ in c.next() })
        // A restored generator continues the same sequence.
        var d = PoolRandom(state: a.state)
        #expect(d.next() == a.next())
        // All-zero state is replaced by a valid one (xoshiro would be stuck at zero).
        var z = PoolRandom(state: (0, 0, 0, 0))
        #expect((0 ..< 4).map { _ in z.next() }.contains { $0 != 0 })
        // uniform(below:) stays in range and hits every value of a small range.
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0 ..< 7000 { counts[Int(a.uniform(below: 7))] += 1 }
        #expect(counts.allSatisfy { (800 ... 1200).contains($0) }, "\(counts)")
        for _ in 0 ..< 1000 { #expect((3 ... 5).contains(a.uniform(in: 3 ... 5))) }
        #expect(!(0 ..< 100).contains { _ in a.chance(0) })
    }
}
