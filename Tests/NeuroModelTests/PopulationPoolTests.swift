import Foundation
import NeuroModel
import NeuroPool
import Testing

/// Pools of populations on the integer substrate: dynamics against closed forms, Dale's law,
/// the `.pool` round trip.
@Suite struct PopulationPoolTests {
    /// One population of `count` unconnected neurons at `tickMicroseconds`.
    static func pool(_ p: NeuronParameters, count: Int = 1, inhibitory: Bool = false, tickMicroseconds: UInt32 = 100,
                     maxDelay: Int = 1) throws -> NeuronPool {
        let (population, _) = p.quantized(name: "P", start: 0, size: count, inhibitory: inhibitory, tickMicroseconds: tickMicroseconds)
        let table = try PopulationTable([population], neurons: count)
        var random = PoolRandom(seed: 1)
        var config = PoolConfig()
        config.stdp = false
        config.homeostasisStep = 0
        return try NeuronPool.withPopulations(name: "p", table: table, membrane: ContiguousArray(p.initialMembranes(size: count, random: &random)),
                                              maxDelay: maxDelay, config: config)
    }

    /// The f–I curve of a τ_m = 20 ms population driven by constant currents: each firing
    /// period equals the closed-form LIF period t_ref + τ ln((RI − V_reset)/(RI − θ)) within
    /// one tick (the spike is detected at the first tick at or above threshold).
    @Test func fICurveMatchesTheClosedForm() throws {
        let dt = 0.1
        for current in [420.0, 500.0, 600.0, 800.0, 1200.0, 2000.0] {  // pA, C_m = 250 pF
            var p = NeuronParameters()
            (p.tauM, p.vThreshold, p.vReset, p.tRef, p.cM, p.iE) = (20, 20, 10, 2, 250, current)
            var pool = try Self.pool(p)
            var spikes: [Int] = []
            for t in 0 ..< 20000 where pool.tick() == 1 { spikes.append(t) }
            let ri = current / p.cM * p.tauM  // mV
            let period = p.tRef + p.tauM * log((ri - p.vReset) / (ri - p.vThreshold))
            #expect(spikes.count >= 3, "I = \(current) pA fired \(spikes.count) times")
            let intervals = zip(spikes.dropFirst(), spikes).map { Double($0 - $1) * dt }
            for interval in intervals.dropFirst() {
                #expect(abs(interval - period) <= dt + 1e-9, "I = \(current) pA: interval \(interval) ms, closed form \(period) ms")
            }
        }
    }

    /// Below rheobase (RI < θ) a neuron never fires; the membrane settles at RI.
    @Test func subthresholdCurrentSettlesAtRI() throws {
        var p = NeuronParameters()
        (p.tauM, p.iE, p.cM) = (20, 200, 250)  // RI = 16 mV
        var pool = try Self.pool(p)
        var fired = 0
        for _ in 0 ..< 5000 { fired += pool.tick() }
        #expect(fired == 0)
        let v = Double(pool.neurons.potential(0)) / 65536
        #expect(abs(v - 16) < 0.01, "membrane \(v) mV")
    }

    /// A purely inhibitory population: flags say so, its synapses must be negative, and a
    /// positive weight from it is refused.
    @Test func pureInhibitoryPopulation() throws {
        var p = NeuronParameters()
        p.iE = 600
        var pool = try Self.pool(p, count: 10, inhibitory: true, maxDelay: 2)
        #expect((0 ..< 10).allSatisfy { pool.neurons.isInhibitory($0) })
        let good = (0 ..< 10).map { (source: $0, synapse: Synapse(target: UInt16(($0 + 1) % 10), weight: -40, delay: 2, reserved: 10)) }
        try pool.setSynapses(good)
        #expect(pool.synapses.synapses.allSatisfy { $0.weight < 0 })
        let bad = [(source: 0, synapse: Synapse(target: 1, weight: 40, delay: 1, reserved: 10))]
        #expect(throws: PoolError.self) { try pool.setSynapses(bad) }
        var fired = 0
        for _ in 0 ..< 2000 { fired += pool.tick() }
        #expect(fired > 0)
    }

    /// Synapses deliver `weight << shift` units after exactly `delay` ticks, for delays beyond 8.
    @Test func longDelaysArriveOnTime() throws {
        var p = NeuronParameters()
        (p.tauM, p.vThreshold) = (1e6, 100)  // no leak worth the name, no spikes
        for delay in [1, 7, 8, 9, 15, 16, 40, 64, 200] {
            var pool = try Self.pool(p, count: 2, maxDelay: delay)
            try pool.setSynapses([(source: 0, synapse: Synapse(target: 1, weight: 100, delay: UInt8(delay), reserved: 12))])
            let kick = ContiguousArray<Int32>([Int32(200 << 16), 0])
            _ = try kick.withUnsafeBufferPointer { try pool.tick(input: $0) }
            #expect(pool.lastSpikeCount == 1)
            var arrived: Int?
            for t in 1 ... delay + 2 {
                pool.tick()
                if arrived == nil, pool.neurons.potential(1) > 0 { arrived = t }
            }
            #expect(arrived == delay, "delay \(delay) arrived at \(arrived.map(String.init) ?? "never")")
            #expect(abs(Int(pool.neurons.potential(1)) - 100 << 12) < 10)
        }
    }

    /// A population pool saves as `.pool` version 4 and continues identically after loading.
    @Test func poolFileRoundTripContinuesIdentically() throws {
        var p = NeuronParameters()
        (p.iE, p.vInit) = (550, .uniform(low: 0, high: 20))
        var pool = try Self.pool(p, count: 300, maxDelay: 20)
        var random = PoolRandom(seed: 9)
        var edges: [(source: Int, synapse: Synapse)] = []
        for s in 0 ..< 300 {
            for _ in 0 ..< 10 {
                edges.append((s, Synapse(target: UInt16(random.uniform(below: 300)), weight: Int8(random.uniform(in: 1 ... 127)),
                                         delay: UInt8(random.uniform(in: 1 ... 20)), reserved: 8)))
            }
        }
        try pool.setSynapses(edges)
        for _ in 0 ..< 137 { pool.tick() }
        let bytes = pool.encoded()
        #expect(bytes[8] == 4)
        var loaded = try NeuronPool.decode(bytes)
        #expect(loaded == pool)
        for _ in 0 ..< 500 {
            pool.tick()
            loaded.tick()
            #expect(loaded.lastSpikes == pool.lastSpikes)
        }
        #expect(loaded.encoded() == pool.encoded())
        var corrupted = bytes
        corrupted[200] ^= 0xFF
        #expect(throws: PoolFileError.self) { try NeuronPool.decode(corrupted) }
    }

    /// Exponential synapses (iaf_psc_exp): one input of w pA gives the closed-form PSP
    /// w τ_s τ_m / (C_m (τ_m − τ_s)) (e^(−t/τ_m) − e^(−t/τ_s)) at every tick after it arrives,
    /// within the weight's quantization, excitatory and inhibitory with their own τ_s.
    @Test(arguments: [(2.0, 100.0), (0.5, -300.0), (5.0, 40.0)])
    func exponentialSynapsePSPMatchesTheClosedForm(tauSyn: Double, current: Double) throws {
        var p = NeuronParameters()
        (p.tauM, p.cM, p.vThreshold, p.vReset) = (10, 250, 20, 0)
        p.exponentialSynapses = true
        (p.tauSynEx, p.tauSynIn) = (tauSyn, tauSyn)
        let inhibitory = current < 0
        let (population, _) = p.quantized(name: "P", start: 0, size: 2, inhibitory: inhibitory, tickMicroseconds: 100)
        var pool = try NeuronPool.withPopulations(name: "p", table: try PopulationTable([population], neurons: 2), membrane: [0, 0],
                                                  maxDelay: 1, config: { var c = PoolConfig(); c.stdp = false; c.homeostasisStep = 0; return c }())
        #expect(pool.delays.channels == 2)
        let factor = p.weightFactor(inhibitory: inhibitory, tickMicroseconds: 100)
        let scale = WeightScale(largest: current * factor)
        let w = scale.weight(current * factor, inhibitory: inhibitory)
        try pool.setSynapses([(source: 0, synapse: Synapse(target: 1, weight: w, delay: 1, reserved: UInt16(scale.shift)))])
        let kick = ContiguousArray<Int32>([Int32(100 << 16), 0])
        _ = try kick.withUnsafeBufferPointer { try pool.tick(input: $0) }  // tick 0: neuron 0 fires
        #expect(pool.lastSpikes == [0])
        pool.tick()  // tick 1: the input arrives into the synaptic state
        let stored = scale.millivolts(w) / factor  // the current actually represented, pA
        #expect(abs(stored - current) / abs(current) < 0.01)
        var worst = 0.0
        for k in 1 ... 300 {
            pool.tick()
            let t = Double(k) * 0.1
            let expected = stored * tauSyn * p.tauM / (p.cM * (p.tauM - tauSyn)) * (exp(-t / p.tauM) - exp(-t / tauSyn))
            worst = max(worst, abs(Double(pool.neurons.potential(1)) / 65536 - expected))
        }
        #expect(worst < 5e-4, "largest deviation from the closed form: \(worst) mV")  // 1.2e-4 at most, measured
    }

    /// A pool with exponential synapses round-trips through `.pool` version 4 with its
    /// synaptic states and two-channel ring, and continues identically.
    @Test func exponentialPoolRoundTrips() throws {
        var p = NeuronParameters()
        (p.iE, p.vInit, p.exponentialSynapses) = (380, .uniform(low: 0, high: 20), true)
        var pool = try Self.pool(p, count: 200, maxDelay: 12)
        var random = PoolRandom(seed: 5)
        var edges: [(source: Int, synapse: Synapse)] = []
        for s in 0 ..< 200 {
            for _ in 0 ..< 8 {
                edges.append((s, Synapse(target: UInt16(random.uniform(below: 200)), weight: Int8(random.uniform(in: 1 ... 127)),
                                         delay: UInt8(random.uniform(in: 1 ... 12)), reserved: 7)))
            }
        }
        try pool.setSynapses(edges)
        var fired = 0
        for _ in 0 ..< 300 { fired += pool.tick() }
        #expect(fired > 0)
        #expect(pool.neurons.synapticExcitatory.contains { $0 != 0 })
        var loaded = try NeuronPool.decode(pool.encoded())
        #expect(loaded == pool && loaded.neurons.synapticExcitatory == pool.neurons.synapticExcitatory)
        for _ in 0 ..< 300 {
            pool.tick()
            loaded.tick()
            #expect(loaded.lastSpikes == pool.lastSpikes)
        }
        #expect(loaded.encoded() == pool.encoded())
    }

    /// Homeostasis in Hz: a population driven to ≈ 100 Hz with a 20 Hz target settles at it;
    /// without it (the default) the same population keeps its natural rate.
    @Test func homeostasisSettlesAtItsTarget() throws {
        var p = NeuronParameters()
        (p.tauM, p.iE, p.cM, p.vInit) = (20, 500, 250, .uniform(low: 0, high: 20))  // RI = 40 mV
        var free = try Self.pool(p, count: 50)
        p.homeostasisHz = 20
        p.homeostasisStep = 1.0 / 256
        var regulated = try Self.pool(p, count: 50)
        for _ in 0 ..< 50_000 { free.tick(); regulated.tick() }  // 5 s
        var (a, b) = (0, 0)
        for _ in 0 ..< 50_000 { a += free.tick(); b += regulated.tick() }  // 5 s more
        let freeRate = Double(a) / 50 / 5, rate = Double(b) / 50 / 5
        #expect(freeRate > 60, "unregulated rate \(freeRate) Hz")
        #expect(abs(rate - 20) < 2, "regulated rate \(rate) Hz, target 20 Hz")
    }
}
