import NeuroPool

/// Deterministic coordinate descent of a twin's parameters toward the biological pool's spikes.
public enum TwinFitter {
    /// One coordinate: a parameter, its first step and its range.
    struct Coordinate {
        let name: String
        let path: WritableKeyPath<LIFTwinParameters, Int>
        let step: Int
        let range: ClosedRange<Int>
    }

    static var coordinates: [Coordinate] {
        [
            Coordinate(name: "latency", path: \.latency, step: 1, range: 0 ... 7),
            Coordinate(name: "excitatory threshold", path: \.excitatory.threshold, step: 1024, range: 64 ... 32767),
            Coordinate(name: "excitatory leak", path: \.excitatory.leak, step: 16, range: 0 ... 255),
            Coordinate(name: "excitatory refractory", path: \.excitatory.refractory, step: 4, range: 0 ... 40),
            Coordinate(name: "excitatory reset", path: \.excitatory.reset, step: 1024, range: -16384 ... 16384),
            Coordinate(name: "weight scale", path: \.weightScale, step: 8, range: 1 ... 255),
            Coordinate(name: "inhibitory weight scale", path: \.inhibitoryWeightScale, step: 8, range: 0 ... 255),
            Coordinate(name: "inhibitory threshold", path: \.inhibitory.threshold, step: 1024, range: 64 ... 32767),
            Coordinate(name: "inhibitory leak", path: \.inhibitory.leak, step: 16, range: 0 ... 255),
            Coordinate(name: "inhibitory refractory", path: \.inhibitory.refractory, step: 4, range: 0 ... 40),
            Coordinate(name: "inhibitory reset", path: \.inhibitory.reset, step: 1024, range: -16384 ... 16384),
        ]
    }

    /// The outcome of a fit.
    public struct Result: Sendable {
        public var start: LIFTwinParameters
        public var fitted: LIFTwinParameters
        public var gammaBefore: Double
        public var gammaAfter: Double
        /// Twin runs evaluated.
        public var evaluations: Int
    }

    /// Fits latency, leak, threshold, reset, refractory period (per kind) and the two weight
    /// scales to maximise the mean Γ between `target` (the biological record) and the twin on
    /// `scenario`, less `ratePenalty` × the relative error of the twin's total spike count (Γ
    /// alone rewards a twin that fires far too often). First a coarse grid (latency × threshold × weight scale, at most a third of
    /// the budget), then coordinate descent from its best point: each coordinate is moved by ± its step while that improves Γ; after a sweep without
    /// improvement every step halves; it stops when all steps are 1 and a sweep gains nothing,
    /// or after `maxEvaluations` twin runs. Fully deterministic (no random restarts).
    public static func fit(_ scenario: DivergenceScenario, target: SpikeRecord, start: LIFTwinParameters,
                           maxEvaluations: Int = 1500, ratePenalty: Double = 0.1) throws(HHError) -> Result {
        let network = try scenario.network()
        let projection = try scenario.projection()
        let stimulus = scenario.stimulus()
        let targetSpikes = Double(target.reduce(0) { $0 + $1.count })
        // |twin spikes − HH spikes| / HH spikes: Γ alone rewards a twin that fires far too often.
        func relativeRateError(_ record: SpikeRecord) -> Double {
            let spikes = Double(record.reduce(0) { $0 + $1.count })
            return targetSpikes > 0 ? abs(spikes - targetSpikes) / targetSpikes : (spikes > 0 ? 1 : 0)
        }
        var evaluations = 0
        var cache: [LIFTwinParameters: (score: Double, gamma: Double)] = [:]
        func evaluate(_ p: LIFTwinParameters) throws(HHError) -> (score: Double, gamma: Double) {
            if let s = cache[p] { return s }
            evaluations += 1
            let record = try scenario.runTwin(p, network: network, projection: projection, stimulus: stimulus)
            let gamma = scenario.meanGamma(target, record)
            let result = (gamma - ratePenalty * relativeRateError(record), gamma)
            cache[p] = result
            return result
        }
        func score(_ p: LIFTwinParameters) throws(HHError) -> Double { try evaluate(p).score }
        var best = start.clamped()
        var bestScore = try score(best)
        let before = try evaluate(best).gamma
        // Stage 1: a coarse grid over the three parameters that shape the response most
        // (latency, excitatory threshold, weight scale), so the descent starts in the right basin.
        for latency in 0 ... 4 {
            for threshold in stride(from: 8 * 256, through: 32 * 256, by: 4 * 256) {
                for scale in [6, 8, 12, 16, 24, 32, 48] where evaluations < maxEvaluations / 3 {
                    var trial = best
                    trial.latency = latency
                    trial.excitatory.threshold = threshold
                    trial.inhibitory.threshold = threshold
                    trial.weightScale = scale
                    trial.inhibitoryWeightScale = scale
                    let s = try score(trial)
                    if s > bestScore + 1e-12 { (best, bestScore) = (trial, s) }
                }
            }
        }
        // Stage 2: coordinate descent from the best grid point.
        var steps = coordinates.map(\.step)
        outer: while evaluations < maxEvaluations {
            var improved = false
            for (k, c) in coordinates.enumerated() {
                for direction in [1, -1] {
                    while evaluations < maxEvaluations {
                        var trial = best
                        let value = trial[keyPath: c.path] + direction * steps[k]
                        guard c.range.contains(value) else { break }
                        trial[keyPath: c.path] = value
                        let s = try score(trial)
                        guard s > bestScore + 1e-12 else { break }
                        (best, bestScore, improved) = (trial, s, true)
                    }
                }
            }
            if !improved {
                if steps.allSatisfy({ $0 <= 1 }) { break outer }
                steps = steps.map { max($0 / 2, 1) }
            }
        }
        return Result(start: start, fitted: best, gammaBefore: before, gammaAfter: try evaluate(best).gamma, evaluations: evaluations)
    }
}
