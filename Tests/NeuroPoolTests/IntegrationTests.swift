import Testing
@testable import NeuroPool

@Suite("Integrate, leak, fire")
struct IntegrationTests {
    @Test func leakDecaysAPositiveMembraneTowardRest() throws {
        var pool = excitatoryPool(1, edges: [])
        try pool.tick(input: [4000])  // below the 5120 threshold
        #expect(pool.lastSpikeCount == 0)
        #expect(pool.neurons.membrane[0] == 4000)
        let leak = Int(pool.neurons.leak[0])
        #expect(leak > 0)
        var previous = 4000
        pool.tick()
        #expect(Int(pool.neurons.membrane[0]) == 4000 - (4000 * leak) >> 8, "v ← v − (v·leak ≫ 8)")
        previous = Int(pool.neurons.membrane[0])
        for _ in 0 ..< 300 {
            pool.tick()
            let v = Int(pool.neurons.membrane[0])
            #expect(v <= previous && v >= 0)
            previous = v
        }
        // Ten-plus time constants later it is back within 1 mV of rest.
        #expect(previous < 256)
    }

    @Test func leakDecaysANegativeMembraneTowardRest() throws {
        var pool = excitatoryPool(1, edges: [])
        try pool.tick(input: [-4000])
        #expect(pool.neurons.membrane[0] == -4000)
        var previous = -4000
        for _ in 0 ..< 300 {
            pool.tick()
            let v = Int(pool.neurons.membrane[0])
            #expect(v >= previous && v <= 0)
            previous = v
        }
        #expect(previous > -256)
    }

    @Test func inputIntegratesAcrossTicks() throws {
        // Two sub-threshold inputs a tick apart sum (minus one leak step) and cross threshold.
        var pool = excitatoryPool(1, edges: [])
        try pool.tick(input: [3000])
        #expect(pool.lastSpikeCount == 0)
        try pool.tick(input: [3000])
        #expect(Array(pool.lastSpikes) == [0])
        #expect(pool.neurons.membrane[0] == NeuronProfile.regularSpiking.parameters.reset)
    }

    /// Driven far above threshold every tick, a neuron fires once every refractory + 1 ticks.
    @Test(arguments: NeuronProfile.allCases)
    func refractoryPeriodLimitsTheRate(profile: NeuronProfile) throws {
        var c = quietConfig()
        c.excitatoryProfile = profile
        var pool = excitatoryPool(1, edges: [], config: c)
        let period = Int(profile.parameters.refractory) + 1
        var spikeTicks: [Int] = []
        for t in 0 ..< 60 {
            try pool.tick(input: [12000])
            if pool.lastSpikeCount == 1 { spikeTicks.append(t) }
        }
        #expect(spikeTicks == Array(stride(from: 0, to: 60, by: period)), "\(profile.name)")
    }

    @Test func refractoryHoldsUnderMaximalDriveWithHomeostasis() throws {
        var c = PoolConfig()  // homeostasis and STDP on
        c.seed = 3
        var pool = try NeuronPool.withFixedOutDegree(name: "r", neurons: 40, outDegree: 5, config: c)
        var last = [Int](repeating: -1000, count: 40)
        for t in 0 ..< 300 {
            try pool.tick(input: [Int16](repeating: .max, count: 40))
            for s in pool.lastSpikes {
                let i = Int(s)
                let refractory = Int(NeuronFlags.profile(pool.neurons.flags[i]).parameters.refractory)
                #expect(t - last[i] >= refractory + 1, "neuron \(i) fired at \(last[i]) and \(t)")
                last[i] = t
            }
        }
    }

    @Test func inputDuringRefractorinessIsIgnored() throws {
        var pool = excitatoryPool(1, edges: [])
        let p = NeuronProfile.regularSpiking.parameters
        #expect(p.refractory == 2)
        try pool.tick(input: [10000])
        #expect(pool.lastSpikeCount == 1)
        #expect(pool.neurons.membrane[0] == p.reset)
        try pool.tick(input: [3000])
        try pool.tick(input: [3000])
        #expect(pool.neurons.membrane[0] == p.reset, "input while refractory must be dropped")
        #expect(pool.neurons.refractory[0] == 0)
        pool.tick()
        let reset = Int(p.reset)
        #expect(Int(pool.neurons.membrane[0]) == reset - (reset * Int(p.leak)) >> 8)
    }

    @Test func hugePositiveInputSaturatesAndFires() throws {
        var pool = excitatoryPool(2, edges: [])
        for _ in 0 ..< 4 { try pool.inject(0 ..< 2, .max) }
        try pool.tick(input: [.max, .max])
        #expect(Array(pool.lastSpikes) == [0, 1])
        #expect(pool.neurons.membrane[0] == NeuronProfile.regularSpiking.parameters.reset)
    }

    @Test func hugeNegativeInputSaturatesWithoutWrapping() throws {
        var pool = excitatoryPool(1, edges: [])
        for _ in 0 ..< 4 { try pool.inject(0 ..< 1, .min) }
        try pool.tick(input: [.min])
        #expect(pool.lastSpikeCount == 0)
        #expect(pool.neurons.membrane[0] == .min)
        pool.tick()
        #expect(pool.neurons.membrane[0] > .min)
        #expect(pool.neurons.membrane[0] < 0)
    }

    /// 500 neurons converge on one with the largest weight and shift: the summed PSP is far
    /// beyond Int16 either way and must saturate, not trap or wrap.
    @Test(arguments: [false, true])
    func convergentSynapticInputSaturates(inhibitory: Bool) throws {
        var c = quietConfig()
        c.weightShift = 7
        let n = 501
        let kinds = (0 ..< n).map { $0 == 0 ? false : inhibitory }
        let w: Int8 = inhibitory ? -127 : 127
        var pool = handmadePool(inhibitory: kinds, edges: (1 ..< n).map { ($0, Synapse(target: 0, weight: w, delay: 1)) }, config: c)
        try pool.tick(input: kick(n, Array(1 ..< n)))
        #expect(pool.lastSpikeCount == n - 1)
        #expect(pool.delays.pending(for: 0) == Int32(n - 1) * (Int32(w) << 7))
        pool.tick()
        if inhibitory {
            #expect(pool.lastSpikeCount == 0)
            #expect(pool.neurons.membrane[0] == .min)
        } else {
            #expect(Array(pool.lastSpikes) == [0])
        }
    }

    @Test func injectAppliesToTheNextTickOnly() throws {
        var pool = excitatoryPool(4, edges: [])
        try pool.inject(1 ..< 3, 3000)
        try pool.inject(2 ..< 4, 3000)
        pool.tick()
        #expect(Array(pool.lastSpikes) == [2])  // 6000 ≥ threshold; 3000 alone is not
        #expect(pool.neurons.membrane[1] == 3000)
        #expect(pool.neurons.membrane[3] == 3000)
        pool.tick()
        #expect(pool.lastSpikeCount == 0)
        #expect(pool.neurons.membrane[1] < 3000, "the injection must not repeat")
    }

    @Test func injectAndExternalInputAdd() throws {
        var pool = excitatoryPool(2, edges: [])
        try pool.inject(0 ..< 1, 3000)
        try pool.tick(input: [3000, 3000])
        #expect(Array(pool.lastSpikes) == [0])
    }

    @Test func bufferTickMatchesArrayTick() throws {
        var a = try NeuronPool.withFixedOutDegree(name: "b", neurons: 64, outDegree: 8)
        var b = a
        var noise = NoiseInput(seed: 5, neurons: 64, current: 6000, chance: 40)
        for _ in 0 ..< 100 {
            let input = noise.next()
            try a.tick(input: input)
            _ = try input.withUnsafeBufferPointer { buffer in try b.tick(input: buffer) }
            #expect(a.lastSpikes == b.lastSpikes)
        }
        #expect(a == b)
    }

    @Test func badArgumentsThrow() throws {
        var pool = excitatoryPool(4, edges: [])
        #expect(throws: PoolError.inputCountMismatch(3, neurons: 4)) { try pool.tick(input: [0, 0, 0]) }
        #expect(throws: PoolError.inputCountMismatch(5, neurons: 4)) {
            try [Int16](repeating: 0, count: 5).withUnsafeBufferPointer { try pool.tick(input: $0) }
        }
        #expect(throws: PoolError.rangeOutOfBounds(2 ..< 5, neurons: 4)) { try pool.inject(2 ..< 5, 1) }
        #expect(throws: PoolError.rangeOutOfBounds(-1 ..< 1, neurons: 4)) { try pool.inject(-1 ..< 1, 1) }
        #expect(throws: PoolError.rangeOutOfBounds(0 ..< 5, neurons: 4)) { try pool.readOutput(0 ..< 5) }
        #expect(pool.tickCount == 0, "a rejected tick must not advance the pool")
    }

    @Test func outputReadsTheLastTicksSpikes() throws {
        var pool = excitatoryPool(6, edges: [])
        try pool.tick(input: kick(6, [4, 1, 5]))
        #expect(Array(pool.lastSpikes) == [1, 4, 5])
        #expect(try pool.readOutput(0 ..< 6) == [false, true, false, false, true, true])
        #expect(try pool.readOutput(4 ..< 6) == [true, true])
        #expect(pool.spikeCount(in: 0 ..< 5) == 2)
        #expect(pool.totalSpikes == 3)
        #expect(pool.tickCount == 1)
        pool.tick()
        #expect(try pool.readOutput(0 ..< 6) == [Bool](repeating: false, count: 6))
    }

    @Test func resetMembranesKeepsTracesAndThresholds() throws {
        var pool = try NeuronPool.withFixedOutDegree(name: "m", neurons: 30, outDegree: 3)
        try pool.tick(input: kick(30, Array(0 ..< 15)))
        try pool.tick(input: [Int16](repeating: 2000, count: 30))
        let traces = pool.neurons.trace
        let thresholds = pool.neurons.threshold
        let synapses = pool.synapses
        pool.resetMembranes()
        #expect(pool.neurons.membrane.allSatisfy { $0 == 0 })
        #expect(pool.neurons.refractory.allSatisfy { $0 == 0 })
        #expect(pool.neurons.trace == traces)
        #expect(pool.neurons.threshold == thresholds)
        #expect(pool.synapses == synapses)
    }

    @Test func randomizeMembranesStaysBelowTheBound() throws {
        var pool = try NeuronPool.unconnected(name: "u", neurons: 500)
        pool.randomizeMembranes(below: 1000)
        #expect(pool.neurons.membrane.allSatisfy { (0 ..< 1000).contains($0) })
        #expect(Set(pool.neurons.membrane).count > 100)
    }
}
