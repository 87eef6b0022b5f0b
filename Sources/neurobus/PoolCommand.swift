import ArgumentParser
import Foundation
import NeuroBio
import NeuroNode
import NeuroPool
import NeuroNetwork
import NeuroEngine

struct PoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "Create and inspect .pool files.",
        subcommands: [Create.self, Inspect.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a pool with seeded random connectivity and save it.",
            discussion: """
            Exactly 80 % of neurons are excitatory and 20 % inhibitory (Dale's law), at positions \
            drawn from the seed. Give --density (each neuron connects to that fraction of the \
            others) or --out-degree (exactly K targets per neuron). The same seed always gives a \
            byte-identical file. The file is written atomically.
            """
        )

        @Option(help: "Number of neurons, 1…65536.")
        var neurons: Int

        @Option(help: "Fraction of other neurons each neuron connects to, 0…1.")
        var density: Double?

        @Option(help: "Exact number of targets per neuron (instead of --density).")
        var outDegree: Int?

        @Option(help: "Seed of the pool's generator.")
        var seed: UInt64 = 0

        @Option(help: "Pool name stored in the file (default: the file name without extension).")
        var name: String?

        @Option(help: "Largest axonal delay, 1…8 ticks.")
        var maxDelay: Int = 8

        @Flag(help: "Turn STDP eligibility tracking off (a static pool).")
        var noStdp = false

        @Flag(help: "Turn homeostatic thresholds off.")
        var noHomeostasis = false

        @Option(name: .shortAndLong, help: "Output .pool file.")
        var output: String

        func validate() throws {
            if (density == nil) == (outDegree == nil) {
                throw ValidationError("give exactly one of --density or --out-degree")
            }
            guard (1 ... 65536).contains(neurons) else {
                throw ValidationError("--neurons \(neurons) is out of range 1…65536")
            }
            if let density, !(0 ... 1).contains(density) { throw ValidationError("--density \(density) is out of range 0…1") }
            if let outDegree, !(0 ..< neurons).contains(outDegree) {
                throw ValidationError("--out-degree \(outDegree) is out of range 0…\(neurons - 1) (other neurons)")
            }
            guard (1 ... 8).contains(maxDelay) else { throw ValidationError("--max-delay \(maxDelay) is out of range 1…8 ticks") }
        }

        func run() throws {
            var config = PoolConfig()
            config.seed = seed
            config.maxDelay = maxDelay
            config.stdp = !noStdp
            if noHomeostasis { config.homeostasisStep = 0 }
            let poolName = name ?? URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent
            let pool: NeuronPool
            do {
                if let density {
                    pool = try .withRandomConnectivity(name: poolName, neurons: neurons, density: density, config: config)
                } else {
                    pool = try .withFixedOutDegree(name: poolName, neurons: neurons, outDegree: outDegree!, config: config)
                }
                try pool.save(to: output)
            } catch let error as PoolError {
                throw CommandFailure(error.description)
            } catch let error as PoolFileError {
                throw CommandFailure(error.description)
            }
            print("wrote \(output)")
            print(pool.stats())
        }
    }

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a pool file's statistics: counts, rate, weights, eligibility, thermal states, memory, populations, afferents.",
            discussion: """
            Each projection into the pool gets a line: source pool, synapses, how many are \
            plastic (not frozen), weight magnitudes in mV and how many plastic synapses sit at \
            their learning rule's lower and upper bound. \
            A pool of populations (a version-4 .pool file, from a format-2 network) also lists \
            each population: its neuron range, kind and constants converted back to physical \
            units — tau_m, t_ref, v_rest, v_threshold (and the mean with homeostatic offsets), \
            v_reset, v_min, the drive per tick with i_e/c_m, homeostasis. A .pool file counts \
            time in ticks and does not store the tick length: tau_m and t_ref are printed in \
            ticks (exact, with the stored per-tick retention) and in ms at --tick-us, which also \
            sets the tick the mean rate is computed with. Give the network's tick_us.
            """
        )

        @Argument(help: "The .pool file.")
        var file: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        @Option(help: "Microseconds per tick the pool ran at, 1…1000000 (a .pool file does not store it): ms values and the mean rate assume it.")
        var tickUs: UInt32 = 1000

        func validate() throws {
            guard (1 ... 1_000_000).contains(tickUs) else { throw ValidationError("--tick-us \(tickUs) is out of range: expected 1...1000000 microseconds") }
        }

        func run() throws {
            // A Hodgkin–Huxley pool's final file (model = "hh"): its summary line.
            if (try? AtomicFile.starts(file, with: HHPool.fileMagic)) == true, let bytes = try? AtomicFile.read(file) {
                let s = try PoolDriver.summary(ofFinalFileBytes: bytes, path: file)
                guard !json else {
                    print(#"{"model":"hh","name":"\#(s.name)","neurons":\#(s.neurons),"ticks":\#(s.ticks),"spikes":\#(s.spikes),"synapses":\#(s.synapses)}"#)
                    return
                }
                print("pool \(s.name): \(s.neurons) Hodgkin–Huxley neurons, \(s.synapses) synapses (protocol/HH-POOL-FORMAT.md)\n  ticks \(s.ticks), spikes \(s.spikes)")
                return
            }
            let pool: NeuronPool
            do {
                pool = try NeuronPool.load(from: file)
            } catch {
                throw CommandFailure("\(file): \(error.description)")
            }
            let stats = pool.stats(tickMicroseconds: tickUs)
            if json {
                print(try JSONOutput.string(stats))
            } else {
                print(stats)
            }
        }
    }
}

enum JSONOutput {
    /// Pretty, key-sorted JSON (stable output for scripts and diffs). `nonFinite`: infinities
    /// and NaN become the strings "inf", "-inf", "nan" instead of an encoding error.
    static func string<T: Encodable>(_ value: T, snakeCase: Bool = false, nonFinite: Bool = false) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        if nonFinite { encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan") }
        if snakeCase { encoder.keyEncodingStrategy = .convertToSnakeCase }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
