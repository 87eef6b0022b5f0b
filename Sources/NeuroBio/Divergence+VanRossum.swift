import Foundation

/// Spike-train distances and similarity between a biological and an optimized neuron.
/// Spike times are in ms and must be ascending.
public enum Divergence {}

extension Divergence {
    /// van Rossum (2001) distance with time constant `tau` ms, normalised as elephant's
    /// `van_rossum_distance`: the distance from an empty train to a one-spike train is 1.
    /// With causal exponential traces f, g of unit height, D² = (2/τ)∫(f − g)² dt, computed in
    /// closed form as D² = Σᵢⱼ e^(−|aᵢ−aⱼ|/τ) + Σᵢⱼ e^(−|bᵢ−bⱼ|/τ) − 2 Σᵢⱼ e^(−|aᵢ−bⱼ|/τ).
    /// `tau` = ∞ gives the spike count difference. O(n·m).
    public static func vanRossum(_ a: [Double], _ b: [Double], tau: Double) -> Double {
        if tau == .infinity { return Double(abs(a.count - b.count)) }
        if tau == 0 { return Double(a.count + b.count).squareRoot() }
        // Sums over pairs in a stable order; same-train sums use the i < j half twice.
        func cross(_ x: [Double], _ y: [Double]) -> Double {
            var s = 0.0
            for p in x { for q in y { s += exp(-abs(p - q) / tau) } }
            return s
        }
        func selfSum(_ x: [Double]) -> Double {
            var s = Double(x.count)
            for i in x.indices { for j in (i + 1) ..< x.count { s += 2 * exp(-abs(x[i] - x[j]) / tau) } }
            return s
        }
        return max(selfSum(a) + selfSum(b) - 2 * cross(a, b), 0).squareRoot()
    }
}
