/// Counts of synapses per thermal state; `dead` counts HOT synapses awaiting pruning
/// (they are not in `hot`).
public struct ThermalDistribution: Sendable, Equatable, Codable, CustomStringConvertible {
    public var hot = 0, warm = 0, cool = 0, cold = 0, dead = 0

    public init() {}

    /// `H:… W:… C:… F:… D:…` (F for frozen, i.e. COLD).
    public var description: String { "H:\(hot) W:\(warm) C:\(cool) F:\(cold) D:\(dead)" }
}

/// A summary of a pool: counts, mean rate, weights, eligibility, thermal states, memory and,
/// for a pool of populations, each population's range, kind and constants in physical units.
/// Built in O(N + S) by `NeuronPool.stats(tickMicroseconds:)`; printable, and `Codable` for `--json`.
public struct PoolStats: Sendable, Equatable, Codable, CustomStringConvertible {
    public var name: String
    public var neurons: Int
    public var excitatory: Int
    public var inhibitory: Int
    /// The pool's own synapses (those `weightHistogram`, thermal states and means describe).
    public var synapses: Int
    /// Synapses of the projections into the pool (`afferentSynapseCount`), not in `synapses`.
    public var afferentSynapses: Int
    public var ticks: UInt64
    public var spikes: UInt64
    /// The tick length the times and rates below assume, µs (a `.pool` file counts ticks and
    /// does not store it; 1000 unless the caller knows better).
    public var tickMicroseconds: UInt32
    /// Mean spikes per neuron per second, at `tickMicroseconds` per tick.
    public var meanRateHz: Double
    public var meanWeightMagnitude: Double
    public var meanEligibilityMagnitude: Double
    public var eligibleSynapses: Int
    /// Mean firing threshold in mV: the neurons' adapted thresholds (a pool of populations:
    /// each population's threshold, absolute, plus the neuron's homeostatic offset).
    public var meanThresholdMV: Double
    /// Synapse counts per weight bin: 16 bins of width 16 from −128 (bin 0: −128…−113) to 127.
    public var weightHistogram: [Int]
    public var thermal: ThermalDistribution
    /// Bytes of neuron state (8 per neuron, 9 in a pool of populations, 8 more per neuron for
    /// exponential synapses' states), synapses (8 each), row pointers (4 per neuron + 4), the
    /// delay ring (slots × neurons × channels × 4) and the afferent
    /// projections (`AfferentProjection.byteCount`, summed).
    public var neuronBytes: Int
    public var synapseBytes: Int
    public var rowPointerBytes: Int
    public var delayBufferBytes: Int
    public var afferentBytes: Int
    /// The populations of a pool of populations, in neuron order; nil for a shorthand pool.
    public var populations: [PopulationStats]?
    /// The projections into the pool (nil or empty when there are none).
    public var afferents: [AfferentStats]?

    /// The sum of the byte counts above.
    public var totalBytes: Int { neuronBytes + synapseBytes + rowPointerBytes + delayBufferBytes + afferentBytes }

    public var description: String {
        func f(_ x: Double, _ digits: Int = 2) -> String {
            let scale = Double((0 ..< digits).reduce(1) { r, _ in r * 10 })
            return "\((x * scale).rounded() / scale)"
        }
        let bar = weightHistogram.max().map { max($0, 1) } ?? 1
        var lines = [
            "pool \(name): \(neurons) neurons (\(excitatory) excitatory, \(inhibitory) inhibitory), \(synapses) synapses"
                + (afferentSynapses > 0 ? ", \(afferentSynapses) more in afferent projections" : ""),
            "  ticks \(ticks), spikes \(spikes), mean rate \(f(meanRateHz)) Hz (\(PopulationStats.milliseconds(tickMicroseconds)) ms ticks)",
            "  mean |weight| \(f(meanWeightMagnitude)), eligible synapses \(eligibleSynapses), mean |eligibility| \(f(meanEligibilityMagnitude))",
            "  mean threshold \(f(meanThresholdMV)) mV",
            "  thermal \(thermal)",
            "  memory: neurons \(neuronBytes) B, synapses \(synapseBytes) B, row pointers \(rowPointerBytes) B, delay ring \(delayBufferBytes) B"
                + (afferentBytes > 0 ? ", afferents \(afferentBytes) B" : ""),
        ]
        if let populations {
            lines.append("  populations (ms at \(PopulationStats.milliseconds(tickMicroseconds)) ms per tick; the file holds ticks and per-tick retention):")
            for p in populations { lines += p.lines }
        }
        for a in afferents ?? [] { lines.append(a.line) }
        lines.append("  weight histogram:")
        for (bin, count) in weightHistogram.enumerated() where count > 0 {
            let low = -128 + bin * 16
            let label = "[\(low), \(low + 15)]"
            lines.append("    \(String(repeating: " ", count: max(0, 12 - label.count)))\(label) \(String(repeating: "#", count: (count * 40 + bar - 1) / bar)) \(count)")
        }
        return lines.joined(separator: "\n")
    }
}

extension NeuronPool {
    /// Summary statistics of the pool, times and rates at `tickMicroseconds` per tick (1000:
    /// 1 ms, the shorthand pools' tick; a pool of populations is built for its network's
    /// `tick_us`). O(N + S).
    public func stats(tickMicroseconds: UInt32 = 1000) -> PoolStats {
        var thermal = ThermalDistribution()
        var histogram = [Int](repeating: 0, count: 16)
        var weightSum = 0
        var eligibilitySum = 0
        var eligible = 0
        for s in synapses.synapses {
            switch s.thermalState {
            case .hot: if Maturity.isDead(s.maturity) { thermal.dead += 1 } else { thermal.hot += 1 }
            case .warm: thermal.warm += 1
            case .cool: thermal.cool += 1
            case .cold: thermal.cold += 1
            }
            histogram[(Int(s.weight) + 128) >> 4] += 1
            weightSum += abs(Int(s.weight))
            if s.eligibility != 0 {
                eligible += 1
                eligibilitySum += abs(Int(s.eligibility))
            }
        }
        let inhibitory = neurons.flags.reduce(0) { $0 + (NeuronFlags.isInhibitory($1) ? 1 : 0) }
        let n = neuronCount
        let s = synapseCount
        let tick = max(tickMicroseconds, 1)
        var meanThreshold = Double(neurons.threshold.reduce(0) { $0 + Int($1) }) / Double(n) / 256
        var summaries: [PopulationStats]?
        if let table = populations {
            summaries = table.populations.map { PopulationStats($0, offsets: neurons.threshold[$0.range], tickMicroseconds: tick) }
            meanThreshold = summaries!.reduce(0) { $0 + $1.meanThresholdMV * Double($1.count) } / Double(n)
        }
        return PoolStats(
            name: name, neurons: n, excitatory: n - inhibitory, inhibitory: inhibitory, synapses: s, afferentSynapses: afferentSynapseCount,
            ticks: tickCount, spikes: totalSpikes, tickMicroseconds: tick,
            meanRateHz: tickCount == 0 ? 0 : Double(totalSpikes) / Double(n) / Double(tickCount) * 1e6 / Double(tick),
            meanWeightMagnitude: s == 0 ? 0 : Double(weightSum) / Double(s),
            meanEligibilityMagnitude: eligible == 0 ? 0 : Double(eligibilitySum) / Double(eligible),
            eligibleSynapses: eligible,
            meanThresholdMV: meanThreshold,
            weightHistogram: histogram, thermal: thermal,
            neuronBytes: n * (populations == nil ? NeuronArrays.bytesPerNeuron : NeuronArrays.bytesPerPopulationNeuron)
                + (neurons.synapticExcitatory.count + neurons.synapticInhibitory.count) * 4,
            synapseBytes: s * SynapseStore.bytesPerSynapse,
            rowPointerBytes: (n + 1) * 4,
            delayBufferBytes: delays.input.count * 4,
            afferentBytes: afferents.reduce(0) { $0 + $1.byteCount },
            populations: summaries,
            afferents: afferents.isEmpty ? nil : afferentStats())
    }
}
