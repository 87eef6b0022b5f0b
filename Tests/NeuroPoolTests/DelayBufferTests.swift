import Testing
@testable import NeuroPool

@Suite("Delay buffer")
struct DelayBufferTests {
    /// Neuron 0 → neuron 1 with `delay`, weight 127 ≪ 6 = 8128 Q8.8 (≈ 32 mV, above the
    /// 20 mV threshold), so one arriving spike makes neuron 1 fire in the tick it arrives.
    static func relay(delay: UInt8) -> NeuronPool {
        var c = quietConfig()
        c.weightShift = 6
        return excitatoryPool(3, edges: [(0, Synapse(target: 1, weight: 127, delay: delay))], config: c)
    }

    /// The documented tick order: a spike fired in tick t through delay d is input to tick t + d.
    /// Checked for every delay and for every phase of the ring (idle ticks before the spike).
    @Test(arguments: 1 ... 8, 0 ..< 8)
    func spikeArrivesExactlyDelayTicksLater(delay: Int, phase: Int) throws {
        var pool = Self.relay(delay: UInt8(delay))
        #expect(pool.synapses.outgoing(0).first?.delay == UInt8(delay))
        for _ in 0 ..< phase { pool.tick() }
        let t0 = pool.tickCount
        try pool.tick(input: kick(3, [0]))
        #expect(Array(pool.lastSpikes) == [0])
        #expect(pool.delays.pending(for: 1) == 127 << 6)
        #expect(pool.delays.inFlightCount == 1)

        var targetSpikes: [UInt64] = []
        var sourceSpikes: [UInt64] = []
        for _ in 0 ..< 12 {
            let t = pool.tickCount
            pool.tick()
            if pool.lastSpikes.contains(1) { targetSpikes.append(t) }
            if pool.lastSpikes.contains(0) { sourceSpikes.append(t) }
            if t < t0 + UInt64(delay) {
                #expect(pool.delays.pending(for: 1) == 127 << 6, "input must stay in flight until tick t0+d")
            }
        }
        #expect(targetSpikes == [t0 + UInt64(delay)], "spike sent in tick \(t0) with delay \(delay)")
        #expect(sourceSpikes.isEmpty)
        #expect(pool.delays.inFlightCount == 0)
    }

    /// A sub-threshold PSP lands in the membrane in tick t + d with exactly `weight ≪ weightShift`.
    @Test(arguments: [1, 4, 8])
    func pspValueAndTiming(delay: Int) throws {
        let c = quietConfig()  // weightShift 4
        var pool = excitatoryPool(2, edges: [(0, Synapse(target: 1, weight: 10, delay: UInt8(delay)))], config: c)
        try pool.tick(input: kick(2, [0]))
        for step in 1 ... 8 {
            pool.tick()
            if step < delay {
                #expect(pool.neurons.membrane[1] == 0, "tick \(step): nothing may arrive before the delay")
            } else if step == delay {
                #expect(Int(pool.neurons.membrane[1]) == 10 << c.weightShift)
            }
        }
    }

    /// Two spikes of different delays onto one neuron arrive separately; same delay, they add.
    @Test func spikesOnDifferentDelaysDoNotMix() throws {
        let c = quietConfig()
        var pool = excitatoryPool(4, edges: [
            (0, Synapse(target: 3, weight: 10, delay: 2)),
            (1, Synapse(target: 3, weight: 20, delay: 5)),
            (2, Synapse(target: 3, weight: 30, delay: 2)),
        ], config: c)
        try pool.tick(input: kick(4, [0, 1, 2]))
        #expect(pool.delays.pending(for: 3) == Int32((10 + 20 + 30) << c.weightShift))
        var membrane: [Int16] = []
        for _ in 1 ... 6 {
            pool.tick()
            membrane.append(pool.neurons.membrane[3])
        }
        let leak = Int32(pool.neurons.leak[3])
        func leaked(_ v: Int32) -> Int32 { v - ((v * leak) >> 8) }
        let atTwo = Int32((10 + 30) << c.weightShift)
        #expect(membrane[0] == 0)
        #expect(Int32(membrane[1]) == atTwo)
        #expect(Int32(membrane[2]) == leaked(atTwo))
        #expect(Int32(membrane[3]) == leaked(leaked(atTwo)))
        #expect(Int32(membrane[4]) == leaked(leaked(leaked(atTwo))) + Int32(20 << c.weightShift))
    }

    /// `inject` feeds the slot the next tick consumes, so injected current and a spike sent
    /// 8 ticks earlier arrive together, while an injection one tick early does not combine.
    @Test func injectionAndADelayEightSpikeShareTheirTick() throws {
        var c = quietConfig()
        c.weightShift = 7
        // PSP 20 · 128 = 2560 and injection 2560: together exactly the 5120 threshold; one
        // tick apart the first has leaked (2560 − 120 + 2560 = 5000) and nothing fires.
        var together = excitatoryPool(2, edges: [(0, Synapse(target: 1, weight: 20, delay: 8))], config: c)
        try together.tick(input: [10000, 0])
        var early = together
        for _ in 1 ..< 8 { together.tick() }
        try together.inject(1 ..< 2, 2560)
        together.tick()
        #expect(together.tickCount == 9)
        #expect(Array(together.lastSpikes) == [1], "PSP and injection both arrive in tick 8")

        for _ in 1 ..< 7 { early.tick() }
        try early.inject(1 ..< 2, 2560)
        early.tick()   // tick 7: injection only
        #expect(early.lastSpikeCount == 0)
        early.tick()   // tick 8: PSP only, on a leaked membrane
        #expect(early.lastSpikeCount == 0)
        #expect(early.delays.inFlightCount == 0)
    }

    @Test func slotIsTickModuloEight() {
        #expect(DelayBuffer.slots == 8)
        for t: UInt64 in [0, 1, 7, 8, 9, 15, 16, 1_000_003, .max] {
            #expect(DelayBuffer.slot(forTick: t) == Int(t % 8))
        }
    }

    @Test func clearEmptiesEverySlot() throws {
        var pool = try NeuronPool.withFixedOutDegree(name: "c", neurons: 50, outDegree: 10, config: quietConfig())
        try pool.tick(input: kick(50, Array(0 ..< 50)))
        #expect(pool.delays.inFlightCount > 0)
        var ring = pool.delays
        ring.clear()
        #expect(ring.inFlightCount == 0)
        #expect(ring.input.allSatisfy { $0 == 0 })
        #expect(ring.input.count == DelayBuffer.slots * 50)
    }
}
