extension NeuronPool {
    /// Three-factor plasticity: every synapse with non-zero eligibility `e` changes its weight
    /// magnitude by `e·(DA − DA₀)⁺ / 2^k − e·(cortisol − C₀)⁺ / 2^k` (k = `modulationShift`).
    /// Dopamine above baseline thus strengthens causal (e > 0) synapses and weakens
    /// anti-causal ones; cortisol above baseline does the opposite. The sign of a weight never
    /// flips (Dale's law); magnitudes stay within 0…127. A synapse whose change is positive is
    /// reinforced (its maturity counts up), negative weakened (counts down, HOT at zero dies).
    /// COLD synapses are frozen and dead ones (awaiting `pruneDead()`) are left dead; both are
    /// skipped.
    ///
    /// Acetylcholine does not enter the weight change: it gates `synaptogenesis(acetylcholine:)`,
    /// and is taken here so a node can hand over one broadcast's three levels as they came.
    /// Levels are 0…255. Returns the counts of reinforced and weakened synapses. O(S).
    @discardableResult
    public mutating func applyModulation(dopamine: UInt8, cortisol: UInt8, acetylcholine: UInt8) -> (reinforced: Int, weakened: Int) {
        let reward = max(Int32(dopamine) - Int32(config.dopamineBaseline), 0)
        let punishment = max(Int32(cortisol) - Int32(config.cortisolBaseline), 0)
        guard reward > 0 || punishment > 0 else { return (0, 0) }
        let divisor = Int32(1) << Int32(config.modulationShift)
        let flags = neurons.flags
        var (reinforced, weakened) = synapses.modulate(reward: reward, punishment: punishment, divisor: divisor) {
            NeuronFlags.isInhibitory(flags[$0])
        }
        if !afferents.isEmpty {
            let changes = modulateAfferents(reward: reward, punishment: punishment, divisor: divisor)
            reinforced += changes.reinforced
            weakened += changes.weakened
        }
        return (reinforced, weakened)
    }

    /// Modulates one row of synapses whose source is `inhibitory` or not (see `applyModulation`).
    @inline(__always)
    static func modulateRow(_ syn: UnsafeMutableBufferPointer<Synapse>, _ row: Range<Int>, inhibitory: Bool,
                            reward: Int32, punishment: Int32, divisor: Int32) -> (reinforced: Int, weakened: Int) {
        var reinforced = 0
        var weakened = 0
        for s in row {
            let synapse = syn[s]
            let e = Int32(synapse.eligibility)
            guard e != 0, synapse.thermalState != .cold, !Maturity.isDead(synapse.maturity) else { continue }
            let delta = (e * reward) / divisor - (e * punishment) / divisor
            guard delta != 0 else { continue }
            let magnitude = min(max(abs(Int32(synapse.weight)) + delta, 0), 127)
            syn[s].weight = Int8(inhibitory ? -magnitude : magnitude)
            if delta > 0 {
                syn[s].maturity = Maturity.reinforced(synapse.maturity)
                reinforced += 1
            } else {
                syn[s].maturity = Maturity.weakened(synapse.maturity)
                weakened += 1
            }
        }
        return (reinforced, weakened)
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

    /// Removes dead synapses (HOT with counter zero), local and afferent, compacting each CSR
    /// in place. Returns the number removed. O(S), no allocation.
    @discardableResult
    public mutating func pruneDead() -> Int {
        synapses.pruneDead() + (afferents.isEmpty ? 0 : pruneDeadAfferents())
    }
}
