/// The plasticity of one block of synapses — a pool's own, or one afferent projection's —
/// written once for both: STDP potentiation through the transposed index, eligibility decay,
/// three-factor modulation and pruning. What differs between the two is only where the
/// pre-synaptic traces come from (the pool's neurons, or the projection's mirror of its
/// source) and the source neurons' kinds, which the callers pass in.
extension SynapseStore {
    /// STDP potentiation: for every post-synaptic neuron in `fired`, each synapse onto it whose
    /// source's trace in `preTrace` is up gains eligibility `potentiation · trace / 128` (COLD
    /// synapses are frozen). Builds the transposed index on first use for `targets` neurons.
    /// O(spikes × in-degree); no allocation once the index exists.
    @inline(__always)
    mutating func potentiate(fired: UnsafeBufferPointer<UInt16>, preTrace: UnsafeBufferPointer<Int8>, targets: Int, potentiation: Int32) {
        guard !fired.isEmpty else { return }
        if incoming == nil { incoming = IncomingIndex(rowPtr: rowPtr, synapses: synapses, targets: targets) }
        let index = incoming!
        synapses.withUnsafeMutableBufferPointer { syn in
            index.colPtr.withUnsafeBufferPointer { colPtr in
                index.synapse.withUnsafeBufferPointer { synapseOf in
                    index.source.withUnsafeBufferPointer { sourceOf in
                        for id in fired {
                            let i = Int(id)
                            for c in Int(colPtr[i]) ..< Int(colPtr[i &+ 1]) {
                                let pre = Int32(preTrace[Int(sourceOf[c])])
                                guard pre > 0 else { continue }
                                let s = Int(synapseOf[c])
                                let synapse = syn[s]
                                guard synapse.maturity & 0b11 != ThermalState.cold.rawValue else { continue }
                                let e = Int32(synapse.eligibility) &+ ((potentiation &* pre) >> 7)
                                syn[s].eligibility = Int8(truncatingIfNeeded: min(e, 127))
                            }
                        }
                    }
                }
            }
        }
    }

    /// One decay step of every synapse's eligibility (see `NeuronPool.decay`). O(S).
    mutating func decayEligibility(shift: Int) {
        synapses.withUnsafeMutableBufferPointer { NeuronPool.decay(&$0, shift: shift) }
    }

    /// Three-factor modulation of every row (see `NeuronPool.applyModulation`); `inhibitory`
    /// gives each source row's kind. Returns the reinforced and weakened counts. O(S).
    mutating func modulate(reward: Int32, punishment: Int32, divisor: Int32,
                           inhibitory: (Int) -> Bool) -> (reinforced: Int, weakened: Int) {
        var reinforced = 0
        var weakened = 0
        let rows = neuronCount
        rowPtr.withUnsafeBufferPointer { rowPtr in
            synapses.withUnsafeMutableBufferPointer { syn in
                for j in 0 ..< rows {
                    let changes = NeuronPool.modulateRow(syn, Int(rowPtr[j]) ..< Int(rowPtr[j + 1]), inhibitory: inhibitory(j),
                                                         reward: reward, punishment: punishment, divisor: divisor)
                    reinforced += changes.reinforced
                    weakened += changes.weakened
                }
            }
        }
        return (reinforced, weakened)
    }

    /// Removes dead synapses (HOT with counter zero), compacting in place; the transposed
    /// index is rebuilt on next use. Returns the number removed. O(S), no allocation.
    mutating func pruneDead() -> Int {
        let removed = removeAll { Maturity.isDead($0.maturity) }
        if removed > 0 { incoming = nil }
        return removed
    }
}
