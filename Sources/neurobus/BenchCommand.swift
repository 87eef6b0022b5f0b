import ArgumentParser
import Foundation
import NeuroPool

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (run a release build: make bench).",
        subcommands: [Pool.self]
    )

    struct Pool: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one of the NEST reference networks on one pool, one core.",
            discussion: """
            Scenarios (shared/bench/nest_reference.py builds the same networks in NEST): \
            small = 4096 neurons × out-degree 82 for 5000 ticks; large = 65536 × 100 for 2000 \
            ticks; small-stdp = small with STDP eligibility on. Ticks are 1 ms. Synaptic events \
            per second = spikes × out-degree / simulated wall time, as NEST's script counts them.
            """
        )

        @Option(help: "The network to run.")
        var scenario: BenchScenario

        @Option(help: "Ticks to run (default: the scenario's).")
        var ticks: Int?

        @Option(help: "Constant drive per neuron, Q8.8 mV per tick (default 290: the rates of NEST's I_e = 300 pA network).")
        var drive: Int = 290

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            if let ticks, !(1 ... 10_000_000).contains(ticks) { throw ValidationError("--ticks \(ticks) is out of range 1…10000000") }
            guard (0 ... Int(Int16.max)).contains(drive) else { throw ValidationError("--drive \(drive) is out of range 0…32767") }
        }

        func run() throws {
            let s = scenario
            let result = try PoolBenchmark.run(s, ticks: ticks ?? s.ticks, drive: Int16(drive)) { fraction in
                FileHandle.standardError.write(Data("\r\(s.rawValue): \(Int(fraction * 100)) %".utf8))
            }
            FileHandle.standardError.write(Data("\n".utf8))
            if json {
                print(try JSONOutput.string(result, snakeCase: true))
            } else {
                print("""
                \(result.scenario): \(result.neurons) neurons × \(result.outDegree) = \(result.synapses) synapses, \(result.ticks) ticks\(result.stdp ? ", STDP on" : "")
                  spikes \(result.spikes), rate \(String(format: "%.1f", result.rateHz)) Hz
                  synaptic events/s \(String(format: "%.3g", result.synapticEventsPerS)), neuron updates/s \(String(format: "%.3g", result.neuronUpdatesPerS))
                  real-time factor \(String(format: "%.3f", result.realTimeFactor)) (simulate \(String(format: "%.3f", result.simulateS)) s, build \(String(format: "%.3f", result.buildS)) s)
                  memory: \(result.bytesPerNeuron) B/neuron, \(result.bytesPerSynapse) B/synapse, pool data \(result.poolDataBytes) B, delay ring \(result.delayRingBytes) B, STDP index \(result.stdpIndexBytes) B, peak RSS \(result.peakRssBytes) B
                """)
            }
        }
    }
}

extension BenchScenario: ExpressibleByArgument {}
