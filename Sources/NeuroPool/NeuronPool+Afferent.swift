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
        if populations == nil, projection.synapses.contains(where: { $0.shift != 0 }) {
            throw .invalidConfig(field: "shift", value: "non-zero", expected: "no per-synapse weight shift in a shorthand pool")
        }
        var projection = projection
        projection.sourceLastSpike = ContiguousArray(repeating: NeuronPool.longAgo(config.stdp ? tickCount : 0), count: projection.sourceCount)
        afferents.append(projection)
        return afferents.count - 1
    }

    /// Delivers the spikes that the source of afferent projection `p` fired in its tick
    /// `sourceTick`, which must be `tickCount − lag`: every projection gets exactly one
    /// delivery (possibly empty) before each tick from `lag` on.
    ///
    /// Each spike adds `weight << weightShift` (in a population pool, `weight << shift`) to the delay-ring slot of tick
    /// `sourceTick + delay` of its targets. With STDP, each arrival pairs with its target's
    /// last spike (depression) and the spiking sources' mirrored last-spike times become
    /// `sourceTick`. Spike ids need not be ascending but must be below the source's size.
    /// O(delivered synapses); no allocation.
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
        var projection = takeAfferent(p)
        defer { afferents[p] = projection }
        plasticity.withWindows { windows in
            delays.input.withUnsafeMutableBufferPointer { ring in
                lastSpike.withUnsafeBufferPointer { last in
                    let target = RingTarget(ring: ring, neurons: n, mask: mask, split: split, shift: shift)
                    switch (scaled, stdp) {
                    case (true, true): projection.store.send(spikes, tick: sourceTick, into: target, scaled: true, plastic: true, postLast: last, windows: windows, prefetch: false)
                    case (true, false): projection.store.send(spikes, tick: sourceTick, into: target, scaled: true, plastic: false, postLast: last, windows: nil, prefetch: false)
                    case (false, true): projection.store.send(spikes, tick: sourceTick, into: target, scaled: false, plastic: true, postLast: last, windows: windows, prefetch: false)
                    case (false, false): projection.store.send(spikes, tick: sourceTick, into: target, scaled: false, plastic: false, postLast: last, windows: nil, prefetch: false)
                    }
                }
            }
        }
        if stdp {
            let now = UInt32(truncatingIfNeeded: sourceTick)
            projection.sourceLastSpike.withUnsafeMutableBufferPointer { mirror in
                for id in spikes { mirror[Int(id)] = now }
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

    /// Removes dead afferent synapses. Returns the number removed. O(S).
    mutating func pruneDeadAfferents() -> Int {
        var removed = 0
        for p in afferents.indices { removed += afferents[p].store.pruneDead() }
        return removed
    }

    /// Moves projection `p` out of the array (leaving an empty one), so its arrays can be
    /// mutated uniquely — no copy-on-write — while other parts of the pool are accessed.
    /// The caller puts it back.
    mutating func takeAfferent(_ p: Int) -> AfferentProjection {
        var projection = AfferentProjection.placeholder
        swap(&projection, &afferents[p])
        return projection
    }

    /// Number of synapses in all afferent projections.
    public var afferentSynapseCount: Int { afferents.reduce(0) { $0 + $1.count } }
}
