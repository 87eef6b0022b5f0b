import CNeuroPoolShims

/// The plasticity of one block of synapses — a pool's own, or one afferent projection's —
/// written once for both: pairing at post-synaptic spikes through the transposed index, the
/// periodic sweep (weight change and eligibility decay) and pruning. What differs between the
/// two is only where the pre-synaptic spike times come from (the pool's neurons, or the
/// projection's mirror of its source), which the callers pass in.
extension SynapseStore {
    /// Pairing at post-synaptic spikes: for every neuron in `fired` (which fired in `tick`),
    /// each synapse onto it compares its source's last arrival (`preLast` + delay) with `tick`:
    /// arrived at or before it, the pair is pre-before-post and gains its rule's potentiation
    /// window; still in flight, it is post-before-pre and loses the depression window at the
    /// distance to its arrival. COLD synapses are frozen. Builds the transposed index on first
    /// use for `targets` neurons. O(spikes × in-degree); no allocation once the index exists.
    @inline(__always)
    mutating func pair(fired: UnsafeBufferPointer<UInt16>, tick: UInt64, preLast: UnsafeBufferPointer<UInt32>,
                       windows: PlasticityWindows, targets: Int) {
        guard !fired.isEmpty else { return }
        if incoming == nil { incoming = IncomingIndex(rowPtr: rowPtr, synapses: synapses, targets: targets) }
        let index = incoming!
        let now = UInt32(truncatingIfNeeded: tick)
        synapses.withUnsafeMutableBufferPointer { syn in
            index.colPtr.withUnsafeBufferPointer { colPtr in
                index.synapse.withUnsafeBufferPointer { synapseOf in
                    index.source.withUnsafeBufferPointer { sourceOf in
                        for id in fired {
                            let i = Int(id)
                            let end = Int(colPtr[i &+ 1])
                            for c in Int(colPtr[i]) ..< end {
                                // Incoming synapses sit at random places: start the load of one a
                                // few places ahead so the misses overlap.
                                if c &+ Self.pairPrefetchDistance < end, let base = syn.baseAddress {
                                    neuropool_prefetch_line(base + Int(synapseOf[c &+ Self.pairPrefetchDistance]))
                                }
                                let s = Int(synapseOf[c])
                                let synapse = syn[s]
                                let arrival = preLast[Int(sourceOf[c])] &+ UInt32(synapse.delay)
                                let delta = Int(Int32(bitPattern: now &- arrival))
                                let change = windows.pairing(rule: Int(synapse.reserved &>> 5) & 7, delta: delta)
                                let e = Int8(truncatingIfNeeded: min(max(Int32(synapse.eligibility) &+ change, -127), 127))
                                // Written whatever the change (0 leaves it as it is) and selected
                                // for COLD synapses: no branch to mispredict in the pool's
                                // hottest loop.
                                syn[s].eligibility = synapse.maturity & 0b11 == ThermalState.cold.rawValue ? synapse.eligibility : e
                            }
                        }
                    }
                }
            }
        }
    }

    /// One sweep of every synapse with non-zero eligibility `e` under rule `r`:
    /// 1. the weight magnitude (with its 8 fraction bits) changes by `e · multipliers[r] / 2^16`
    ///    1/256 units, rounded stochastically, and is clamped to the rule's bounds; each whole
    ///    unit gained reinforces the synapse's maturity, each lost weakens it; a HOT synapse
    ///    whose magnitude reaches zero dies. Skipped when `modulate` is false.
    /// 2. `e` decays by the rule's `retention`, rounded stochastically, so the mean follows the
    ///    exponential with no stalling and no bias.
    /// The rounding dither comes from (`sweep`, synapse index, `salt`): deterministic.
    /// COLD and dead synapses are skipped. Returns the number that died. O(S), no allocation.
    mutating func sweep(modulate: Bool, multipliers: UnsafeBufferPointer<Int64>, retention: UnsafeBufferPointer<Int64>,
                        bounds: UnsafeBufferPointer<(Int, Int)>, sweep: UInt32, salt: UInt32,
                        inhibitory: (Int) -> Bool) -> Int {
        let seed = sweep &* 0x85EB_CA77 ^ salt &* 0xC2B2_AE3D
        // Without modulation only eligibility decays: one flat pass, no row bookkeeping.
        guard modulate else {
            synapses.withUnsafeMutableBufferPointer { syn in
                // The hashes of a block first, in a loop of plain 32-bit arithmetic the compiler
                // vectorizes; then the synapses, with no branch: decay keeps 0 at 0, and COLD
                // synapses keep theirs by a select.
                withUnsafeTemporaryAllocation(of: UInt32.self, capacity: Self.ditherBlock) { dither in
                    var start = 0
                    while start < syn.count {
                        let count = min(Self.ditherBlock, syn.count &- start)
                        Self.fillDither(dither, count: count, from: start, seed: seed)
                        for k in 0 ..< count {
                            let s = start &+ k
                            let synapse = syn[s]
                            let e = Self.decay(synapse.eligibility, retention[synapse.rule], dither: dither[k])
                            syn[s].eligibility = synapse.maturity & 0b11 == ThermalState.cold.rawValue ? synapse.eligibility : e
                        }
                        start &+= count
                    }
                }
            }
            return 0
        }
        var died = 0
        let rows = neuronCount
        rowPtr.withUnsafeBufferPointer { rowPtr in
            synapses.withUnsafeMutableBufferPointer { syn in
                for j in 0 ..< rows {
                    let negative = inhibitory(j)
                    for s in Int(rowPtr[j]) ..< Int(rowPtr[j &+ 1]) {
                        let synapse = syn[s]
                        guard synapse.eligibility != 0, synapse.maturity & 0b11 != ThermalState.cold.rawValue,
                              !Maturity.isDead(synapse.maturity) else { continue }
                        // A hash of the synapse's index and the sweep: the low half dithers the
                        // weight change, the high half the decay.
                        let h = Self.dither(synapse: s, seed: seed)
                        let rule = synapse.rule
                        var updated = synapse
                        let change = (Int64(synapse.eligibility) &* multipliers[rule] &+ Int64(h & 0xFFFF)) &>> 16
                        if change != 0 {
                            let before = synapse.fineMagnitude
                            let (low, high) = bounds[rule]
                            let after = Int(min(max(Int64(before) &+ change, Int64(low)), Int64(high)))
                            if after != before {
                                let units = after &>> 8
                                updated.weight = Int8(truncatingIfNeeded: negative ? -units : units)
                                updated.reserved = (synapse.reserved & 0xFF) | UInt16(after & 0xFF) << 8
                                let gained = units - (before &>> 8)
                                if gained > 0 {
                                    for _ in 0 ..< gained { updated.maturity = Maturity.reinforced(updated.maturity) }
                                } else if gained < 0 {
                                    for _ in 0 ..< -gained { updated.maturity = Maturity.weakened(updated.maturity) }
                                }
                                if units == 0, Maturity.state(updated.maturity) == .hot {
                                    updated.maturity = Maturity.dead
                                    died &+= 1
                                }
                            }
                        }
                        updated.eligibility = Self.decay(synapse.eligibility, retention[rule], dither: h)
                        syn[s] = updated
                    }
                }
            }
        }
        return died
    }

    /// How many incoming synapses ahead `pair` starts loading.
    static let pairPrefetchDistance = 8

    /// Eligibility `e` after one sweep's decay by `retention` (1/65536), rounded by the high
    /// half of `dither`: exact in the mean, and 0 stays 0.
    @inline(__always)
    static func decay(_ e: Int8, _ retention: Int64, dither: UInt32) -> Int8 {
        Int8(truncatingIfNeeded: (Int64(e) &* retention &+ Int64(dither &>> 16)) &>> 16)
    }

    /// Synapses whose dither `sweep` hashes in one block.
    static let ditherBlock = 256

    /// `out[k]` = the dither of synapse `start + k` under `seed`, for k < `count`.
    @inline(__always)
    static func fillDither(_ out: UnsafeMutableBufferPointer<UInt32>, count: Int, from start: Int, seed: UInt32) {
        for k in 0 ..< count { out[k] = dither(synapse: start &+ k, seed: seed) }
    }

    /// The dither of synapse `s` in the sweep seeded `seed`.
    @inline(__always)
    static func dither(synapse s: Int, seed: UInt32) -> UInt32 {
        dither(UInt32(truncatingIfNeeded: s) &* 0x9E37_79B1 ^ seed)
    }

    /// A 32-bit mix (lowbias32): spreads a counter's bits for use as dither.
    @inline(__always)
    static func dither(_ x: UInt32) -> UInt32 {
        var h = x
        h ^= h &>> 16; h &*= 0x7FEB_352D; h ^= h &>> 15; h &*= 0x846C_A68B; h ^= h &>> 16
        return h
    }

    /// Removes dead synapses (maturity 0), compacting in place; the transposed index is rebuilt
    /// on next use. Returns the number removed. O(S), no allocation.
    mutating func pruneDead() -> Int {
        let removed = removeAll { Maturity.isDead($0.maturity) }
        if removed > 0 { incoming = nil }
        return removed
    }
}
