extension NeuronPool {
    /// A pool of `neurons` neurons where each neuron connects to a `density` fraction of the
    /// others: ⌊density·(N−1)⌋ targets, plus one more with the fractional remainder's
    /// probability, drawn without replacement and without self-connections.
    ///
    /// Exactly ⌊4N/5⌋ neurons are excitatory and the rest inhibitory (Dale's law: every
    /// synapse of an inhibitory neuron is negative), their positions drawn from the seed.
    /// Delays are uniform in 1…`config.maxDelay`. O(N + S log(S/N)).
    public static func withRandomConnectivity(name: String, neurons: Int, density: Double,
                                              config: PoolConfig = PoolConfig()) throws(PoolError) -> NeuronPool {
        guard density.isFinite, (0 ... 1).contains(density) else { throw .invalidDensity(density) }
        try validate(neurons: neurons, config: config)
        let exact = Double(neurons - 1) * density
        let whole = Int(exact.rounded(.down))
        let extraChance = UInt64(((exact - Double(whole)) * 4_294_967_296).rounded(.down))
        return build(name: name, neurons: neurons, config: config) { random in
            whole + (random.chance(extraChance) ? 1 : 0)
        }
    }

    /// A pool where every neuron has exactly `outDegree` distinct targets other than itself
    /// (NEST's `fixed_outdegree` without multapses or autapses). Otherwise as
    /// `withRandomConnectivity`.
    public static func withFixedOutDegree(name: String, neurons: Int, outDegree: Int,
                                          config: PoolConfig = PoolConfig()) throws(PoolError) -> NeuronPool {
        try validate(neurons: neurons, config: config)
        guard outDegree >= 0, outDegree <= neurons - 1 else { throw .invalidOutDegree(outDegree, neurons: neurons) }
        return build(name: name, neurons: neurons, config: config) { _ in outDegree }
    }

    /// A pool with no synapses (synaptogenesis can grow them).
    public static func unconnected(name: String, neurons: Int, config: PoolConfig = PoolConfig()) throws(PoolError) -> NeuronPool {
        try validate(neurons: neurons, config: config)
        return build(name: name, neurons: neurons, config: config) { _ in 0 }
    }

    private static func validate(neurons: Int, config: PoolConfig) throws(PoolError) {
        guard (1 ... 65536).contains(neurons) else { throw .invalidNeuronCount(neurons) }
        try config.validate()
    }

    /// Shared construction: kinds, then each row's targets, delays and weights.
    private static func build(name: String, neurons n: Int, config: PoolConfig,
                              rowLength: (inout PoolRandom) -> Int) -> NeuronPool {
        var random = PoolRandom(seed: config.seed)
        let inhibitory = drawKinds(neurons: n, &random)
        let flags = ContiguousArray<UInt8>(inhibitory.map {
            NeuronFlags.encode(inhibitory: $0, profile: $0 ? config.inhibitoryProfile : config.excitatoryProfile)
        })

        // Rows: Floyd's sampling of distinct targets among the n − 1 other neurons.
        var rowPtr = ContiguousArray<UInt32>(repeating: 0, count: n + 1)
        var synapses = ContiguousArray<Synapse>()
        var chosen = [Bool](repeating: false, count: max(n - 1, 1))
        var picks: [Int] = []
        var row: [Synapse] = []
        for source in 0 ..< n {
            let k = min(rowLength(&random), n - 1)
            picks.removeAll(keepingCapacity: true)
            if k > 0 {
                for j in (n - 1 - k) ..< (n - 1) {
                    var t = Int(random.uniform(below: UInt64(j + 1)))
                    if chosen[t] { t = j }
                    chosen[t] = true
                    picks.append(t)
                }
            }
            let inhibitory = NeuronFlags.isInhibitory(flags[source])
            let magnitudes = inhibitory ? config.inhibitoryWeight : config.excitatoryWeight
            row.removeAll(keepingCapacity: true)
            for t in picks {
                chosen[t] = false
                let target = t >= source ? t + 1 : t
                let delay = UInt8(random.uniform(in: 1 ... config.maxDelay))
                let magnitude = random.uniform(in: magnitudes)
                row.append(Synapse(target: UInt16(target), weight: Int8(inhibitory ? -magnitude : magnitude), delay: delay))
            }
            row.sort(by: SynapseStore.rowOrder)
            synapses.append(contentsOf: row)
            rowPtr[source + 1] = UInt32(synapses.count)
        }
        return NeuronPool(name: name, config: config, random: random, neurons: NeuronArrays(flags: flags),
                          synapses: SynapseStore(rowPtr: rowPtr, synapses: synapses))
    }

    /// Which neurons of a pool built from `seed` are inhibitory, without building it: a node
    /// needs this for the source neurons of its afferent projections (Dale's law). O(N).
    public static func inhibitoryNeurons(neurons n: Int, seed: UInt64) -> [Bool] {
        var random = PoolRandom(seed: seed)
        return drawKinds(neurons: n, &random)
    }

    /// Kinds: exactly n − ⌊4n/5⌋ inhibitory neurons at seeded positions (the first draws of
    /// every construction).
    private static func drawKinds(neurons n: Int, _ random: inout PoolRandom) -> [Bool] {
        var order = Array(0 ..< n)
        shuffle(&order, &random)
        var inhibitory = [Bool](repeating: false, count: n)
        for i in order.prefix(n - (4 * n) / 5) { inhibitory[i] = true }
        return inhibitory
    }

    /// Fisher–Yates with the pool's generator.
    static func shuffle<T>(_ a: inout [T], _ random: inout PoolRandom) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            a.swapAt(i, Int(random.uniform(below: UInt64(i + 1))))
        }
    }
}
