import NeuroModel
import NeuroPool
import NeuroNetwork

extension NetworkDescription {
    /// Builds pool `index` from the description: its own synapses from its seed, then one
    /// afferent projection per projection into it, in file order, each from its own seed and
    /// the source pool's neuron kinds. Deterministic: every process builds identical pools.
    /// O(N + S) per pool plus O(source neurons) per projection.
    public func buildPool(_ index: Int) throws(NodeError) -> PoolDriver {
        let spec = pools[index]
        var pool: NeuronPool
        do throws(PoolError) {
            if !spec.populations.isEmpty {
                pool = try buildPopulationPool(index)
            } else {
            switch spec.connectivity {
            case .density(let p):
                pool = try NeuronPool.withRandomConnectivity(name: spec.name, neurons: spec.neurons, density: p, config: spec.config)
            case .outDegree(let k):
                pool = try NeuronPool.withFixedOutDegree(name: spec.name, neurons: spec.neurons, outDegree: k, config: spec.config)
            }
            }
        } catch { throw .pool(spec.name, error) }
        var sources: [Int] = []
        var rules: [PlasticityRule] = []
        for projection in projections(into: index) {
            if let rule = projection.physical {
                let afferent = try ruleAfferent(projection, rule: rule, rules: &rules)
                do throws(PoolError) { try pool.addAfferent(afferent) } catch { throw .pool(spec.name, error) }
                sources.append(projection.from)
                continue
            }
            let source = pools[projection.from]
            let kinds = inhibitoryNeurons(ofPool: projection.from)
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
        if !rules.isEmpty {
            do throws(PoolError) { try pool.setPlasticityRules(rules) } catch { throw .pool(spec.name, error) }
        }
        var driver = PoolDriver(pool: pool, spec: spec, afferentSources: sources)
        if spec.model == .hh { try driver.useHodgkinHuxley(tickMicroseconds: tickMicroseconds) }
        return driver
    }

    /// A pool of populations: each population's constants quantized at the network's tick,
    /// initial membranes drawn from the pool's seed, a ring for the longest delay into it.
    func buildPopulationPool(_ index: Int) throws(PoolError) -> NeuronPool {
        let spec = pools[index]
        var random = PoolRandom(seed: spec.config.seed)
        var entries: [PopulationTable.Population] = []
        var membranes = ContiguousArray<Int32>()
        for (range, p) in spec.populationRanges {
            entries.append(p.parameters.quantized(name: p.name, start: range.lowerBound, size: p.size, inhibitory: p.inhibitory,
                                                  tickMicroseconds: tickMicroseconds).0)
            membranes.append(contentsOf: p.parameters.initialMembranes(size: p.size, random: &random))
        }
        let table = try PopulationTable(entries, neurons: spec.neurons)
        let longest = projections(into: index).map(\.delay.upperBound).max() ?? 1
        return try NeuronPool.withPopulations(name: spec.name, table: table, membrane: membranes, maxDelay: longest, config: spec.config)
    }

    /// The synapses of a rule projection: pairs by the rule, then per pair (in the rule's
    /// order) a weight and a delay drawn from the projection's seed and quantized. A plastic
    /// projection's learning rule, quantized for each source kind's weight scale, is found in
    /// or added to `rules` (the target pool's, at most `NeuronPool.maxPlasticityRules`).
    func ruleAfferent(_ projection: ProjectionSpec, rule: RuleProjection, rules: inout [PlasticityRule]) throws(NodeError) -> AfferentProjection {
        var random = PoolRandom(seed: projection.seed)
        let pairs: [Connection]
        var list: ConnectionList?
        switch rule.pairing {
        case .rule(let connectionRule):
            do throws(ModelError) {
                pairs = try connectionRule.connect(sources: projection.fromNeurons, targets: projection.toNeurons,
                                                   samePool: projection.from == projection.to, allowAutapses: rule.allowAutapses,
                                                   allowMultapses: rule.allowMultapses, random: &random)
            } catch { throw .failed("projection \(projection.index): \(error)") }
        case .list(let l):
            list = l
            let (f, t) = (Int32(projection.fromNeurons.lowerBound), Int32(projection.toNeurons.lowerBound))
            pairs = zip(l.sources, l.targets).map { Connection(source: f + $0, target: t + $1) }
        }
        let kinds = inhibitoryNeurons(ofPool: projection.from)
        // Into exponential synapses a weight is a current (pA), stored as what it adds to the
        // membrane per tick (× P21 of the target's population); into delta synapses, mV.
        let target = pools[projection.to]
        let covered = target.populations(overlapping: projection.toNeurons).map { range, p in
            (range: range, excitatory: p.parameters.weightFactor(inhibitory: false, tickMicroseconds: tickMicroseconds),
             inhibitory: p.parameters.weightFactor(inhibitory: true, tickMicroseconds: tickMicroseconds))
        }
        let largestExcitatory = covered.map(\.excitatory).max() ?? 1, largestInhibitory = covered.map(\.inhibitory).max() ?? 1
        let excitatory = rule.excitatoryWeight.map { rule.weightScale($0, factor: largestExcitatory) }
        let inhibitory = rule.inhibitoryWeight.map { rule.weightScale($0, factor: largestInhibitory) }
        func ruleIndex(_ scale: WeightScale?, _ distribution: ValueDistribution?, factor: Double) throws(NodeError) -> Int {
            guard let stdp = rule.stdp, let scale, let distribution else { return 0 }
            var scaled = stdp
            scaled.learningRate *= factor
            scaled.wMin *= factor
            scaled.wMax = stdp.wMax.map { $0 * factor }
            let quantized = scaled.quantized(tickMicroseconds: Int(tickMicroseconds), shift: scale.shift,
                                             largestWeight: WeightScale.largest(distribution) * factor)
            if let k = rules.firstIndex(of: quantized) { return k }
            guard rules.count < NeuronPool.maxPlasticityRules else {
                throw .failed("projection \(projection.index) into pool \(pools[projection.to].name): the pool's plastic projections need more than \(NeuronPool.maxPlasticityRules) distinct learning rules (one per projection and source kind)")
            }
            rules.append(quantized)
            return rules.count - 1
        }
        let excitatoryRule = try ruleIndex(excitatory, rule.excitatoryWeight, factor: largestExcitatory)
        let inhibitoryRule = try ruleIndex(inhibitory, rule.inhibitoryWeight, factor: largestInhibitory)
        func factor(_ target: Int, inhibitory: Bool) -> Double {
            guard let f = covered.first(where: { $0.range.contains(target) }) else { return 1 }
            return inhibitory ? f.inhibitory : f.excitatory
        }
        let dt = Double(tickMicroseconds) / 1000
        let maturity = rule.plastic ? Maturity.newborn : Maturity.encode(.cold, counter: 0)
        var connections: [(source: Int, synapse: Synapse)] = []
        connections.reserveCapacity(pairs.count)
        for (k, c) in pairs.enumerated() {
            let source = Int(c.source)
            let negative = kinds[source]
            let (scale, distribution) = negative ? (inhibitory!, rule.inhibitoryWeight!) : (excitatory!, rule.excitatoryWeight!)
            let w = scale.weight((list?.weights?[k] ?? distribution.sample(&random)) * factor(Int(c.target), inhibitory: negative), inhibitory: negative)
            let d = RuleProjection.ticks(list?.delays?[k] ?? rule.delay.sample(&random), tickMilliseconds: dt, range: projection.delay)
            connections.append((source, Synapse(target: UInt16(c.target), weight: w, delay: UInt8(d), maturity: maturity,
                                                reserved: Synapse.reserved(shift: scale.shift, rule: negative ? inhibitoryRule : excitatoryRule))))
        }
        do throws(PoolError) {
            return try AfferentProjection.explicit(source: pools[projection.from].name, inhibitory: kinds, targetCount: pools[projection.to].neurons,
                                                   lag: projection.delay.lowerBound, connections: connections)
        } catch { throw .pool(pools[projection.to].name, error) }
    }

    /// The largest lag of any projection (8 at least): how many past ticks of spikes a pool's
    /// consumers may still ask for.
    public var maxLag: Int { max(8, projections.map(\.delay.lowerBound).max() ?? 8) }

    /// The smallest lag of the projections out of `pool` (how many ticks one spike batch may
    /// cover), or nil when nothing downstream listens.
    public func outgoingLag(of pool: Int) -> Int? {
        projections(from: pool).map(\.delay.lowerBound).min()
    }
}
