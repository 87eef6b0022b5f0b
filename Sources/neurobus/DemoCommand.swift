import ArgumentParser
import Foundation
import NeuroPool

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Demonstrations of the pool's mechanisms.",
        subcommands: [Learning.self]
    )

    struct Learning: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reward-driven choice on the neuropool design's 32-neuron pool, beside its controls.",
            discussion: """
            A 32-neuron pool at 50 % density sees a seeded Poisson stimulus on neurons 0..<8 for \
            40 ticks per epoch; output groups A (24..<28) and B (28..<32) compete. Three runs start \
            from the same pool and stimulus: contingent (a dopamine pulse after every epoch in which \
            A fired more than B), random (as many pulses, at random epochs) and none. The figure is \
            A's share of the output, A / (A + B), over 50 presentations before and after training; \
            learning shows as a share that rises under contingent reward and not under the controls. \
            Each seed is one row per condition, then the means over the seeds.
            """
        )

        @Option(help: "First seed of the pool and the stimulus.")
        var seed: UInt64 = 1

        @Option(help: "Seeds to run (seed, seed + 1, …).")
        var seeds: Int = 5

        @Option(help: "Training epochs per condition.")
        var epochs: Int = 400

        @Option(help: "Learning gain (2^-32 weight units per eligibility unit, dopamine unit and tick).")
        var gain: Int64 = LearningDemo().learningGain

        @Option(help: "Eligibility time constant, ticks.")
        var eligibilityTau: Int = LearningDemo().eligibilityTau

        @Option(help: "Homeostatic threshold step, Q8.8 mV per tick (0: off).")
        var homeostasis: Int = LearningDemo().homeostasisStep

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        func validate() throws {
            guard (0 ... PlasticityRule.maxGain).contains(gain) else { throw ValidationError("--gain \(gain) is out of range 0…\(PlasticityRule.maxGain)") }
            guard (1 ... 100_000_000).contains(eligibilityTau) else { throw ValidationError("--eligibility-tau \(eligibilityTau) is out of range 1…100000000") }
            guard (0 ... 255).contains(homeostasis) else { throw ValidationError("--homeostasis \(homeostasis) is out of range 0…255") }
            guard (1 ... 1_000_000).contains(epochs) else { throw ValidationError("--epochs \(epochs) is out of range 1…1000000") }
            guard (1 ... 1000).contains(seeds) else { throw ValidationError("--seeds \(seeds) is out of range 1…1000") }
        }

        func run() throws {
            var results: [LearningDemo.Result] = []
            for k in 0 ..< seeds {
                var demo = LearningDemo()
                demo.seed = seed &+ UInt64(k)
                demo.epochs = epochs
                demo.learningGain = gain
                demo.eligibilityTau = eligibilityTau
                demo.homeostasisStep = homeostasis
                if let v = ProcessInfo.processInfo.environment["NB_W"].flatMap(Int.init) { demo.excitatoryWeight = v ... 3 * v }
                if let v = ProcessInfo.processInfo.environment["NB_D"].flatMap(Int.init) { demo.dopamineTau = v }
                if let v = ProcessInfo.processInfo.environment["NB_C"].flatMap(Int.init) { demo.stimulusChance = v }
                results.append(try demo.run())
            }
            if json {
                print(try JSONOutput.string(results, snakeCase: true))
                return
            }
            print("=== NeuroBus learning demo: reward-driven choice, contingent reward beside its controls ===")
            for r in results { print(r) }
            print("mean over \(seeds) seed(s): change of A's share")
            for condition in LearningDemo.Condition.allCases {
                let changes = results.compactMap { $0.outcome(condition) }.map { $0.shareAfter - $0.shareBefore }
                let mean = changes.reduce(0, +) / Double(max(changes.count, 1))
                let up = changes.filter { $0 > 0 }.count
                print("  \(condition.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%+.3f", mean))  (rose in \(up) of \(changes.count) seeds)")
            }
        }
    }
}
