import CNeuroPoolShims

extension NeuronPool {
    /// Advances the pool one tick with per-neuron external input (Q8.8 mV, one value per
    /// neuron, added this tick only). Returns the number of neurons that fired; they are in
    /// `lastSpikes`. O(N + spikes × out-degree) — plus, with STDP on, spikes × in-degree and
    /// an eligibility sweep of all synapses every `eligibilityDecayInterval` ticks.
    ///
    /// Integer arithmetic only; no allocation once the STDP index exists.
    @discardableResult
    public mutating func tick(input: [Int16]) throws(PoolError) -> Int {
        guard input.count == neuronCount else { throw .inputCountMismatch(input.count, neurons: neuronCount) }
        return input.withUnsafeBufferPointer { step(external: $0) }
    }

    /// Advances the pool one tick with no external input other than `inject`.
    @discardableResult
    public mutating func tick() -> Int {
        step(external: nil as UnsafeBufferPointer<Int16>?)
    }

    /// Advances the pool one tick with input from a buffer of exactly `neuronCount` values
    /// (the allocation-free form for drivers that keep their own input buffer).
    @discardableResult
    public mutating func tick(input: UnsafeBufferPointer<Int16>) throws(PoolError) -> Int {
        guard input.count == neuronCount else { throw .inputCountMismatch(input.count, neurons: neuronCount) }
        return step(external: input)
    }

    /// Advances the pool one tick with 32-bit input in the pool's membrane units (a population
    /// pool's inputs are 2^−16 mV and do not fit 16 bits), exactly `neuronCount` values.
    @discardableResult
    public mutating func tick(input: UnsafeBufferPointer<Int32>) throws(PoolError) -> Int {
        guard input.count == neuronCount else { throw .inputCountMismatch(input.count, neurons: neuronCount) }
        return step(external: input)
    }

    // One tick, in this order:
    //  1. deliver: take this tick's delay-ring slot (and any external/injected input), clear it;
    //  2. integrate and leak: v ← v − (v·leak ≫ 8) + input, saturated to Int16, unless refractory;
    //  3. threshold/spike/refractory: v ≥ θ fires, resets v and starts the refractory count;
    //     homeostasis raises θ on a spike and lowers it otherwise (trace decay happens here too);
    //  4. propagate: each spike adds weight ≪ shift into slot (t + delay) of its targets' ring;
    //     with STDP, each arrival pairs with its target's last spike (depression);
    //  5. with STDP, the spikers' last-spike times become t and the synapses onto them pair
    //     with their sources' last arrivals; the spikers get the full trace;
    //  6. with STDP, the modulator levels relax one tick; every `sweepInterval` ticks the
    //     sweep changes weights and decays eligibility.
    mutating func step<E: FixedWidthInteger>(external: UnsafeBufferPointer<E>?) -> Int {
        let tick = tickCount
        let fired: Int
        if populations != nil {
            fired = integratePopulations(tick: tick, external: external)
        } else {
            // Four copies of the neuron pass, each with its branches on configuration folded away.
            let homeostasis = config.homeostasisStep > 0
            switch (homeostasis, external) {
            case (true, let external?): fired = integrate(tick: tick, external: external, homeostasis: true)
            case (false, let external?): fired = integrate(tick: tick, external: external, homeostasis: false)
            case (true, nil): fired = integrate(tick: tick, external: nil as UnsafeBufferPointer<E>?, homeostasis: true)
            case (false, nil): fired = integrate(tick: tick, external: nil as UnsafeBufferPointer<E>?, homeostasis: false)
            }
        }
        lastSpikeCount = fired
        totalSpikes &+= UInt64(fired)

        // Step 4. A population pool's synapses carry their projection's weight shift.
        let scaled = populations != nil
        if config.stdp {
            if scaled { propagate(tick: tick, fired: fired, scaled: true, plastic: true) } else { propagate(tick: tick, fired: fired, scaled: false, plastic: true) }
            // Step 5, after the depression above so a pair within one tick counts once.
            let now = UInt32(truncatingIfNeeded: tick)
            lastSpike.withUnsafeMutableBufferPointer { last in
                spikeBuffer.withUnsafeBufferPointer { spikes in
                    for k in 0 ..< fired { last[Int(spikes[k])] = now }
                }
            }
            pairAtPostSpikes(tick: tick, fired: fired)
        } else {
            if scaled { propagate(tick: tick, fired: fired, scaled: true, plastic: false) } else { propagate(tick: tick, fired: fired, scaled: false, plastic: false) }
        }

        let traceMax = Int8(config.traceMax)
        neurons.trace.withUnsafeMutableBufferPointer { trace in
            spikeBuffer.withUnsafeBufferPointer { spikes in
                for k in 0 ..< fired { trace[Int(spikes[k])] = traceMax }
            }
        }
        tickCount = tick &+ 1
        // Step 6.
        if config.stdp {
            plasticity.advance()
            if tickCount % UInt64(plasticity.sweepInterval) == 0 { sweepPlasticity(tick: tickCount) }
            if tickCount & (1 << 24 - 1) == 0 { refreshSpikeTimes() }
        }
        return fired
    }

    /// Steps 1–3 for every neuron: returns how many fired and leaves them, ascending, in
    /// `spikeBuffer`. A refractory neuron counts down, keeps its membrane and ignores its input.
    ///
    /// Two passes, so the first can be vectorized: pass A updates every neuron with selects
    /// only and marks the ones that cross threshold in `spikeFlags`; pass B walks the marks
    /// (eight at a time) and finishes the few that fired: reset, refractory count, spike list
    /// and homeostatic rise.
    @inline(__always)
    private mutating func integrate<E: FixedWidthInteger>(tick: UInt64, external: UnsafeBufferPointer<E>?, homeostasis: Bool) -> Int {
        let n = neuronCount
        let base = delays.slot(forTick: tick) * n
        let traceDecay = Int32(config.traceDecay)
        let fall = Int32(config.homeostasisStep)
        let rise = Int32(config.homeostasisRise)
        let thetaMin = Int32(config.thresholdBounds.lowerBound)
        let thetaMax = Int32(config.thresholdBounds.upperBound)
        var fired = 0
        neurons.membrane.withUnsafeMutableBufferPointer { membrane in
        neurons.threshold.withUnsafeMutableBufferPointer { threshold in
        neurons.leak.withUnsafeBufferPointer { leak in
        neurons.refractory.withUnsafeMutableBufferPointer { refractory in
        neurons.flags.withUnsafeBufferPointer { flags in
        neurons.trace.withUnsafeMutableBufferPointer { trace in
        delays.input.withUnsafeMutableBufferPointer { ring in
        spikeFlags.withUnsafeMutableBufferPointer { marks in
        spikeBuffer.withUnsafeMutableBufferPointer { spikes in
        profileReset.withUnsafeBufferPointer { resetOf in
        profileRefractory.withUnsafeBufferPointer { refractoryOf in
            // Pass A.
            for i in 0 ..< n {
                // 1. deliver
                var input = ring[base &+ i]
                ring[base &+ i] = 0
                if let external { input &+= Int32(truncatingIfNeeded: external[i]) }
                trace[i] = Int8(truncatingIfNeeded: (Int32(trace[i]) &* traceDecay) &>> 8)
                // 2. integrate and leak
                let r = refractory[i]
                let active = r == 0
                let before = Int32(membrane[i])
                var v = before &- ((before &* Int32(leak[i])) &>> 8) &+ input
                v = min(max(v, Int32(Int16.min)), Int32(Int16.max))
                // 3. threshold (the spikers are finished in pass B)
                let theta = Int32(threshold[i])
                let spike = active && v >= theta
                membrane[i] = Int16(truncatingIfNeeded: active ? v : before)
                refractory[i] = active ? 0 : r &- 1
                marks[i] = spike ? 1 : 0
                if homeostasis {
                    threshold[i] = Int16(truncatingIfNeeded: spike ? theta : min(max(theta &- fall, thetaMin), thetaMax))
                }
            }
            // Pass B.
            UnsafeMutableRawBufferPointer(marks).withMemoryRebound(to: UInt64.self) { words in
                for w in 0 ..< words.count {
                    var word = UInt64(littleEndian: words[w])
                    while word != 0 {
                        let i = w &* 8 &+ word.trailingZeroBitCount &>> 3
                        word &= word &- 1
                        let profile = Int((flags[i] & NeuronFlags.profileMask) &>> NeuronFlags.profileShift)
                        membrane[i] = resetOf[profile]
                        refractory[i] = refractoryOf[profile]
                        spikes[fired] = UInt16(truncatingIfNeeded: i)
                        fired &+= 1
                        if homeostasis {
                            threshold[i] = Int16(truncatingIfNeeded: min(max(Int32(threshold[i]) &+ rise, thetaMin), thetaMax))
                        }
                    }
                }
            }
        }}}}}}}}}}}
        return fired
    }

    /// Step 4: the spikes of this tick go out through the pool's own synapses
    /// (`SynapseStore.send`, the loop afferent deliveries use too); with STDP each arrival also
    /// pairs with its target's last spike. The flags are constants at each call, so every
    /// combination compiles to its own loop.
    @inline(__always)
    private mutating func propagate(tick: UInt64, fired: Int, scaled: Bool, plastic: Bool) {
        let shift = Int32(config.weightShift)
        let (n, mask, split) = (neuronCount, delays.mask, delays.channels == 2 ? 1 : 0)
        plasticity.withWindows { windows in
            delays.input.withUnsafeMutableBufferPointer { ring in
                spikeBuffer.withUnsafeBufferPointer { spikes in
                    lastSpike.withUnsafeBufferPointer { last in
                        let target = RingTarget(ring: ring, neurons: n, mask: mask, split: split, shift: shift)
                        synapses.send(UnsafeBufferPointer(rebasing: spikes[0 ..< fired]), tick: tick, into: target, scaled: scaled,
                                      plastic: plastic, postLast: last, windows: windows, prefetch: true)
                    }
                }
            }
        }
    }

    /// Step 5: the synapses onto every neuron that fired pair with their sources' last
    /// arrivals — the pool's own (`lastSpike`) and each afferent projection's mirror.
    private mutating func pairAtPostSpikes(tick: UInt64, fired: Int) {
        guard fired > 0 else { return }
        let n = neuronCount
        plasticity.withWindows { windows in
            spikeBuffer.withUnsafeBufferPointer { spikes in
                let post = UnsafeBufferPointer(rebasing: spikes[0 ..< fired])
                lastSpike.withUnsafeBufferPointer { last in
                    synapses.pair(fired: post, tick: tick, preLast: last, windows: windows, targets: n)
                }
                for p in afferents.indices {
                    var projection = takeAfferent(p)
                    projection.sourceLastSpike.withUnsafeBufferPointer { last in
                        projection.store.pair(fired: post, tick: tick, preLast: last, windows: windows, targets: n)
                    }
                    afferents[p] = projection
                }
            }
        }
    }

    /// Keeps the last-spike times (own and mirrored) within `spikeHorizon` of now.
    private mutating func refreshSpikeTimes() {
        NeuronPool.refresh(&lastSpike, tick: tickCount)
        for p in afferents.indices { NeuronPool.refresh(&afferents[p].sourceLastSpike, tick: tickCount) }
    }
}

extension NeuronPool {
    /// Bytes held by the derived STDP incoming-synapse index (0 until STDP has run).
    public var stdpIndexBytes: Int { synapses.incoming?.byteCount ?? 0 }
}
