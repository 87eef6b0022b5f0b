import NeuroPool

extension NetworkDescription {
    /// Things a valid network file does that probably do not do what was meant, one sentence
    /// each, naming the keys: a `kind = "count"` reward that pays only for a per-neuron rate
    /// more than 1.5 times what the pool's homeostasis holds those neurons at (the reward can
    /// then only come in transients, and homeostasis undoes what it teaches). O(rules + pools).
    public var warnings: [String] {
        var out: [String] = []
        let tickSeconds = Double(tickMicroseconds) / 1_000_000
        for (k, rule) in rewards.enumerated() {
            guard case .count(let w) = rule.kind else { continue }
            let pool = pools[rule.pool]
            let required = Double(w.minSpikes) / Double(w.neurons.count * w.window) / tickSeconds
            // The homeostatic target of the rewarded neurons, Hz (the highest among them).
            var target: Double?
            if pool.populations.isEmpty {
                if pool.config.homeostasisStep > 0 { target = Double(pool.config.homeostasisTarget) / 1000 / tickSeconds }
            } else {
                for (range, p) in pool.populationRanges where range.overlaps(w.neurons) {
                    if let hz = p.parameters.homeostasisHz { target = max(target ?? 0, hz) }
                }
            }
            guard let target, required > 1.5 * target else { continue }
            out.append("reward[\(k)] pays when \(pool.name)[\(w.neurons.lowerBound), \(w.neurons.upperBound)) fires at least \(w.minSpikes) spikes in \(w.window) ticks, "
                       + "\(Self.hz(required)) Hz per neuron, but the pool's homeostasis holds those neurons near \(Self.hz(target)) Hz: "
                       + "the reward can come only in transients, and homeostasis undoes what it teaches")
        }
        return out
    }

    private static func hz(_ x: Double) -> String { x >= 100 ? "\(Int(x.rounded()))" : "\((x * 10).rounded() / 10)" }
}
