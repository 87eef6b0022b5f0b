import Testing
@testable import NeuroPool

@Suite("Learning demo")
struct LearningDemoTests {
    /// Contingent reward moves the input → A pathway ahead of the input → B one; the controls
    /// (as many pulses at random epochs, none) do not. Three seeds.
    @Test(arguments: [UInt64(1), 2, 3])
    func contingentRewardCreditsThePathwayThatWon(seed: UInt64) throws {
        var demo = LearningDemo()
        demo.seed = seed
        let r = try demo.run()
        let contingent = try #require(r.outcome(.contingent))
        let random = try #require(r.outcome(.random))
        let none = try #require(r.outcome(.none))
        func gain(_ o: LearningDemo.Outcome) -> Double { (o.pathwayAAfter - o.pathwayBAfter) - (o.pathwayABefore - o.pathwayBBefore) }
        #expect(contingent.rewards > 0 && random.rewards == contingent.rewards && none.rewards == 0)
        #expect(gain(contingent) > 0.3, "contingent: \(gain(contingent)) units")
        #expect(gain(contingent) > gain(random) + 0.3, "contingent \(gain(contingent)) vs random \(gain(random))")
        #expect(none.pathwayAAfter == none.pathwayABefore && none.pathwayBAfter == none.pathwayBBefore, "no dopamine, no weight change")
    }

    @Test func runIsDeterministic() throws {
        var demo = LearningDemo()
        demo.epochs = 100
        #expect(try demo.run() == demo.run())
    }

    @Test func progressIsReportedOncePerEpochAndCondition() throws {
        var demo = LearningDemo()
        demo.epochs = 25
        var epochs: [LearningDemo.Condition: [Int]] = [:]
        _ = try demo.run { condition, epoch, _, _ in epochs[condition, default: []].append(epoch) }
        #expect(epochs.count == 3 && epochs.values.allSatisfy { $0 == Array(0 ..< 25) })
    }
}
