/// One afferent projection of a pool, as `PoolStats` reports it: its synapses, how many are
/// still plastic, their weight magnitudes in mV and how many sit at their learning rule's bounds.
public struct AfferentStats: Sendable, Equatable, Codable {
    /// The source pool's name.
    public var source: String
    public var synapses: Int
    /// Synapses plasticity can still change: those not frozen (COLD). Static projections are
    /// built frozen, so this counts the plastic projection's synapses.
    public var plastic: Int
    /// Weight magnitudes, mV: the membrane jump of one spike through a delta synapse (in a
    /// pool of exponential synapses, the jump per tick of the synaptic current at its peak).
    public var minWeightMV: Double
    public var meanWeightMV: Double
    public var maxWeightMV: Double
    /// Plastic synapses whose weight magnitude equals its rule's lower or upper bound.
    public var atLowerBound: Int
    public var atUpperBound: Int

    /// The fraction of the plastic synapses at either bound, 0…1 (0 without plastic synapses).
    public var fractionAtBounds: Double {
        plastic == 0 ? 0 : Double(atLowerBound + atUpperBound) / Double(plastic)
    }

    var line: String {
        func f(_ x: Double) -> String { "\((x * 1000).rounded() / 1000)" }
        return "  afferent from \(source): \(synapses) synapses (\(plastic) plastic), |weight| \(f(minWeightMV))…\(f(maxWeightMV)) mV, mean \(f(meanWeightMV)) mV"
            + (plastic > 0 ? ", at lower bound \(atLowerBound), at upper bound \(atUpperBound)" : "")
    }
}

extension NeuronPool {
    /// The PSP of a weight of `fineWeight` 1/256 weight units, mV: a pool of populations
    /// stores a synapse's PSP as `weight << shift` in 2^−16 mV (`shift`: the synapse's own),
    /// a shorthand pool as `weight << weightShift` in Q8.8 mV. Exact (powers of two). O(1).
    public func millivolts(fineWeight: Int, shift: Int) -> Double {
        populations != nil ? Double(fineWeight) * Double(1 << shift) / 256 / Double(PopulationTable.unitsPerMillivolt)
                           : Double(fineWeight) * Double(1 << config.weightShift) / 256 / 256
    }

    /// Statistics of each afferent projection, in the pool's order. O(afferent synapses).
    func afferentStats() -> [AfferentStats] {
        afferents.map { projection in
            var stats = AfferentStats(source: projection.source, synapses: projection.count, plastic: 0,
                                      minWeightMV: 0, meanWeightMV: 0, maxWeightMV: 0, atLowerBound: 0, atUpperBound: 0)
            var low = Double.infinity, high = 0.0, sum = 0.0
            for s in projection.synapses {
                let mv = millivolts(fineWeight: s.fineMagnitude, shift: Int(s.shift))
                low = min(low, mv)
                high = max(high, mv)
                sum += mv
                guard s.thermalState != .cold, s.rule < plasticity.rules.count else { continue }
                stats.plastic += 1
                let bounds = plasticity.rules[s.rule].bounds
                if s.fineMagnitude <= bounds.lowerBound { stats.atLowerBound += 1 }
                if s.fineMagnitude >= bounds.upperBound { stats.atUpperBound += 1 }
            }
            if projection.count > 0 {
                stats.minWeightMV = low
                stats.maxWeightMV = high
                stats.meanWeightMV = sum / Double(projection.count)
            }
            return stats
        }
    }
}
