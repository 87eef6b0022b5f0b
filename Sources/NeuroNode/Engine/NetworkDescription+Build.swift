import NeuroPool

extension NetworkDescription {
    /// Builds pool `index` from the description: its own synapses from its seed, then one
    /// afferent projection per projection into it, in file order, each from its own seed and
    /// the source pool's neuron kinds. Deterministic: every process builds identical pools.
    /// O(N + S) per pool plus O(source neurons) per projection.
    public func buildPool(_ index: Int) throws(NodeError) -> PoolDriver {
        let spec = pools[index]
        var pool: NeuronPool
        do {
            switch spec.connectivity {
            case .density(let p):
                pool = try NeuronPool.withRandomConnectivity(name: spec.name, neurons: spec.neurons, density: p, config: spec.config)
            case .outDegree(let k):
                pool = try NeuronPool.withFixedOutDegree(name: spec.name, neurons: spec.neurons, outDegree: k, config: spec.config)
            }
        } catch { throw .pool(spec.name, error) }
        var sources: [Int] = []
        for projection in projections(into: index) {
            let source = pools[projection.from]
            let kinds = NeuronPool.inhibitoryNeurons(neurons: source.neurons, seed: source.config.seed)
            let connectivity: AfferentProjection.Connectivity = switch projection.connectivity {
            case .density(let p): .density(p)
            case .outDegree(let k): .outDegree(k)
            }
            do {
                let afferent = try AfferentProjection.random(
                    source: source.name, inhibitory: kinds, from: projection.fromNeurons, targetCount: spec.neurons,
                    to: projection.toNeurons, connectivity: connectivity, weight: projection.weight,
                    delay: projection.delay, seed: projection.seed)
                try pool.addAfferent(afferent)
            } catch { throw .pool(spec.name, error) }
            sources.append(projection.from)
        }
        var driver = PoolDriver(pool: pool, spec: spec, afferentSources: sources)
        if spec.model == .hh { try driver.useHodgkinHuxley(tickMicroseconds: tickMicroseconds) }
        return driver
    }

    /// The smallest lag of the projections out of `pool` (how many ticks one spike batch may
    /// cover), or nil when nothing downstream listens.
    public func outgoingLag(of pool: Int) -> Int? {
        projections(from: pool).map(\.delay.lowerBound).min()
    }
}
