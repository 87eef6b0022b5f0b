extension NeuronPool {
    /// Adds a projection arriving from another pool. Its synapses must end on this pool's
    /// neurons. Returns its index for `deliver(projection:sourceTick:spikes:)`. O(1).
    @discardableResult
    public mutating func addAfferent(_ projection: AfferentProjection) throws(PoolError) -> Int {
        if let bad = projection.synapses.first(where: { Int($0.target) >= neuronCount }) {
            throw .rangeOutOfBounds(Int(bad.target) ..< Int(bad.target) + 1, neurons: neuronCount)
        }
        let longest = projection.synapses.reduce(0) { max($0, Int($1.delay)) }
        if longest > delays.slotCount {
            guard populations != nil else {
                throw .invalidConfig(field: "delay", value: "\(longest)", expected: "1...\(DelayBuffer.slots) ticks in a shorthand pool")
            }
            try growDelays(to: longest)
        }
        if populations == nil, projection.synapses.contains(where: { $0.reserved != 0 }) {
            throw .invalidConfig(field: "shift", value: "non-zero", expected: "no per-synapse weight shift in a shorthand pool")
        }
        afferents.append(projection)
        return afferents.count - 1
    }

    /// Delivers the spikes that the source of afferent projection `p` fired in its tick
    /// `sourceTick`, which must be `tickCount − lag`: every projection gets exactly one
    /// delivery (possibly empty) before each tick from `lag` on.
    ///
    /// Each spike adds `weight << weightShift` (in a population pool, `weight << shift`) to the delay-ring slot of tick
    /// `sourceTick + delay` of its targets. With STDP, the mirrored source traces decay one
    /// tick, a delivery onto a target with a recent trace depresses the synapse (post before
    /// pre), and the spiking sources get the full trace. Spike ids must be ascending or not,
    /// but below the source's size. O(source neurons + delivered synapses); no allocation.
    public mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: UnsafeBufferPointer<UInt16>) throws(PoolError) {
        guard afferents.indices.contains(p) else { throw .unknownProjection(p, count: afferents.count) }
        let lag = UInt64(afferents[p].lag)
        guard sourceTick &+ lag == tickCount else {
            throw .deliveryOutOfOrder(projection: p, sourceTick: sourceTick, expected: tickCount &- lag)
        }
        let sourceCount = afferents[p].sourceCount
        for id in spikes where Int(id) >= sourceCount { throw .spikeOutOfRange(Int(id), neurons: sourceCount) }

        let n = neuronCount
        let shift = Int32(config.weightShift)
        let scaled = populations != nil
        let mask = delays.mask
        let split = delays.channels == 2 ? 1 : 0
        let stdp = config.stdp
        let depression = Int32(config.stdpDepression)
        let traceDecay = Int32(config.traceDecay)
        let traceMax = Int8(config.traceMax)
        var projection = takeAfferent(p)
        defer { afferents[p] = projection }
        projection.sourceTrace.withUnsafeMutableBufferPointer { mirror in
            if stdp {
                for j in 0 ..< mirror.count {
                    mirror[j] = Int8(truncatingIfNeeded: (Int32(mirror[j]) &* traceDecay) &>> 8)
                }
            }
            delays.input.withUnsafeMutableBufferPointer { ring in
                neurons.trace.withUnsafeBufferPointer { trace in
                    let target = RingTarget(ring: ring, neurons: n, mask: mask, split: split, shift: shift)
                    switch (scaled, stdp) {
                    case (true, true): projection.store.send(spikes, tick: sourceTick, into: target, scaled: true, plastic: true, depression: depression, postTrace: trace, prefetch: false)
                    case (true, false): projection.store.send(spikes, tick: sourceTick, into: target, scaled: true, plastic: false, depression: depression, postTrace: trace, prefetch: false)
                    case (false, true): projection.store.send(spikes, tick: sourceTick, into: target, scaled: false, plastic: true, depression: depression, postTrace: trace, prefetch: false)
                    case (false, false): projection.store.send(spikes, tick: sourceTick, into: target, scaled: false, plastic: false, depression: depression, postTrace: trace, prefetch: false)
                    }
                }
            }
            if stdp {
                for id in spikes { mirror[Int(id)] = traceMax }
            }
        }
    }

    /// `deliver(projection:sourceTick:spikes:)` for spikes in an array or slice.
    public mutating func deliver(projection p: Int, sourceTick: UInt64, spikes: some Collection<UInt16>) throws(PoolError) {
        let array = ContiguousArray(spikes)
        try array.withUnsafeBufferPointer { (buffer) throws(PoolError) in
            try deliver(projection: p, sourceTick: sourceTick, spikes: buffer)
        }
    }

    /// STDP potentiation of afferent synapses: for every neuron that fired, each afferent
    /// synapse onto it whose source's mirrored trace is up gains eligibility (the pool's own
    /// synapses' code, `SynapseStore.potentiate`). O(spikes × in-degree).
    mutating func potentiateAfferents(fired: Int) {
        guard fired > 0 else { return }
        let potentiation = Int32(config.stdpPotentiation)
        let n = neuronCount
        for p in afferents.indices {
            var projection = takeAfferent(p)
            defer { afferents[p] = projection }
            projection.sourceTrace.withUnsafeBufferPointer { mirror in
                spikeBuffer.withUnsafeBufferPointer { spikes in
                    projection.store.potentiate(fired: UnsafeBufferPointer(rebasing: spikes[0 ..< fired]), preTrace: mirror,
                                                targets: n, potentiation: potentiation)
                }
            }
        }
    }

    /// One eligibility decay step of every afferent synapse (as `decayEligibility`).
    mutating func decayAfferentEligibility() {
        for p in afferents.indices { afferents[p].store.decayEligibility(shift: config.eligibilityDecayShift) }
    }

    /// Three-factor modulation of afferent synapses (as `applyModulation`; signs follow each
    /// source neuron's kind).
    mutating func modulateAfferents(reward: Int32, punishment: Int32, divisor: Int32) -> (reinforced: Int, weakened: Int) {
        var reinforced = 0
        var weakened = 0
        for p in afferents.indices {
            var projection = takeAfferent(p)
            defer { afferents[p] = projection }
            let kinds = projection.sourceInhibitory
            let changes = projection.store.modulate(reward: reward, punishment: punishment, divisor: divisor) { kinds[$0] != 0 }
            reinforced += changes.reinforced
            weakened += changes.weakened
        }
        return (reinforced, weakened)
    }

    /// Removes dead afferent synapses. Returns the number removed. O(S).
    mutating func pruneDeadAfferents() -> Int {
        var removed = 0
        for p in afferents.indices { removed += afferents[p].store.pruneDead() }
        return removed
    }

    /// Moves projection `p` out of the array (leaving an empty one), so its arrays can be
    /// mutated uniquely — no copy-on-write — while other parts of the pool are accessed.
    /// The caller puts it back.
    private mutating func takeAfferent(_ p: Int) -> AfferentProjection {
        var projection = AfferentProjection.placeholder
        swap(&projection, &afferents[p])
        return projection
    }

    /// Number of synapses in all afferent projections.
    public var afferentSynapseCount: Int { afferents.reduce(0) { $0 + $1.count } }
}
