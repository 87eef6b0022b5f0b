/// What learning changed between two states of the same pool (`neurobus snapshot diff`):
/// synapses are matched by (source, target) — local ones by source neuron, afferent ones by
/// projection and source neuron — so created and pruned synapses are told apart from changed
/// ones. O(synapses of both + neurons).
public struct PoolDiff: Sendable, Equatable {
    public var ticks: (from: UInt64, to: UInt64)
    /// Synapses in both, in the later state only, in the earlier state only.
    public var kept = 0
    public var created = 0
    public var pruned = 0
    /// Kept synapses whose weight changed, and the sum of |Δweight| over them.
    public var weightsChanged = 0
    public var totalWeightChange = 0
    /// Kept synapses by thermal state before (row) and after (column): H, W, C, F.
    public var thermal: [[Int]] = Array(repeating: Array(repeating: 0, count: 4), count: 4)
    /// Neurons whose threshold moved, the mean shift (Q8.8 mV, signed) and the largest |shift|.
    public var thresholdsShifted = 0
    public var meanThresholdShift = 0.0
    public var largestThresholdShift = 0

    public static func == (a: PoolDiff, b: PoolDiff) -> Bool {
        a.ticks == b.ticks && a.kept == b.kept && a.created == b.created && a.pruned == b.pruned && a.weightsChanged == b.weightsChanged
            && a.totalWeightChange == b.totalWeightChange && a.thermal == b.thermal && a.thresholdsShifted == b.thresholdsShifted
            && a.meanThresholdShift == b.meanThresholdShift && a.largestThresholdShift == b.largestThresholdShift
    }

    /// Kept synapses whose thermal state changed.
    public var thermalTransitions: Int {
        (0 ..< 4).reduce(0) { sum, i in sum + (0 ..< 4).reduce(0) { $0 + (i == $1 ? 0 : thermal[i][$1]) } }
    }

    /// Compares `a` (earlier) with `b` (later). Throws if they are not the same pool (name,
    /// size, afferent projections by source and size).
    public init(from a: NeuronPool, to b: NeuronPool) throws(PoolError) {
        guard a.name == b.name, a.neuronCount == b.neuronCount, a.afferents.count == b.afferents.count,
              zip(a.afferents, b.afferents).allSatisfy({ $0.source == $1.source && $0.sourceCount == $1.sourceCount }) else {
            throw .invalidConfig(field: "pool", value: "\(b.name)", expected: "the same pool as \(a.name) (same size and projections)")
        }
        ticks = (a.tickCount, b.tickCount)
        for i in 0 ..< a.neuronCount {
            compare(a.synapses.outgoing(i), b.synapses.outgoing(i))
        }
        for p in a.afferents.indices {
            let x = a.afferents[p], y = b.afferents[p]
            for i in 0 ..< x.sourceCount {
                compare(x.synapses[Int(x.rowPtr[i]) ..< Int(x.rowPtr[i + 1])], y.synapses[Int(y.rowPtr[i]) ..< Int(y.rowPtr[i + 1])])
            }
        }
        var sum = 0
        for i in 0 ..< a.neuronCount {
            let d = Int(b.neurons.threshold[i]) - Int(a.neurons.threshold[i])
            guard d != 0 else { continue }
            thresholdsShifted += 1
            sum += d
            largestThresholdShift = max(largestThresholdShift, abs(d))
        }
        meanThresholdShift = thresholdsShifted == 0 ? 0 : Double(sum) / Double(thresholdsShifted)
    }

    /// One source neuron's row in both states, matched by target (rows hold each target once).
    private mutating func compare(_ x: ArraySlice<Synapse>, _ y: ArraySlice<Synapse>) {
        var before: [UInt16: Synapse] = [:]
        for s in x { before[s.target] = s }
        for s in y {
            guard let old = before.removeValue(forKey: s.target) else {
                created += 1
                continue
            }
            kept += 1
            if old.weight != s.weight {
                weightsChanged += 1
                totalWeightChange += abs(Int(s.weight) - Int(old.weight))
            }
            thermal[Int(old.thermalState.rawValue)][Int(s.thermalState.rawValue)] += 1
        }
        pruned += before.count
    }
}
