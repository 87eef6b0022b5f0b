import ArgumentParser
import NeuroPool

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Demonstrations of the pool's mechanisms.",
        subcommands: [Learning.self]
    )

    struct Learning: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pathway learning by three-factor plasticity (the neuropool design's demo).",
            discussion: """
            A 32-neuron pool at 50 % density sees a seeded Poisson stimulus on neurons 0..<8 for \
            40 ticks per epoch; dopamine rewards every epoch in which neurons 24..<32 fire. STDP \
            marks the synapses that carried activity, dopamine strengthens causal ones and weakens \
            anti-causal ones, weakened HOT synapses die and are pruned every 10 epochs, much \
            reinforced ones mature HOT → WARM → COOL → COLD (frozen), and homeostasis keeps the \
            output rate stable. Baseline and final output are means over 50 presentations, the \
            baseline taken after 100 unrewarded presentations let homeostasis settle.
            """
        )

        @Option(help: "Seed of the pool and the stimulus.")
        var seed: UInt64 = 42

        @Option(help: "Learning epochs.")
        var epochs: Int = 200

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        func validate() throws {
            guard (1 ... 1_000_000).contains(epochs) else { throw ValidationError("--epochs \(epochs) is out of range 1…1000000") }
        }

        func run() throws {
            var demo = LearningDemo()
            demo.seed = seed
            demo.epochs = epochs
            let result = try demo.run()
            if json {
                print(try JSONOutput.string(result, snakeCase: true))
            } else {
                print("=== NeuroBus learning demo: pathway strengthening by three-factor plasticity ===")
                print(result)
            }
        }
    }
}
