import ArgumentParser
import Foundation
import NeuroPool
import NeuroNetwork
import NeuroEngine

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks (run a release build: make bench).",
        subcommands: [Pool.self, Wire.self, BusBenchmark.self]
    )

    struct Pool: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run one of the NEST reference networks on one pool, one core.",
            discussion: """
            Scenarios (Tests/Benchmarks/nest_pool.py builds the same networks in NEST): \
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

extension BenchCommand {
    struct Wire: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Spike-batch encode + decode speed and bytes per spike, one core.",
            discussion: """
            Encodes and decodes the spikes of a pool (default: the small benchmark pool, 4096 \
            neurons, at 5 % activity per tick — independent seeded Bernoulli draws) in batches \
            of 1 and of 4 ticks, with the automatic (smallest) encoding and with each encoding \
            forced, and reports spikes per second (best of --repeats) and bytes per spike: \
            whole message frames (20-byte header + payload) and spike sets alone. A sweep over \
            activity levels shows which encoding the encoder picks and what it costs.
            """
        )

        @Option(help: "Neurons in the pool (1…65536).")
        var neurons = 4096

        @Option(help: "Probability that a neuron fires in a tick, in percent (0…100).")
        var activity = 5.0

        @Option(help: "Ticks of spikes to encode.")
        var ticks = 20_000

        @Option(help: "Timed repetitions; the best is reported.")
        var repeats = 3

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            guard (1...65_536).contains(neurons) else { throw ValidationError("--neurons \(neurons) is out of range 1…65536") }
            guard (0...100).contains(activity) else { throw ValidationError("--activity \(activity) is out of range 0…100") }
            guard (1...1_000_000).contains(ticks) else { throw ValidationError("--ticks \(ticks) is out of range 1…1000000") }
            guard (1...100).contains(repeats) else { throw ValidationError("--repeats \(repeats) is out of range 1…100") }
        }

        func run() throws {
            let bench = WireBenchmark(neurons: neurons, activity: activity / 100, ticks: ticks, repeats: repeats)
            let result = try bench.run { step in
                FileHandle.standardError.write(Data("\r\u{1B}[K\(step)".utf8))
            }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            if json {
                print(try JSONOutput.string(result, snakeCase: true))
                return
            }
            func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
            func g(_ value: Double) -> String { String(format: "%.3g", value) }
            func f(_ value: Double) -> String { String(format: "%.3f", value) }
            print("\(result.neurons) neurons, \(String(format: "%g", result.activityPercent)) % activity, \(result.ticks) ticks, one core")
            print("encoding  ticks/batch  B/spike(msg)  B/spike(sets)  encode/s  decode/s  enc+dec/s")
            for r in result.rows {
                print(pad(r.encoding, 10) + pad("\(r.ticksPerBatch)", 13) + pad(f(r.messageBytesPerSpike), 14) + pad(f(r.setBytesPerSpike), 15)
                    + pad(g(r.encodeSpikesPerS), 10) + pad(g(r.decodeSpikesPerS), 10) + g(r.roundTripSpikesPerS))
            }
            print("\npolicy   activity  B/spike(msg)  B/spike(sets)  B/spike(bodies)  encodings chosen (ticks, one per batch)")
            for s in result.sweep {
                let chosen = s.chosen.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                print(pad(s.policy, 9) + pad(String(format: "%.1f %%", s.activityPercent), 10) + pad(f(s.messageBytesPerSpike), 14)
                    + pad(f(s.setBytesPerSpike), 15) + pad(f(s.bodyBytesPerSpike), 17) + chosen)
            }
            print("worst in the sweep: \(f(result.worstSetBytesPerSpike)) bytes per spike with each tick's code byte and count, \(f(result.worstBodyBytesPerSpike)) without")
        }
    }
}
