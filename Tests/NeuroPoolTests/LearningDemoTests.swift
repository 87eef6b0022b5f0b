import Testing
@testable import NeuroPool

@Suite("Learning demo")
struct LearningDemoTests {
    /// Product acceptance criteria for the default demo.
    @Test func defaultRunMeetsTheAcceptanceCriteria() throws {
        let r = try LearningDemo().run()
        #expect(r.prunedPercent >= 50, "pruned \(r.prunedPercent)%")
        #expect(r.thermalAfter.cold >= 1, "thermal after: \(r.thermalAfter)")
        #expect(abs(r.activityChangePercent) <= 25, "activity change \(r.activityChangePercent)% (\(r.baselineSpikes) → \(r.finalSpikes))")
        // Internal consistency of the result.
        #expect(r.neurons == 32 && r.epochs == 200)
        #expect(r.synapsesAfter == Int((Double(r.synapsesBefore) * (1 - r.prunedPercent / 100)).rounded()))
        let after = r.thermalAfter
        #expect(after.hot + after.warm + after.cool + after.cold + after.dead == r.synapsesAfter)
        #expect(r.thermalBefore.hot == r.synapsesBefore, "a fresh pool is all HOT")
        #expect(r.baselineSpikes > 0, "the output must respond before learning")
        #expect(r.reinforced > 0 && r.weakened > 0)
    }

    @Test func runIsDeterministic() throws {
        var a = try LearningDemo().run()
        var b = try LearningDemo().run()
        a.msPerEpoch = 0
        b.msPerEpoch = 0
        #expect(a == b)
    }

    @Test func progressIsReportedOncePerEpoch() throws {
        var demo = LearningDemo()
        demo.epochs = 25
        var epochs: [Int] = []
        _ = try demo.run { epoch, _, pool in
            epochs.append(epoch)
            #expect(pool.neuronCount == 32)
        }
        #expect(epochs == Array(0 ..< 25))
    }
}
