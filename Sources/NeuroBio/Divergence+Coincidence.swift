extension Divergence {
    /// Coincidences between `data` and `model` within ±`window` ms: each data spike, in time
    /// order, is paired with the earliest model spike not paired yet that lies within the
    /// window (a one-to-one maximum matching). O(n + m).
    public static func coincidences(data: [Double], model: [Double], window: Double) -> Int {
        var j = 0
        var count = 0
        for t in data {
            while j < model.count, model[j] < t - window { j += 1 }
            if j < model.count, model[j] <= t + window {
                count += 1
                j += 1
            }
        }
        return count
    }

    /// The coincidence factor Γ of Kistler, Gerstner & van Hemmen (1997), as used by Jolivet
    /// et al. (2008):
    ///
    ///     Γ = (N_coinc − ⟨N_coinc⟩) / (½ (N_data + N_model)) · 1/𝒩,
    ///     ⟨N_coinc⟩ = 2 ν Δ N_data,  𝒩 = 1 − 2 ν Δ,  ν = N_model / T,
    ///
    /// where Δ is `window` (ms), T is `duration` (ms) and N_coinc counts data spikes with a
    /// model spike within ±Δ (`coincidences`). Γ = 1 for identical trains and ≈ 0 for a model
    /// that is a Poisson process of the same rate. Two empty trains give 1 (they agree); nil when
    /// 2νΔ ≥ 1 (the model fires so often that chance coincidences saturate). O(n + m).
    public static func coincidenceFactor(data: [Double], model: [Double], window: Double, duration: Double) -> Double? {
        coincidenceFactor(coincidences: coincidences(data: data, model: model, window: window),
                          dataCount: data.count, modelCount: model.count, window: window, duration: duration)
    }

    /// Γ from counts (the online tracker computes the counts from its bit registers).
    public static func coincidenceFactor(coincidences: Int, dataCount: Int, modelCount: Int, window: Double, duration: Double) -> Double? {
        if dataCount == 0 && modelCount == 0 { return 1 }
        guard duration > 0 else { return nil }
        let nu = Double(modelCount) / duration
        let norm = 1 - 2 * nu * window
        guard norm > 0 else { return nil }
        let expected = 2 * nu * window * Double(dataCount)
        return (Double(coincidences) - expected) / (0.5 * Double(dataCount + modelCount)) / norm
    }
}
