/// Errors from building or changing a pool with bad parameters. Each names the bad value.
public enum PoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A pool holds 1…65,536 neurons (synapse targets are 16-bit).
    case invalidNeuronCount(Int)
    /// Density must be a finite number in 0…1.
    case invalidDensity(Double)
    /// Out-degree must be in 0…neurons − 1.
    case invalidOutDegree(Int, neurons: Int)
    /// A configuration field is out of its range.
    case invalidConfig(field: String, value: String, expected: String)
    /// A neuron range reaches outside the pool.
    case rangeOutOfBounds(Range<Int>, neurons: Int)
    /// An input array has the wrong length.
    case inputCountMismatch(Int, neurons: Int)
    /// No afferent projection has this index.
    case unknownProjection(Int, count: Int)
    /// A delivery for the wrong source tick: each projection takes tick `tickCount − lag` next.
    case deliveryOutOfOrder(projection: Int, sourceTick: UInt64, expected: UInt64)
    /// A delivered spike names a neuron the source pool does not have.
    case spikeOutOfRange(Int, neurons: Int)
    /// Only a pool that has never run can stand in for one another model runs
    /// (`standIn(atTick:held:)`): this one is at `tick`, has fired or holds input in flight.
    case hasRun(pool: String, tick: UInt64)

    public var description: String {
        switch self {
        case .invalidNeuronCount(let n): "neuron count \(n) is out of range: a pool holds 1…65536 neurons"
        case .invalidDensity(let d): "density \(d) is out of range: expected a number in 0…1"
        case .invalidOutDegree(let k, let n): "out-degree \(k) is out of range: expected 0…\(max(n - 1, 0)) for \(n) neurons"
        case .invalidConfig(let field, let value, let expected): "config \(field) = \(value) is invalid: expected \(expected)"
        case .rangeOutOfBounds(let r, let n): "neuron range \(r.lowerBound)..<\(r.upperBound) is outside the pool of \(n) neurons"
        case .inputCountMismatch(let c, let n): "input has \(c) values but the pool has \(n) neurons"
        case .unknownProjection(let p, let count): "afferent projection \(p) does not exist: the pool has \(count)"
        case .deliveryOutOfOrder(let p, let tick, let expected):
            "afferent projection \(p) got spikes of source tick \(tick) but expects tick \(expected) next"
        case .spikeOutOfRange(let id, let n): "spike of neuron \(id) is outside the source pool of \(n) neurons"
        case .hasRun(let pool, let tick): "pool \(pool) has run (it is at tick \(tick), has fired or holds input): only a pool that never ran can stand in at another tick"
        }
    }
}
