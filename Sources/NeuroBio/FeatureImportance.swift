/// How much each biological feature matters: the biological pool is re-run with one feature
/// switched off at a time, and compared with the full model and with the twin.
public struct FeatureImportance: Sendable, Equatable, Codable {
    /// The feature switched off.
    public var feature: String
    /// Γ between the full biological pool and the pool without the feature (1 = no effect).
    public var gammaFullVsAblated: Double
    /// Γ of the twin against the ablated pool, and its change from the twin against the full pool.
    public var twinGamma: Double
    public var twinGammaChange: Double
    /// Mean van Rossum distance of the twin to the ablated pool, and its change.
    public var twinVanRossum: Double
    public var twinVanRossumChange: Double
    /// Mean rate of the ablated pool, Hz.
    public var rate: Double

    /// Runs the ablations of every feature of `scenario.features`. `full` is the full model's
    /// record and `twin` the twin's record on the same stimulus. O(features × one HH run).
    public static func measure(_ scenario: DivergenceScenario, full: SpikeRecord, twin: SpikeRecord) throws(HHError) -> [FeatureImportance] {
        let reference = try scenario.compare(full, twin)
        let stimulus = scenario.stimulus()
        var rows: [FeatureImportance] = []
        for (name, feature) in HHFeatures.named where scenario.features.contains(feature) {
            let ablated = try scenario.runBiological(features: scenario.features.subtracting(feature), stimulus: stimulus)
            let vsTwin = try scenario.compare(ablated, twin)
            rows.append(FeatureImportance(
                feature: name, gammaFullVsAblated: scenario.meanGamma(full, ablated), twinGamma: vsTwin.meanGamma,
                twinGammaChange: vsTwin.meanGamma - reference.meanGamma, twinVanRossum: vsTwin.meanVanRossum,
                twinVanRossumChange: vsTwin.meanVanRossum - reference.meanVanRossum, rate: vsTwin.bioRate))
        }
        return rows
    }
}
