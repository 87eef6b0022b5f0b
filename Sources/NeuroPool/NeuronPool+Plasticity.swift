extension NeuronPool {
    /// Most plasticity rules a pool holds (a synapse names its rule in 3 bits).
    public static let maxPlasticityRules = 8

    /// The pool's plasticity rules (rule 0 of a shorthand pool is `config.stdpRule`).
    public var plasticityRules: [PlasticityRule] { plasticity.rules }

    /// Installs the plasticity rules, 1…`maxPlasticityRules` of them, each validated; every
    /// synapse's rule index (own and afferent) must name one. O(S).
    public mutating func setPlasticityRules(_ rules: [PlasticityRule]) throws(PoolError) {
        guard (1 ... Self.maxPlasticityRules).contains(rules.count) else {
            throw .invalidConfig(field: "plasticityRules", value: "\(rules.count) rules", expected: "1...\(Self.maxPlasticityRules)")
        }
        for rule in rules { try rule.validate() }
        let used = max(synapses.synapses.lazy.map(\.rule).max() ?? 0,
                       afferents.lazy.map { $0.synapses.lazy.map(\.rule).max() ?? 0 }.max() ?? 0)
        guard used < rules.count else {
            throw .invalidConfig(field: "plasticityRules", value: "\(rules.count) rules", expected: "at least \(used + 1): a synapse uses rule \(used)")
        }
        plasticity.install(rules, dopamineTau: config.dopamineTau)
    }

    /// Receives one neuromodulator broadcast (levels 0…255; nil: no pulse of that modulator).
    /// Dopamine adds a pulse of `level − dopamineBaseline` to the dopamine level (a dip below
    /// baseline when negative), cortisol a pulse of its excess over `cortisolBaseline`; both
    /// relax back with `config.dopamineTau`, and while they are off baseline the weights of
    /// eligible synapses change (see `PlasticityRule`): dopamine above baseline strengthens
    /// causal (e > 0) synapses and weakens anti-causal ones, a dip or cortisol does the
    /// opposite. Acetylcholine at or above `config.acetylcholineGate` runs synaptogenesis.
    /// Returns the number of synapses synaptogenesis created.
    @discardableResult
    public mutating func receiveModulators(dopamine: UInt8?, cortisol: UInt8?, acetylcholine: UInt8?) -> Int {
        if config.stdp {
            plasticity.receive(dopamine: dopamine.map(Int.init), cortisol: cortisol.map(Int.init),
                               dopamineBaseline: config.dopamineBaseline, cortisolBaseline: config.cortisolBaseline)
        }
        guard let acetylcholine else { return 0 }
        return synaptogenesis(acetylcholine: acetylcholine)
    }

    /// The sweep of every `sweepInterval` ticks: weight change under the modulation summed
    /// since the last sweep, then eligibility decay, for the pool's own and afferent synapses;
    /// synapses that died are pruned. O(S).
    mutating func sweepPlasticity(tick: UInt64) {
        let modulate = plasticity.prepareSweep()
        let sweep = UInt32(truncatingIfNeeded: tick / UInt64(plasticity.sweepInterval))
        let flags = neurons.flags
        var died = 0
        plasticity.multipliers.withUnsafeBufferPointer { multipliers in
            plasticity.retention.withUnsafeBufferPointer { retention in
                plasticity.bounds.withUnsafeBufferPointer { bounds in
                    died = synapses.sweep(modulate: modulate, multipliers: multipliers, retention: retention, bounds: bounds,
                                          sweep: sweep, salt: 0) { NeuronFlags.isInhibitory(flags[$0]) }
                    for p in afferents.indices {
                        var projection = takeAfferent(p)
                        let kinds = projection.sourceInhibitory
                        died += projection.store.sweep(modulate: modulate, multipliers: multipliers, retention: retention, bounds: bounds,
                                                       sweep: sweep, salt: UInt32(truncatingIfNeeded: p &+ 1)) { kinds[$0] != 0 }
                        afferents[p] = projection
                    }
                }
            }
        }
        if died > 0 { pruneDead() }
    }

    /// Acetylcholine-gated synaptogenesis: when `acetylcholine` is at or above
    /// `config.acetylcholineGate`, connects recently co-active neurons (trace above
    /// `config.activeTrace`) that are not yet connected. New synapses are HOT, have small
    /// weights (1…the low end of the kind's weight range) signed by Dale's law, and delays in
    /// 1…`maxDelay`. Pairs are visited in an order drawn from the pool's generator; at most
    /// `maxNewSynapses` are made, and no neuron exceeds `maxSynapsesPerNeuron`.
    /// Returns the number created. O(S + A²) for A active neurons.
    @discardableResult
    public mutating func synaptogenesis(acetylcholine: UInt8) -> Int {
        guard Int(acetylcholine) >= config.acetylcholineGate, config.maxNewSynapses > 0 else { return 0 }
        var active = (0 ..< neuronCount).filter { Int(neurons.trace[$0]) > config.activeTrace }
        guard active.count >= 2 else { return 0 }
        NeuronPool.shuffle(&active, &random)
        var additions: [(source: Int, synapse: Synapse)] = []
        var added: [Int: Int] = [:]
        outer: for source in active {
            let rowLength = synapses.row(source).count
            let inhibitory = neurons.isInhibitory(source)
            let range = inhibitory ? config.inhibitoryWeight : config.excitatoryWeight
            for target in active where target != source {
                if rowLength + added[source, default: 0] >= config.maxSynapsesPerNeuron { break }
                if synapses.connects(source, to: target) { continue }
                let magnitude = random.uniform(in: 1 ... range.lowerBound)
                let delay = UInt8(random.uniform(in: 1 ... config.maxDelay))
                additions.append((source, Synapse(target: UInt16(target), weight: Int8(inhibitory ? -magnitude : magnitude), delay: delay)))
                added[source, default: 0] += 1
                if additions.count >= config.maxNewSynapses { break outer }
            }
        }
        if !additions.isEmpty { synapses.insert(additions) }
        return additions.count
    }

    /// Removes dead synapses (maturity 0), local and afferent, compacting each CSR
    /// in place. Returns the number removed. O(S), no allocation.
    @discardableResult
    public mutating func pruneDead() -> Int {
        synapses.pruneDead() + (afferents.isEmpty ? 0 : pruneDeadAfferents())
    }
}
