import NeuroPool

/// Spikes of a run: for every tick, the ids that fired (ascending).
public typealias SpikeRecord = [[UInt16]]

/// A seeded experiment: a recurrent network (NeuroPool's construction, 80 % excitatory) driven
/// by Poisson sources through one afferent projection, run once as an `HHPool` and once as a
/// `LIFTwin` with identical connectivity and identical input spikes.
public struct DivergenceScenario: Sendable {
    /// Neurons in the pool, recurrent connection density, weight magnitudes (1…127), largest delay.
    public var neurons = 100
    public var density = 0.05
    public var weights: ClosedRange<Int> = 20 ... 60
    public var maxDelay = 4
    /// Poisson sources, their rate (Hz), targets per source, weights, delay (ticks).
    public var sources = 200
    public var sourceRate = 15.0
    public var sourceOutDegree = 10
    public var sourceWeights: ClosedRange<Int> = 30 ... 60
    public var sourceDelay = 1
    /// Ticks simulated (1 ms each unless `hh.tickDuration` says otherwise).
    public var ticks = 2000
    /// Seed of the network, and of the stimulus.
    public var seed: UInt64 = 1
    public var stimulusSeed: UInt64 = 2
    /// The biological model: parameters, features, modulator levels.
    public var hh = HHParameters()
    public var features = HHFeatures.all
    public var modulators = HHModulators(dopamine: 160, serotonin: 112, acetylcholine: 150)
    /// Coincidence window Δ (ticks), van Rossum τ (ms), Victor–Purpura q (1/ms).
    public var window = 2
    public var vanRossumTau = 10.0
    public var victorPurpuraCost = 0.1

    public init() {}

    /// Checks the ranges; throws naming the first bad field.
    public func validate() throws(HHError) {
        func check(_ ok: Bool, _ name: String, _ value: Double, _ expected: String) throws(HHError) {
            if !ok { throw .invalidParameter(name: name, value: value, expected: expected) }
        }
        try check((2 ... 65536).contains(neurons), "neurons", Double(neurons), "2...65536")
        try check(density.isFinite && (0 ... 1).contains(density), "density", density, "0...1")
        try check((1 ... 65536).contains(sources), "sources", Double(sources), "1...65536")
        try check(sourceRate.isFinite && sourceRate >= 0 && sourceRate * hh.tickDuration < 1000, "sourceRate", sourceRate, "0 Hz up to one spike per tick")
        try check((0 ... neurons).contains(sourceOutDegree), "sourceOutDegree", Double(sourceOutDegree), "0...neurons")
        try check((1 ... 8).contains(maxDelay), "maxDelay", Double(maxDelay), "1...8")
        try check((1 ... 8).contains(sourceDelay), "sourceDelay", Double(sourceDelay), "1...8")
        try check(ticks >= 1 && ticks <= 10_000_000, "ticks", Double(ticks), "1...10000000")
        try check((1 ... 15).contains(window), "window", Double(window), "1...15 ticks")
        try check(vanRossumTau > 0, "vanRossumTau", vanRossumTau, "> 0 ms")
        try check(victorPurpuraCost >= 0 && victorPurpuraCost.isFinite, "victorPurpuraCost", victorPurpuraCost, ">= 0 per ms")
        try hh.validate()
    }

    /// The NeuroPool configuration of the network (plasticity off: the divergence is about dynamics).
    public var poolConfig: PoolConfig {
        var c = PoolConfig()
        c.seed = seed
        c.excitatoryWeight = weights
        c.inhibitoryWeight = weights
        c.maxDelay = maxDelay
        c.stdp = false
        c.homeostasisStep = 0
        return c
    }

    /// The network as a NeuroPool pool (the source of both models' connectivity).
    public func network() throws(HHError) -> NeuronPool {
        do { return try NeuronPool.withRandomConnectivity(name: "diverge", neurons: neurons, density: density, config: poolConfig) } catch {
            throw .invalidParameter(name: "network", value: density, expected: error.description)
        }
    }

    /// The stimulus projection (all sources excitatory).
    public func projection() throws(HHError) -> HHProjection {
        do {
            return HHProjection(try AfferentProjection.random(
                source: "poisson", inhibitory: Array(repeating: false, count: sources), from: 0 ..< sources, targetCount: neurons,
                to: 0 ..< neurons, connectivity: .outDegree(sourceOutDegree), weight: sourceWeights,
                delay: sourceDelay ... sourceDelay, seed: seed &+ 0x5EED))
        } catch { throw .invalidParameter(name: "sources", value: Double(sources), expected: error.description) }
    }

    /// The Poisson source spikes of every tick, from `stimulusSeed`.
    public func stimulus() -> SpikeRecord {
        var random = PoolRandom(seed: stimulusSeed)
        let chance = UInt64((sourceRate * hh.tickDuration / 1000 * 4_294_967_296).rounded())
        return (0 ..< ticks).map { _ in (0 ..< sources).compactMap { random.chance(chance) ? UInt16($0) : nil } }
    }

    /// The biological pool as built for a run, before its first tick.
    public func biologicalPool(features: HHFeatures) throws(HHError) -> HHPool {
        var pool = try HHPool(connectivityOf: try network(), parameters: hh, features: features, seed: seed)
        pool.apply(modulators)
        try pool.addAfferent(try projection())
        return pool
    }

    /// Runs the biological pool with `features`; returns what it fired each tick.
    public func runBiological(features: HHFeatures, stimulus: SpikeRecord? = nil) throws(HHError) -> SpikeRecord {
        var pool = try biologicalPool(features: features)
        let input = stimulus ?? self.stimulus()
        var record: SpikeRecord = []
        record.reserveCapacity(ticks)
        for t in 0 ..< ticks {
            if t >= sourceDelay { try pool.deliver(projection: 0, sourceTick: UInt64(t - sourceDelay), spikes: input[t - sourceDelay]) }
            pool.tick()
            record.append(Array(pool.lastSpikes))
        }
        return record
    }

    /// Runs the twin with `parameters` on the same network and stimulus.
    public func runTwin(_ parameters: LIFTwinParameters, network: NeuronPool? = nil, projection: HHProjection? = nil,
                        stimulus: SpikeRecord? = nil) throws(HHError) -> SpikeRecord {
        let pool: NeuronPool
        if let network { pool = network } else { pool = try self.network() }
        let afferent: HHProjection
        if let projection { afferent = projection } else { afferent = try self.projection() }
        var twin = LIFTwin(connectivityOf: pool, parameters: parameters)
        try twin.addAfferent(afferent)
        let input = stimulus ?? self.stimulus()
        var record: SpikeRecord = []
        record.reserveCapacity(ticks)
        for t in 0 ..< ticks {
            if t >= sourceDelay { try twin.deliver(projection: 0, sourceTick: UInt64(t - sourceDelay), spikes: input[t - sourceDelay]) }
            twin.tick()
            record.append(Array(twin.lastSpikes))
        }
        return record
    }

    /// Replays two records through a tracker (`data` as the biological side).
    public func compare(_ data: SpikeRecord, _ model: SpikeRecord) throws(HHError) -> DivergenceReport {
        var tracker = try DivergenceTracker(neurons: neurons, window: window, tickDuration: hh.tickDuration)
        for (a, b) in zip(data, model) { tracker.record(bio: a, twin: b) }
        return tracker.report(vanRossumTau: vanRossumTau, victorPurpuraCost: victorPurpuraCost)
    }

    /// Mean Γ only (what the optimizer evaluates), without the distances; the same population
    /// mean as `DivergenceReport.meanGamma` (neurons silent in both left out). O(spikes).
    public func meanGamma(_ data: SpikeRecord, _ model: SpikeRecord) -> Double {
        var a = [[Double]](repeating: [], count: neurons), b = a
        for (t, (x, y)) in zip(data, model).enumerated() {
            for id in x where Int(id) < neurons { a[Int(id)].append(Double(t)) }
            for id in y where Int(id) < neurons { b[Int(id)].append(Double(t)) }
        }
        let g = (0 ..< neurons).filter { !a[$0].isEmpty || !b[$0].isEmpty }.map {
            Divergence.coincidenceFactor(data: a[$0], model: b[$0], window: Double(window), duration: Double(data.count)) ?? 0
        }
        return g.isEmpty ? 0 : g.reduce(0, +) / Double(g.count)
    }
}
