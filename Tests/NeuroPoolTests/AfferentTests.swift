import Testing
@testable import NeuroPool

/// Afferent projections: synapses from another pool, held by the target pool.
@Suite("Afferent projections")
struct AfferentTests {
    /// One hand-made afferent synapse 0 → `target` of `delay` and `weight`, from a source pool
    /// of `sourceCount` excitatory neurons (or inhibitory ones).
    static func single(target: Int, weight: Int8, delay: UInt8, lag: Int? = nil, sourceCount: Int = 4,
                       inhibitory: Bool = false) -> AfferentProjection {
        var rowPtr = ContiguousArray<UInt32>(repeating: 1, count: sourceCount + 1)
        rowPtr[0] = 0
        return AfferentProjection(
            source: "up", sourceCount: sourceCount, lag: lag ?? Int(delay),
            sourceInhibitory: ContiguousArray(repeating: inhibitory ? 1 : 0, count: sourceCount),
            rowPtr: rowPtr, synapses: [Synapse(target: UInt16(target), weight: inhibitory ? -weight : weight, delay: delay)],
            sourceLastSpike: nil)
    }

    /// Runs `pool` for `ticks`, delivering `spikes(sourceTick)` to projection 0 before each
    /// tick from the lag on; returns the ticks at which `watch` fired.
    static func run(_ pool: inout NeuronPool, ticks: Int, watch: Int, spikes: (UInt64) -> [UInt16]) throws -> [Int] {
        var fired: [Int] = []
        let lag = UInt64(pool.afferents[0].lag)
        for t in 0 ..< UInt64(ticks) {
            if t >= lag { try pool.deliver(projection: 0, sourceTick: t - lag, spikes: spikes(t - lag)) }
            pool.tick()
            if pool.lastSpikes.contains(UInt16(watch)) { fired.append(Int(t)) }
        }
        return fired
    }

    @Test("a spike of source tick s reaches its target at tick s + delay, for every lag ≤ delay", arguments: [1, 3, 8])
    func deliveryTiming(delay: Int) throws {
        for lag in 1 ... delay {
            var pool = excitatoryPool(4, edges: [])
            var c = pool.config
            c.weightShift = 7
            pool = handmadePool(inhibitory: [false, false, false, false], edges: [], config: c)
            try pool.addAfferent(Self.single(target: 2, weight: 127, delay: UInt8(delay), lag: lag))
            let fired = try Self.run(&pool, ticks: 20, watch: 2) { $0 == 5 ? [0] : [] }
            #expect(fired == [5 + delay], "delay \(delay) lag \(lag)")
        }
    }

    @Test func deliveriesMustComeInOrderAndNameRealNeurons() throws {
        var pool = excitatoryPool(4, edges: [])
        try pool.addAfferent(Self.single(target: 1, weight: 10, delay: 2))
        #expect(throws: PoolError.deliveryOutOfOrder(projection: 0, sourceTick: 0, expected: UInt64.max - 1)) {
            try pool.deliver(projection: 0, sourceTick: 0, spikes: [UInt16]())
        }
        pool.tick(); pool.tick()
        #expect(throws: PoolError.spikeOutOfRange(4, neurons: 4)) { try pool.deliver(projection: 0, sourceTick: 0, spikes: [UInt16(4)]) }
        #expect(throws: PoolError.unknownProjection(1, count: 1)) { try pool.deliver(projection: 1, sourceTick: 0, spikes: [UInt16]()) }
        try pool.deliver(projection: 0, sourceTick: 0, spikes: [UInt16(0)])
        #expect(pool.delays.pending(for: 1) == 10 << Int32(pool.config.weightShift))
        #expect(throws: PoolError.rangeOutOfBounds(9 ..< 10, neurons: 4)) { try pool.addAfferent(Self.single(target: 9, weight: 1, delay: 1)) }
    }

    @Test func randomProjectionsFollowTheirSpecification() throws {
        let kinds = NeuronPool.inhibitoryNeurons(neurons: 100, seed: 5)
        let built = try NeuronPool.withFixedOutDegree(name: "src", neurons: 100, outDegree: 3, config: { var c = PoolConfig(); c.seed = 5; return c }())
        #expect(kinds == (0 ..< 100).map { built.neurons.isInhibitory($0) })
        let p = try AfferentProjection.random(source: "src", inhibitory: kinds, from: 10 ..< 60, targetCount: 50, to: 20 ..< 50,
                                              connectivity: .outDegree(7), weight: 5 ... 9, delay: 2 ... 4, seed: 99)
        #expect(p.lag == 2 && p.count == 50 * 7)
        for j in 0 ..< 100 {
            let row = p.synapses[p.row(j)]
            #expect(row.count == ((10 ..< 60).contains(j) ? 7 : 0))
            #expect(Set(row.map(\.target)).count == row.count)
            for s in row {
                #expect((20 ..< 50).contains(Int(s.target)) && (2 ... 4).contains(Int(s.delay)))
                #expect((5 ... 9).contains(abs(Int(s.weight))) && (s.weight < 0) == kinds[j])
            }
        }
        let again = try AfferentProjection.random(source: "src", inhibitory: kinds, from: 10 ..< 60, targetCount: 50, to: 20 ..< 50,
                                                  connectivity: .outDegree(7), weight: 5 ... 9, delay: 2 ... 4, seed: 99)
        let other = try AfferentProjection.random(source: "src", inhibitory: kinds, from: 10 ..< 60, targetCount: 50, to: 20 ..< 50,
                                                  connectivity: .outDegree(7), weight: 5 ... 9, delay: 2 ... 4, seed: 100)
        #expect(p == again && p != other)
        let dense = try AfferentProjection.random(source: "src", inhibitory: kinds, from: 0 ..< 100, targetCount: 50, to: 0 ..< 50,
                                                  connectivity: .density(0.1), weight: 5 ... 9, delay: 1 ... 1, seed: 1)
        #expect(abs(dense.count - 500) < 60)
        #expect(throws: PoolError.rangeOutOfBounds(0 ..< 51, neurons: 50)) {
            try AfferentProjection.random(source: "s", inhibitory: kinds, from: 0 ..< 1, targetCount: 50, to: 0 ..< 51,
                                          connectivity: .outDegree(1), weight: 1 ... 1, delay: 1 ... 1, seed: 0)
        }
    }

    /// Source fires, then the target fires: the afferent synapse gains eligibility;
    /// dopamine then strengthens it and cortisol weakens it, keeping its sign.
    @Test func stdpAndModulationActOnAfferentSynapses() throws {
        var c = quietConfig()
        c.stdp = true
        var pool = handmadePool(inhibitory: [false, false], edges: [], config: c)
        try pool.addAfferent(Self.single(target: 1, weight: 10, delay: 1, sourceCount: 2))
        // Source neuron 0 fires in tick 3 (delivered before tick 4); target 1 is kicked in tick 5.
        for t in 0 ..< 8 {
            if t >= 1 { try pool.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: t - 1 == 3 ? [UInt16(0)] : []) }
            try pool.tick(input: t == 5 ? kick(2, [1]) : [0, 0])
        }
        let causal = pool.afferents[0].synapses[0].eligibility
        #expect(causal > 0)
        pool.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        for _ in 0 ..< 1000 { try pool.deliver(projection: 0, sourceTick: pool.tickCount - 1, spikes: []); try pool.tick(input: [0, 0]) }
        #expect(pool.afferents[0].synapses[0].weight > 10)

        // Target fires first, then the source spike is delivered: depression.
        var late = handmadePool(inhibitory: [false, false], edges: [], config: c)
        try late.addAfferent(Self.single(target: 1, weight: 10, delay: 1, sourceCount: 2, inhibitory: true))
        for t in 0 ..< 8 {
            if t >= 1 { try late.deliver(projection: 0, sourceTick: UInt64(t - 1), spikes: t - 1 == 4 ? [UInt16(0)] : []) }
            try late.tick(input: t == 3 ? kick(2, [1]) : [0, 0])
        }
        #expect(late.afferents[0].synapses[0].eligibility < 0)
        #expect(late.afferents[0].synapses[0].weight == -10)
        late.receiveModulators(dopamine: 255, cortisol: nil, acetylcholine: nil)
        for _ in 0 ..< 1000 { try late.deliver(projection: 0, sourceTick: late.tickCount - 1, spikes: []); try late.tick(input: [0, 0]) }
        let weakened = late.afferents[0].synapses[0].weight
        #expect(weakened > -10 && weakened <= 0, "an inhibitory weight keeps its sign while it weakens")
    }

    @Test func deadAfferentSynapsesArePruned() throws {
        var pool = excitatoryPool(3, edges: [])
        var p = Self.single(target: 2, weight: 10, delay: 1, sourceCount: 3)
        p.store[0].maturity = Maturity.dead
        try pool.addAfferent(p)
        try pool.addAfferent(Self.single(target: 1, weight: 10, delay: 1, sourceCount: 3))
        #expect(pool.afferentSynapseCount == 2)
        #expect(pool.pruneDead() == 1)
        #expect(pool.afferentSynapseCount == 1 && pool.afferents[0].rowPtr.allSatisfy { $0 == 0 })
    }

    /// A pool with afferents saves as version 2, loads equal (with the mirrored last-spike times
    /// of the plasticity section), and goes on with the same spikes.
    @Test func codecRoundTripsAfferents() throws {
        var pool = try CodecTests.busyPool(neurons: 40)
        let kinds = NeuronPool.inhibitoryNeurons(neurons: 30, seed: 3)
        try pool.addAfferent(try AfferentProjection.random(source: "upstream", inhibitory: kinds, from: 0 ..< 30, targetCount: 40, to: 0 ..< 40,
                                                           connectivity: .outDegree(5), weight: 20 ... 60, delay: 2 ... 5, seed: 4))
        var noise = NoiseInput(seed: 8, neurons: 30, current: 9000, chance: 120)
        func source(_ t: UInt64) -> [UInt16] { noise.next().enumerated().compactMap { $0.element != 0 ? UInt16($0.offset) : nil } }
        func advance(_ p: inout NeuronPool, _ spikes: [[UInt16]]) throws -> [[UInt16]] {
            var out: [[UInt16]] = []
            for s in spikes {
                try p.deliver(projection: 0, sourceTick: p.tickCount - 2, spikes: s)
                p.tick()
                out.append(Array(p.lastSpikes))
            }
            return out
        }
        let warmup = (0 ..< 40).map { source(UInt64($0)) }
        _ = try advance(&pool, warmup)
        #expect(pool.afferents[0].synapses.contains { $0.eligibility != 0 })
        let bytes = pool.encoded()
        #expect(CodecTests.readLE(bytes, at: 8, as: UInt16.self) == 2)
        var loaded = try NeuronPool.decode(bytes)
        #expect(loaded == pool)
        #expect(loaded.encoded() == bytes)
        let more = (0 ..< 40).map { source(UInt64($0)) }
        #expect(try advance(&pool, more) == advance(&loaded, more))
        #expect(loaded == pool)

        // A pool without afferents still writes version 1.
        #expect(CodecTests.readLE(try CodecTests.busyPool().encoded(), at: 8, as: UInt16.self) == 1)
        // The afferent section comes before the plasticity section (STDP is on), which ends at the CRC.
        let afferentLength = pool.encodedAfferents().count
        #expect(CodecTests.readLE(bytes, at: 92, as: UInt32.self) == UInt32(afferentLength))
        let afferentEnd = bytes.count - 4 - pool.encodedPlasticity().count
        let afferentStart = afferentEnd - afferentLength
        #expect(CodecTests.readLE(bytes, at: afferentStart, as: UInt16.self) == 8)        // "upstream"
        #expect(CodecTests.readLE(bytes, at: afferentStart + 2 + 8, as: UInt32.self) == 30)
        // Damage inside the afferent section is named, never trapped on.
        var bad = bytes
        bad[afferentStart + 2 + 8 + 4] = 9 // lag 9
        #expect(CodecTests.outcome(CodecTests.resealed(bad)) == "afferents[0].lag")
        bad = bytes
        bad[afferentStart + 2 + 8 + 4 + 1] = 1 // reserved
        #expect(CodecTests.outcome(CodecTests.resealed(bad)) == "afferents[0].reserved")
        let kinds0 = afferentStart + 2 + 8 + 4 + 4 + 4
        bad = bytes
        bad[kinds0 + 7] = 2
        #expect(CodecTests.outcome(CodecTests.resealed(bad)) == "afferents[0].sourceInhibitory[7]")
        // One unused byte per source neuron follows the kinds: written as 0, ignored on read
        // (earlier files kept mirrored traces there).
        #expect(bytes[kinds0 + 30 ..< kinds0 + 60].allSatisfy { $0 == 0 })
        var traces = bytes
        for k in kinds0 + 30 ..< kinds0 + 60 { traces[k] = UInt8(truncatingIfNeeded: k * 37) }
        #expect(try NeuronPool.decode(CodecTests.resealed(traces)) == NeuronPool.decode(bytes))
        // A byte too many at the end of the afferent section.
        var long = Array(bytes[0 ..< afferentEnd]) + [0] + Array(bytes[afferentEnd...])
        CodecTests.writeLE(&long, at: 92, UInt32(afferentLength + 1))
        #expect(CodecTests.outcome(CodecTests.resealed(long)) == "afferentLength")
    }
}
