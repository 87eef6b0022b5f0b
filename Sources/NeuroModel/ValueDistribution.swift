import NeuroPool

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A parameter value drawn per synapse or per neuron when a network is built (a weight in
/// mV, a delay in ms, a threshold...; the unit is that of the parameter it describes).
///
/// Sampling uses floating point and libm (`log`, `cos`, `sqrt`); it runs once at build time,
/// never in the tick loop. Each case consumes a fixed number of 64-bit draws per sample, so a
/// stream of samples is reproducible from the generator's state: `constant` none, `uniform`
/// one, `normal` two.
public enum ValueDistribution: Sendable, Equatable {
    /// Always this value.
    case constant(Double)
    /// Uniform in [low, high); `low == high` gives `low`.
    case uniform(low: Double, high: Double)
    /// Gaussian with this mean and standard deviation (`sd == 0` gives `mean`).
    case normal(mean: Double, sd: Double)

    /// The distribution's mean (`(low + high) / 2` for uniform). O(1).
    public var mean: Double {
        switch self {
        case .constant(let value): value
        case .uniform(let low, let high): low / 2 + high / 2
        case .normal(let mean, _): mean
        }
    }

    /// Throws `invalidParameter` naming `name` (and the field, e.g. "weight.sd") unless every
    /// value is finite, `low <= high` and `sd >= 0`. Call it before `sample`, which assumes a
    /// valid distribution. O(1).
    public func validate(name: String) throws(ModelError) {
        func finite(_ x: Double, _ field: String) throws(ModelError) {
            guard x.isFinite else { throw .invalidParameter(name: "\(name).\(field)", value: "\(x)", expected: "a finite number") }
        }
        switch self {
        case .constant(let value):
            guard value.isFinite else { throw .invalidParameter(name: name, value: "\(value)", expected: "a finite number") }
        case .uniform(let low, let high):
            try finite(low, "low")
            try finite(high, "high")
            guard low <= high else {
                throw .invalidParameter(name: name, value: "uniform(low: \(low), high: \(high))", expected: "low <= high")
            }
        case .normal(let mean, let sd):
            try finite(mean, "mean")
            try finite(sd, "sd")
            guard sd >= 0 else { throw .invalidParameter(name: "\(name).sd", value: "\(sd)", expected: "a standard deviation >= 0") }
        }
    }

    /// One value. Uniform takes 53 random bits of one draw; normal is Box–Muller from two
    /// draws (the cosine branch only; the sine partner is discarded so every sample costs
    /// exactly two draws). O(1), no allocation.
    public func sample(_ random: inout PoolRandom) -> Double {
        switch self {
        case .constant(let value):
            return value
        case .uniform(let low, let high):
            let u = Self.unit(&random)
            if low == high { return low }
            // Interpolating never overflows; rounding could reach `high`, which is excluded.
            let x = low * (1 - u) + high * u
            return min(max(x, low), high.nextDown)
        case .normal(let mean, let sd):
            let u1 = 1 - Self.unit(&random)  // (0, 1], so the log is finite
            let u2 = Self.unit(&random)
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            return sd == 0 ? mean : mean + sd * z
        }
    }

    /// One value from `sample(_:)`, clipped: a value below `bounds` becomes its lower bound and
    /// one above becomes its upper bound (no redraw, so the clipped probability mass piles up
    /// at the bounds and the draws consumed are those of `sample`). O(1).
    public func sample(_ random: inout PoolRandom, clippedTo bounds: ClosedRange<Double>) -> Double {
        min(max(sample(&random), bounds.lowerBound), bounds.upperBound)
    }

    /// A uniform double in [0, 1) from the top 53 bits of one draw.
    static func unit(_ random: inout PoolRandom) -> Double {
        Double(random.next() >> 11) * 0x1p-53
    }
}
