/// Why an `HHPool` operation was refused. Each case names the problem.
public enum HHError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A parameter is out of its range.
    case invalidParameter(name: String, value: Double, expected: String)
    /// Neuron counts are 1…65,536 (ids are UInt16, as in NeuroPool).
    case invalidNeuronCount(Int)
    /// A neuron range reaches outside the pool.
    case rangeOutOfBounds(Range<Int>, neurons: Int)
    /// A current array's length differs from the neuron count.
    case inputCountMismatch(Int, neurons: Int)
    /// A spike id is not below the source's neuron count.
    case spikeOutOfRange(Int, neurons: Int)
    /// No afferent projection has this index.
    case unknownProjection(Int, count: Int)
    /// A delivery for the wrong source tick (every projection gets one per tick, `lag` behind).
    case deliveryOutOfOrder(projection: Int, sourceTick: UInt64, expected: UInt64)
    /// A synapse is malformed (target, delay).
    case invalidSynapse(detail: String)

    public var description: String {
        switch self {
        case .invalidParameter(let name, let value, let expected): "HH parameter \(name) = \(value) is invalid: expected \(expected)"
        case .invalidNeuronCount(let n): "HH pool size \(n) is invalid: expected 1...65536 neurons"
        case .rangeOutOfBounds(let r, let n): "neuron range \(r.lowerBound)..<\(r.upperBound) is outside the pool of \(n) neurons"
        case .inputCountMismatch(let c, let n): "input has \(c) values but the pool has \(n) neurons"
        case .spikeOutOfRange(let id, let n): "spike id \(id) is not below the source's \(n) neurons"
        case .unknownProjection(let p, let c): "projection \(p) does not exist (the pool has \(c))"
        case .deliveryOutOfOrder(let p, let s, let e): "projection \(p) got spikes of source tick \(s) but expects tick \(e)"
        case .invalidSynapse(let detail): "invalid synapse: \(detail)"
        }
    }
}
