extension NeuronPool {
    /// A pool of populations (see `PopulationTable`): neurons numbered population by
    /// population, no synapses yet (`setSynapses` adds them), membranes at `membrane`
    /// (2^−16 mV above rest, one per neuron), a delay ring for delays up to `maxDelay` ticks.
    /// Throws if the table, membranes or delay do not fit. O(N).
    public static func withPopulations(name: String, table: PopulationTable, membrane: ContiguousArray<Int32>,
                                       maxDelay: Int, config: PoolConfig) throws(PoolError) -> NeuronPool {
        let flags = table.flags
        let n = flags.count
        guard (1 ... 65536).contains(n) else { throw .invalidNeuronCount(n) }
        guard membrane.count == n else { throw .inputCountMismatch(membrane.count, neurons: n) }
        guard (1 ... DelayBuffer.maxSlots).contains(maxDelay) else {
            throw .invalidConfig(field: "maxDelay", value: "\(maxDelay)", expected: "1...\(DelayBuffer.maxSlots) ticks")
        }
        try config.validate()
        let exponential = table.hasExponentialSynapses
        var neurons = NeuronArrays(populationFlags: flags, membrane: membrane)
        if exponential {
            neurons.synapticExcitatory = ContiguousArray(repeating: 0, count: n)
            neurons.synapticInhibitory = ContiguousArray(repeating: 0, count: n)
        }
        var pool = NeuronPool(name: name, config: config, random: PoolRandom(seed: config.seed),
                              neurons: neurons, synapses: SynapseStore(neuronCount: n),
                              delays: DelayBuffer(neuronCount: n, slots: maxDelay, channels: exponential ? 2 : 1))
        pool.populations = table
        return pool
    }

    /// Replaces the pool's own synapses with `connections` (source, synapse) in any order;
    /// rows end sorted by (delay, target) and connections of equal (source, delay, target)
    /// keep their given order. Checks targets, delays (1…the ring's slots), shifts (0…20)
    /// and Dale's law by the source's kind. Grows nothing: build the pool with the largest
    /// delay first. O(S log S).
    public mutating func setSynapses(_ connections: [(source: Int, synapse: Synapse)]) throws(PoolError) {
        let n = neuronCount
        for c in connections {
            try NeuronPool.check(c.synapse, source: c.source, sourceCount: n, inhibitory: c.source >= 0 && c.source < n && neurons.isInhibitory(c.source),
                                 targetCount: n, slots: delays.slotCount)
        }
        let (rowPtr, synapses) = SynapseStore.rows(n, connections)
        self.synapses = SynapseStore(rowPtr: rowPtr, synapses: synapses)
    }

    /// The checks one synapse of a population pool (or of a projection into one) must pass.
    static func check(_ s: Synapse, source: Int, sourceCount: Int, inhibitory: Bool, targetCount: Int, slots: Int) throws(PoolError) {
        guard (0 ..< sourceCount).contains(source) else { throw .rangeOutOfBounds(source ..< source + 1, neurons: sourceCount) }
        guard Int(s.target) < targetCount else { throw .rangeOutOfBounds(Int(s.target) ..< Int(s.target) + 1, neurons: targetCount) }
        guard (1 ... slots).contains(Int(s.delay)) else {
            throw .invalidConfig(field: "delay", value: "\(s.delay)", expected: "1...\(slots) ticks")
        }
        guard s.shift <= 20 else {
            throw .invalidConfig(field: "shift", value: "\(s.shift)", expected: "a weight shift of 0...20")
        }
        guard s.weight != Int8.min, inhibitory ? s.weight <= 0 : s.weight >= 0 else {
            throw .invalidConfig(field: "weight", value: "\(s.weight)", expected: inhibitory ? "-127...0 (inhibitory source)" : "0...127 (excitatory source)")
        }
    }

    /// Grows the delay ring to hold delays up to `delay` ticks (at most `DelayBuffer.maxSlots`),
    /// keeping the input in flight. O(slots × N).
    public mutating func growDelays(to delay: Int) throws(PoolError) {
        guard (1 ... DelayBuffer.maxSlots).contains(delay) else {
            throw .invalidConfig(field: "delay", value: "\(delay)", expected: "1...\(DelayBuffer.maxSlots) ticks")
        }
        delays.grow(toDelay: delay, at: tickCount)
    }

    /// Steps 1–3 of a population pool, population by population, each with its constants in
    /// registers: v ← round(v · decay / 2^24) + drive + input (bounded below by the floor),
    /// a spike at v ≥ threshold + offset, then reset and refractory count. With exponential
    /// synapses the arriving input goes into the synaptic states instead, which feed the
    /// membrane from the next tick on and decay every tick (NEST's `iaf_psc_exp` order); the
    /// external input (constant currents) still goes to the membrane. Integer only.
    @inline(__always)
    mutating func integratePopulations<E: FixedWidthInteger>(tick: UInt64, external: UnsafeBufferPointer<E>?) -> Int {
        let n = neuronCount
        let base = delays.slot(forTick: tick) * n
        let split = delays.channels == 2
        let traceDecay = Int32(config.traceDecay)
        var fired = 0
        populations!.populations.withUnsafeBufferPointer { table in
        neurons.membrane.withUnsafeMutableBufferPointer { high in
        neurons.membraneLow.withUnsafeMutableBufferPointer { low in
        neurons.threshold.withUnsafeMutableBufferPointer { offset in
        neurons.refractory.withUnsafeMutableBufferPointer { refractory in
        neurons.flags.withUnsafeBufferPointer { flags in
        neurons.trace.withUnsafeMutableBufferPointer { trace in
        delays.input.withUnsafeMutableBufferPointer { ring in
        neurons.synapticExcitatory.withUnsafeMutableBufferPointer { synEx in
        neurons.synapticInhibitory.withUnsafeMutableBufferPointer { synIn in
        spikeFlags.withUnsafeMutableBufferPointer { marks in
        spikeBuffer.withUnsafeMutableBufferPointer { spikes in
            // Pass A, per population (two copies: input on one channel or on two).
            for p in 0 ..< table.count {
                if split {
                    NeuronPool.integrate(table[p], split: true, base: base, ring: ring, external: external, high: high, low: low, offset: offset,
                                         refractory: refractory, trace: trace, synEx: synEx, synIn: synIn, marks: marks, traceDecay: traceDecay)
                } else {
                    NeuronPool.integrate(table[p], split: false, base: base, ring: ring, external: external, high: high, low: low, offset: offset,
                                         refractory: refractory, trace: trace, synEx: synEx, synIn: synIn, marks: marks, traceDecay: traceDecay)
                }
            }
            // Pass B: reset, refractory count, spike list and homeostatic rise of the spikers.
            UnsafeMutableRawBufferPointer(marks).withMemoryRebound(to: UInt64.self) { words in
                for w in 0 ..< words.count {
                    var word = UInt64(littleEndian: words[w])
                    while word != 0 {
                        let i = w &* 8 &+ word.trailingZeroBitCount &>> 3
                        word &= word &- 1
                        let pop = table[Int(flags[i] &>> 1)]
                        high[i] = Int16(truncatingIfNeeded: pop.reset &>> 16)
                        low[i] = UInt16(truncatingIfNeeded: pop.reset)
                        refractory[i] = pop.refractory
                        spikes[fired] = UInt16(truncatingIfNeeded: i)
                        fired &+= 1
                        if pop.homeostasisRise != 0 {
                            offset[i] = Int16(truncatingIfNeeded: min(Int32(offset[i]) &+ pop.homeostasisRise, Int32(Int16.max)))
                        }
                    }
                }
            }
        }}}}}}}}}}}}
        return fired
    }

    /// Pass A for one population: deliver, integrate, mark the spikers. `split`: the pool's
    /// input travels on two channels (excitatory, inhibitory), which exponential synapses take
    /// into their states and delta synapses add together.
    @inline(__always)
    private static func integrate<E: FixedWidthInteger>(
        _ pop: PopulationTable.Population, split: Bool, base: Int, ring: UnsafeMutableBufferPointer<Int32>, external: UnsafeBufferPointer<E>?,
        high: UnsafeMutableBufferPointer<Int16>, low: UnsafeMutableBufferPointer<UInt16>, offset: UnsafeMutableBufferPointer<Int16>,
        refractory: UnsafeMutableBufferPointer<UInt8>, trace: UnsafeMutableBufferPointer<Int8>,
        synEx: UnsafeMutableBufferPointer<Int32>, synIn: UnsafeMutableBufferPointer<Int32>,
        marks: UnsafeMutableBufferPointer<UInt8>, traceDecay: Int32
    ) {
        let half = Int64(1) << (PopulationTable.decayShift - 1)
        let decay = Int64(pop.decay)
        let decayEx = Int64(pop.synapseDecayExcitatory), decayIn = Int64(pop.synapseDecayInhibitory)
        let drive = Int64(pop.drive)
        let theta = Int64(pop.threshold)
        let floor = max(Int64(pop.floor), Int64(Int32.min))
        let fall = pop.homeostasisFall
        let homeostasis = pop.homeostasis
        let exponential = split && pop.exponential
        for i in pop.start ..< pop.start &+ pop.count {
            let slot = split ? (base &+ i) &<< 1 : base &+ i
            let arrivedEx = Int64(ring[slot])
            ring[slot] = 0
            var arrivedIn: Int64 = 0
            if split {
                arrivedIn = Int64(ring[slot &+ 1])
                ring[slot &+ 1] = 0
            }
            var input = drive
            if let external { input &+= Int64(truncatingIfNeeded: external[i]) }
            if exponential {
                // The states are kept 2^8 finer than the membrane (2^−24 mV), so rounding does
                // not stall a small current that should still decay.
                let ex = Int64(synEx[i]), inh = Int64(synIn[i])
                input &+= (ex &+ inh &+ 128) &>> 8
                synEx[i] = Int32(clamping: ((ex &* decayEx &+ half) &>> PopulationTable.decayShift) &+ arrivedEx &<< 8)
                synIn[i] = Int32(clamping: ((inh &* decayIn &+ half) &>> PopulationTable.decayShift) &+ arrivedIn &<< 8)
            } else {
                input &+= arrivedEx &+ arrivedIn
            }
            trace[i] = Int8(truncatingIfNeeded: (Int32(trace[i]) &* traceDecay) &>> 8)
            let r = refractory[i]
            let active = r == 0
            let before = Int32(high[i]) &<< 16 | Int32(low[i])
            var v = ((Int64(before) &* decay &+ half) &>> PopulationTable.decayShift) &+ input
            v = min(max(v, floor), Int64(Int32.max))
            let off = Int32(offset[i])
            let spike = active && v >= theta &+ Int64(off &<< 8)
            let after = active ? Int32(truncatingIfNeeded: v) : before
            high[i] = Int16(truncatingIfNeeded: after &>> 16)
            low[i] = UInt16(truncatingIfNeeded: after)
            refractory[i] = active ? 0 : r &- 1
            marks[i] = spike ? 1 : 0
            if homeostasis, !spike {
                offset[i] = Int16(truncatingIfNeeded: max(off &- fall, Int32(Int16.min)))
            }
        }
    }
}
