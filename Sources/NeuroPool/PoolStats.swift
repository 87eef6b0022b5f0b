/// Counts of synapses per thermal state; `dead` counts HOT synapses awaiting pruning
/// (they are not in `hot`).
public struct ThermalDistribution: Sendable, Equatable, Codable, CustomStringConvertible {
    public var hot = 0, warm = 0, cool = 0, cold = 0, dead = 0

    public init() {}

    /// `H:… W:… C:… F:… D:…` (F for frozen, i.e. COLD).
    public var description: String { "H:\(hot) W:\(warm) C:\(cool) F:\(cold) D:\(dead)" }
}

/// A summary of a pool: counts, mean rate, weights, eligibility and thermal states.
/// Built in O(N + S) by `NeuronPool.stats()`; printable, and `Codable` for `--json`.
public struct PoolStats: Sendable, Equatable, Codable, CustomStringConvertible {
    public var name: String
    public var neurons: Int
    public var excitatory: Int
    public var inhibitory: Int
    public var synapses: Int
    public var ticks: UInt64
    public var spikes: UInt64
    /// Mean spikes per neuron per second, taking one tick as 1 ms.
    public var meanRateHz: Double
    public var meanWeightMagnitude: Double
    public var meanEligibilityMagnitude: Double
    public var eligibleSynapses: Int
    /// Mean firing threshold in mV.
    public var meanThresholdMV: Double
    /// Synapse counts per weight bin: 16 bins of width 16 from −128 (bin 0: −128…−113) to 127.
    public var weightHistogram: [Int]
    public var thermal: ThermalDistribution
    /// Bytes of neuron state, synapses, row pointers and the delay ring.
    public var neuronBytes: Int
    public var synapseBytes: Int
    public var rowPointerBytes: Int
    public var delayBufferBytes: Int

    public var description: String {
        func f(_ x: Double, _ digits: Int = 2) -> String {
            let scale = Double((0 ..< digits).reduce(1) { r, _ in r * 10 })
            return "\((x * scale).rounded() / scale)"
        }
        let bar = weightHistogram.max().map { max($0, 1) } ?? 1
        var lines = [
            "pool \(name): \(neurons) neurons (\(excitatory) excitatory, \(inhibitory) inhibitory), \(synapses) synapses",
            "  ticks \(ticks), spikes \(spikes), mean rate \(f(meanRateHz)) Hz (1 ms ticks)",
            "  mean |weight| \(f(meanWeightMagnitude)), eligible synapses \(eligibleSynapses), mean |eligibility| \(f(meanEligibilityMagnitude))",
            "  mean threshold \(f(meanThresholdMV)) mV",
            "  thermal \(thermal)",
            "  memory: neurons \(neuronBytes) B, synapses \(synapseBytes) B, row pointers \(rowPointerBytes) B, delay ring \(delayBufferBytes) B",
            "  weight histogram:",
        ]
        for (bin, count) in weightHistogram.enumerated() where count > 0 {
            let low = -128 + bin * 16
            let label = "[\(low), \(low + 15)]"
            lines.append("    \(String(repeating: " ", count: max(0, 12 - label.count)))\(label) \(String(repeating: "#", count: (count * 40 + bar - 1) / bar)) \(count)")
        }
        return lines.joined(separator: "\n")
    }
}

extension NeuronPool {
    /// Summary statistics of the pool. O(N + S).
    public func stats() -> PoolStats {
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
        let thresholdSum = neurons.threshold.reduce(0) { $0 + Int($1) }
        let n = neuronCount
        let s = synapseCount
        return PoolStats(
            name: name, neurons: n, excitatory: n - inhibitory, inhibitory: inhibitory, synapses: s,
            ticks: tickCount, spikes: totalSpikes,
            meanRateHz: tickCount == 0 ? 0 : Double(totalSpikes) / Double(n) / Double(tickCount) * 1000,
            meanWeightMagnitude: s == 0 ? 0 : Double(weightSum) / Double(s),
            meanEligibilityMagnitude: eligible == 0 ? 0 : Double(eligibilitySum) / Double(eligible),
            eligibleSynapses: eligible,
            meanThresholdMV: Double(thresholdSum) / Double(n) / 256,
            weightHistogram: histogram, thermal: thermal,
            neuronBytes: n * NeuronArrays.bytesPerNeuron,
            synapseBytes: s * SynapseStore.bytesPerSynapse,
            rowPointerBytes: (n + 1) * 4,
            delayBufferBytes: delays.input.count * 4)
    }
}
