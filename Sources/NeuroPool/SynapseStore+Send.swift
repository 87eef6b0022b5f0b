import CNeuroPoolShims

/// Where a block of synapses sends its spikes: the target pool's delay ring and how it is laid
/// out, fixed for one call.
package struct RingTarget {
    /// The ring, slot-major (`DelayBuffer.input`).
    var ring: UnsafeMutableBufferPointer<Int32>
    /// Neurons per slot.
    var neurons: Int
    /// `slotCount − 1`.
    var mask: Int
    /// 1 when input travels on two channels (exponential synapses, or a Hodgkin–Huxley pool's
    /// excitatory and inhibitory receptors), else 0.
    var split: Int
    /// The pool-wide weight shift of a shorthand pool (unused when `scaled`).
    var shift: Int32

    package init(ring: UnsafeMutableBufferPointer<Int32>, neurons: Int, mask: Int, split: Int, shift: Int32) {
        self.ring = ring
        self.neurons = neurons
        self.mask = mask
        self.split = split
        self.shift = shift
    }
}

extension SynapseStore {
    /// Sends the spikes `spikes` of tick `tick` through their rows — the one propagation loop
    /// of a pool's own synapses (sent as they fire) and of an afferent projection's (delivered
    /// before the tick they reach): each synapse adds its PSP to the ring slot of tick
    /// `tick + delay` of its target — `weight << shift` saturated (`scaled`, a pool of
    /// populations; on its excitatory or inhibitory channel when the ring is split) or
    /// `weight << weightShift` (a shorthand pool). `plastic`: the arrival at `tick + delay`
    /// pairs with the target's last spike (`postLast`, tick numbers modulo 2^32) as a
    /// post-before-pre pair and loses its rule's depression window at that distance (COLD
    /// synapses keep their eligibility). `prefetch`: start loading the row two spikes ahead
    /// (rows of a large pool sit at random places). O(delivered synapses).
    @inline(__always)
    package mutating func send(_ spikes: UnsafeBufferPointer<UInt16>, tick: UInt64, into target: RingTarget, scaled: Bool, plastic: Bool,
                               postLast: UnsafeBufferPointer<UInt32>, windows: PlasticityWindows?, prefetch: Bool) {
        let t = Int(truncatingIfNeeded: tick)
        let (ring, n, mask, split, shift) = (target.ring, target.neurons, target.mask, target.split, target.shift)
        let fired = spikes.count
        rowPtr.withUnsafeBufferPointer { rowPtr in
            synapses.withUnsafeMutableBufferPointer { syn in
                for k in 0 ..< fired {
                    if prefetch, k &+ 2 < fired, let base = syn.baseAddress {
                        let ahead = Int(spikes[k &+ 2])
                        let from = Int(rowPtr[ahead])
                        neuropool_prefetch(UnsafeRawPointer(base) + from &* 8, (Int(rowPtr[ahead &+ 1]) &- from) &* 8)
                    }
                    let j = Int(spikes[k])
                    var s = Int(rowPtr[j])
                    let end = Int(rowPtr[j &+ 1])
                    while s < end {
                        let synapse = syn[s]
                        let post = Int(synapse.target)
                        var index = ((t &+ Int(synapse.delay)) & mask) &* n &+ post
                        if scaled {
                            index = index &<< split &+ (split & Int(UInt8(bitPattern: synapse.weight) &>> 7))
                            // A population pool's PSPs reach 100 mV each: saturate rather than wrap a huge sum.
                            ring[index] = Int32(clamping: Int64(ring[index]) &+ (Int64(synapse.weight) &<< Int64(synapse.shift)))
                        } else {
                            ring[index] &+= Int32(synapse.weight) &<< shift
                        }
                        if plastic, let windows {
                            let arrival = UInt32(truncatingIfNeeded: t &+ Int(synapse.delay))
                            let delta = Int(Int32(bitPattern: arrival &- postLast[post]))
                            let loss = windows.depression(rule: Int(synapse.reserved &>> 5) & 7, delta: delta)
                            let e = Int8(truncatingIfNeeded: max(Int32(synapse.eligibility) &- loss, -127))
                            // As in `pair`: a select, not a branch.
                            syn[s].eligibility = synapse.maturity & 0b11 == ThermalState.cold.rawValue ? synapse.eligibility : e
                        }
                        s &+= 1
                    }
                }
            }
        }
    }
}
