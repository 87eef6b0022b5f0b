import NeuroPool

/// The integer scale of one projection's weights: a synapse stores a signed 8-bit weight `w`
/// and the projection's `shift`, and its PSP is `w << shift` membrane units (2^−16 mV). The
/// shift is the smallest that fits the largest magnitude the projection can draw in 127, so a
/// constant weight is represented within 0.8 % (|w| ≥ 64) for any |J| from 0.01 to 100 mV.
public struct WeightScale: Sendable, Equatable {
    /// Left shift applied to every weight of the projection, 0…20.
    public let shift: Int

    /// The scale for weights up to `largest` mV in magnitude.
    public init(largest: Double) {
        let units = abs(largest) * Double(PopulationTable.unitsPerMillivolt)
        var s = 0
        while s < 20, units / Double(1 << s) > 127.0 { s += 1 }
        shift = s
    }

    /// The scale for a weight distribution: its largest magnitude (for a normal, mean ± 3 sd)
    /// times `factor` (mV per weight unit: 1 for weights in mV).
    public init(for distribution: ValueDistribution, factor: Double = 1) {
        self.init(largest: Self.largest(distribution) * factor)
    }

    /// The largest magnitude a weight distribution draws (for a normal, |mean| + 3 sd).
    public static func largest(_ distribution: ValueDistribution) -> Double {
        switch distribution {
        case .constant(let v): abs(v)
        case .uniform(let low, let high): max(abs(low), abs(high))
        case .normal(let mean, let sd): abs(mean) + 3 * sd
        }
    }

    /// `millivolts` as a stored weight: rounded, clipped to ±127, and clipped at 0 on the side
    /// Dale's law forbids (`inhibitory`: ≤ 0, else ≥ 0).
    public func weight(_ millivolts: Double, inhibitory: Bool) -> Int8 {
        let w = (millivolts * Double(PopulationTable.unitsPerMillivolt) / Double(1 << shift)).rounded()
        let clipped = inhibitory ? min(max(w, -127), 0) : min(max(w, 0), 127)
        return Int8(clipped)
    }

    /// The PSP a stored weight gives, mV.
    public func millivolts(_ weight: Int8) -> Double {
        Double(Int(weight) << shift) / Double(PopulationTable.unitsPerMillivolt)
    }
}
