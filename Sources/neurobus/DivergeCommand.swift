import ArgumentParser
import Foundation
import NeuroBio
import NeuroNode
import NeuroPool
import NeuroNetwork
import NeuroEngine

/// `neurobus diverge`: a Hodgkin–Huxley pool against its integer-LIF twin.
struct DivergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diverge",
        abstract: "Run a Hodgkin–Huxley pool and its integer-LIF twin on identical input and report how they diverge.",
        discussion: """
        The built-in scenario is a recurrent network (NeuroPool's construction: 80 % excitatory, \
        Dale's law, seeded) driven by Poisson sources through one afferent projection. It runs once \
        as an HH pool (NeuroBio: Hodgkin–Huxley 1952 membrane, AMPA/NMDA/GABA-A, calcium, ATP, \
        neuromodulators; dt 0.025 ms sub-stepped in 1 ms ticks) and once as the twin (NeuroPool's \
        integer LIF), with the same synapses and the same input spikes.

        Output, per neuron and for the population: the coincidence factor Γ (Kistler et al. 1997; \
        1 = identical, 0 = chance; window ±--window ticks), the van Rossum distance (τ = --tau ms, \
        elephant's normalisation: empty vs one spike = 1), the Victor–Purpura distance (shift cost \
        --cost per ms) and the rate difference (twin − HH, Hz). Spike times are the ticks the spikes \
        fall in, for both models. The population Γ is the mean over neurons that fired in at \
        least one model (an undefined Γ counts as 0); the distances are means over all neurons.

        Unless --no-fit, the twin's latency, leak, threshold, reset, refractory period (per kind) \
        and weight scales are then fitted to maximise Γ — a coarse grid, then deterministic \
        coordinate descent, at most --max-evaluations twin runs — and Γ before and after is \
        reported, also on a held-out stimulus (--stimulus-seed + 1). Unless \
        --no-importance, each biological feature (calcium, atp, nmda, receptor-kinetics, \
        modulators) is switched off in turn and the change of the divergence is reported.

        With --network FILE the scenario's pool is a pool of that network file (--pool NAME, \
        default: its first model = "hh" pool): its size, recurrent connectivity (density, or \
        out_degree as the density k/(n−1)), excitatory weight range, largest delay and seed \
        replace the scenario's (the file's ticks must be 1 ms); its input stays the scenario's Poisson sources \
        (the pool's upstream pools and stimuli are not replayed). With --bench-hh N the command instead times N uncoupled HH cells under a \
        10 µA/cm² step for --bench-ms ms (the cells of Tests/Benchmarks/hh-vs-neuron.sh), bare \
        and with every feature, then an N-neuron pool of the scenario's network with all \
        receptors active.

        Model, integrator and definitions: docs/NEUROBIO.md.
        """
    )

    @Option(help: "Take the pool from this network file (its size, connectivity, weights, delays and seed; 1 ms ticks); the input stays the scenario's Poisson sources.")
    var network: String?

    @Option(help: "With --network: the pool to take (default: the file's first model = \"hh\" pool).")
    var pool: String?

    @Option(help: "Neurons in the scenario's pool, 2…65536.")
    var neurons: Int = 100

    @Option(help: "Recurrent connection density, 0…1.")
    var density: Double = 0.05

    @Option(help: "Ticks (1 ms each) to simulate, 1…10000000.")
    var ticks: Int = 2000

    @Option(help: "Seed of the network.")
    var seed: UInt64 = 1

    @Option(help: "Seed of the Poisson stimulus (the held-out check uses this + 1).")
    var stimulusSeed: UInt64 = 2

    @Option(help: "Poisson sources.")
    var sources: Int = 200

    @Option(help: "Rate of each Poisson source, Hz.")
    var sourceRate: Double = 15

    @Option(help: "Temperature of the HH model, °C.")
    var celsius: Double = 6.3

    @Option(help: "Biological features on: a comma-separated list of calcium, atp, nmda, receptor-kinetics, modulators; or all, or none.")
    var features: String = "all"

    @Option(help: "Coincidence window Δ for Γ, ticks (1…15).")
    var window: Int = 2

    @Option(help: "van Rossum time constant, ms.")
    var tau: Double = 10

    @Option(help: "Victor–Purpura shift cost, per ms.")
    var cost: Double = 0.1

    @Option(help: "Most twin runs the fit may evaluate.")
    var maxEvaluations: Int = 1500

    @Option(help: "Per-neuron rows printed in the table (0: all).")
    var rows: Int = 10

    @Flag(help: "Skip the adaptive fit of the twin.")
    var noFit = false

    @Flag(help: "Skip the feature-importance runs.")
    var noImportance = false

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Option(help: "Benchmark instead: time this many uncoupled HH cells (10 µA/cm² step).")
    var benchHh: Int?

    @Option(help: "Simulated time of the benchmark, ms.")
    var benchMs: Int = 1000

    func parsedFeatures() throws -> HHFeatures {
        switch features {
        case "all": return .all
        case "none", "": return []
        default:
            var set: HHFeatures = []
            for name in features.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let f = HHFeatures.named.first(where: { $0.name == name }) else {
                    throw ValidationError("--features: unknown feature '\(name)' (expected calcium, atp, nmda, receptor-kinetics, modulators, all or none)")
                }
                set.insert(f.feature)
            }
            return set
        }
    }

    func validate() throws {
        if pool != nil, network == nil { throw ValidationError("--pool needs --network FILE") }
        _ = try parsedFeatures()
        if !(2 ... 65536).contains(neurons) { throw ValidationError("--neurons \(neurons) is out of range 2…65536") }
        if !(density.isFinite && (0 ... 1).contains(density)) { throw ValidationError("--density \(density) is out of range 0…1") }
        if !(1 ... 10_000_000).contains(ticks) { throw ValidationError("--ticks \(ticks) is out of range 1…10000000") }
        if !(1 ... 65536).contains(sources) { throw ValidationError("--sources \(sources) is out of range 1…65536") }
        if !(sourceRate.isFinite && sourceRate >= 0 && sourceRate < 1000) { throw ValidationError("--source-rate \(sourceRate) is out of range 0…999 Hz") }
        if !(celsius.isFinite && (-50 ... 60).contains(celsius)) { throw ValidationError("--celsius \(celsius) is out of range -50…60") }
        if !(1 ... 15).contains(window) { throw ValidationError("--window \(window) is out of range 1…15 ticks") }
        if !(tau.isFinite && tau > 0) { throw ValidationError("--tau \(tau) must be a positive number of ms") }
        if !(cost.isFinite && cost >= 0) { throw ValidationError("--cost \(cost) must be a non-negative number per ms") }
        if maxEvaluations < 1 { throw ValidationError("--max-evaluations \(maxEvaluations) must be at least 1") }
        if rows < 0 { throw ValidationError("--rows \(rows) must be 0 or more") }
        if let benchHh, !(1 ... 65536).contains(benchHh) { throw ValidationError("--bench-hh \(benchHh) is out of range 1…65536") }
        if !(1 ... 10_000_000).contains(benchMs) { throw ValidationError("--bench-ms \(benchMs) is out of range 1…10000000") }
    }

    func run() throws {
        do {
            if let benchHh { try benchmark(cells: benchHh); return }
            try report()
        } catch let error as HHError {
            throw CommandFailure(error.description)
        }
    }

    // MARK: report

    struct Population: Codable {
        var gamma: Double, vanRossum: Double, victorPurpura: Double, bioRateHz: Double, twinRateHz: Double, meanAbsRateDifferenceHz: Double
        var silentInBoth: Int
        init(_ r: DivergenceReport) {
            gamma = r.meanGamma; vanRossum = r.meanVanRossum; victorPurpura = r.meanVictorPurpura; silentInBoth = r.silentInBoth
            bioRateHz = r.bioRate; twinRateHz = r.twinRate; meanAbsRateDifferenceHz = r.meanAbsoluteRateDifference
        }
    }

    struct Output: Codable {
        var scenario: String
        var windowMs: Double, vanRossumTauMs: Double, victorPurpuraCostPerMs: Double
        var twinBefore: String
        var before: Population
        var gammaBefore: Double
        var neurons: [NeuronDivergence]
        var hhSeconds: Double
        var twinAfter: String? = nil
        var after: Population? = nil
        var heldOutBefore: Population? = nil, heldOutAfter: Population? = nil
        var fitEvaluations: Int? = nil
        var gammaAfter: Double? = nil
        var featureImportance: [FeatureImportance]? = nil
    }

    /// The pool of `--network` as the scenario's pool: size, connectivity, weights, delays,
    /// seed and tick length; a description of where it came from.
    func poolFromNetwork(_ path: String, into s: inout DivergenceScenario) throws -> String {
        let description = try loadNetwork(path)
        let spec: PoolSpec
        if let pool {
            guard let named = description.pools.first(where: { $0.name == pool }) else {
                throw CommandFailure("--pool \(pool): no such pool in \(path); its pools are \(description.pools.map(\.name).joined(separator: ", "))")
            }
            spec = named
        } else {
            guard let hh = description.pools.first(where: { $0.model == .hh }) else {
                throw CommandFailure("\(path) has no model = \"hh\" pool: name the pool to compare with --pool")
            }
            spec = hh
        }
        guard spec.neurons >= 2 else { throw CommandFailure("pool \(spec.name) has \(spec.neurons) neuron: diverge needs at least 2") }
        s.neurons = spec.neurons
        switch spec.connectivity {
        case .density(let p): s.density = p
        case .outDegree(let k): s.density = Double(k) / Double(spec.neurons - 1)
        }
        s.weights = spec.config.excitatoryWeight
        s.maxDelay = spec.config.maxDelay
        s.seed = spec.config.seed
        // The distances read tick k as k ms (docs/NEUROBIO.md).
        guard description.tickMicroseconds == 1000 else {
            throw CommandFailure("\(path): tick_us = \(description.tickMicroseconds); diverge compares 1 ms ticks (tick_us = 1000)")
        }
        s.sourceOutDegree = min(s.sourceOutDegree, spec.neurons)
        return "pool \(spec.name) of \(path) (\(spec.model.rawValue) in the file)"
    }

    func report() throws {
        var s = DivergenceScenario()
        s.neurons = neurons; s.density = density; s.ticks = ticks; s.seed = seed; s.stimulusSeed = stimulusSeed
        s.sources = sources; s.sourceRate = sourceRate; s.hh.celsius = celsius; s.features = try parsedFeatures()
        s.window = window; s.vanRossumTau = tau; s.victorPurpuraCost = cost
        let origin = try network.map { try poolFromNetwork($0, into: &s) }
        try s.validate()
        let (neurons, density, seed) = (s.neurons, s.density, s.seed)
        let tickMs = 1
        let progress = FileHandle.standardError
        let clock = ContinuousClock()
        let started = clock.now
        progress.write(Data("diverge: running the HH pool (\(neurons) neurons, \(ticks) ticks)…\n".utf8))
        let bio = try s.runBiological(features: s.features)
        let hhSeconds = (clock.now - started).seconds
        let start = LIFTwinParameters(s.poolConfig)
        let twin = try s.runTwin(start)
        let before = try s.compare(bio, twin)
        var heldOut = s
        heldOut.stimulusSeed = stimulusSeed &+ 1
        var output = Output(
            scenario: "\(origin.map { "\($0): " } ?? "")\(neurons) HH neurons (\(neurons - 4 * neurons / 5) inhibitory), density \(density), \(sources) Poisson sources at \(sourceRate) Hz, \(ticks) ticks of \(tickMs) ms, \(celsius) °C, features \(s.features), seed \(seed), stimulus seed \(stimulusSeed)",
            windowMs: Double(window), vanRossumTauMs: tau, victorPurpuraCostPerMs: cost,
            twinBefore: start.description, before: Population(before), gammaBefore: before.meanGamma, neurons: before.neurons, hhSeconds: hhSeconds)
        var fittedTwin = twin
        if !noFit {
            progress.write(Data("diverge: fitting the twin…\n".utf8))
            let fit = try TwinFitter.fit(s, target: bio, start: start, maxEvaluations: maxEvaluations)
            fittedTwin = try s.runTwin(fit.fitted)
            let after = try s.compare(bio, fittedTwin)
            output.twinAfter = fit.fitted.description
            output.after = Population(after)
            output.gammaAfter = after.meanGamma
            output.fitEvaluations = fit.evaluations
            output.neurons = after.neurons
            progress.write(Data("diverge: held-out stimulus…\n".utf8))
            let hb = try heldOut.runBiological(features: s.features)
            output.heldOutBefore = Population(try heldOut.compare(hb, try heldOut.runTwin(start)))
            output.heldOutAfter = Population(try heldOut.compare(hb, try heldOut.runTwin(fit.fitted)))
        }
        if !noImportance {
            progress.write(Data("diverge: feature importance (one HH run per feature)…\n".utf8))
            output.featureImportance = try FeatureImportance.measure(s, full: bio, twin: fittedTwin)
        }
        if json {
            print(try JSONOutput.string(output))
        } else {
            print(render(output))
        }
    }

    func render(_ o: Output) -> String {
        func f(_ x: Double, _ d: Int = 3) -> String { String(format: "%.\(d)f", x) }
        func g(_ x: Double?) -> String { x.map { f($0) } ?? "-" }
        var text = "scenario: \(o.scenario)\n"
        text += "Γ window ±\(f(o.windowMs, 0)) ms, van Rossum τ \(f(o.vanRossumTauMs, 1)) ms, Victor–Purpura q \(o.victorPurpuraCostPerMs)/ms; HH run \(f(o.hhSeconds, 2)) s\n\n"
        var table = [["population", "Γ", "van Rossum", "Victor–Purpura", "HH Hz", "twin Hz", "|Δrate| Hz", "silent in both"]]
        func row(_ name: String, _ p: Population?) {
            guard let p else { return }
            table.append([name, f(p.gamma), f(p.vanRossum), f(p.victorPurpura), f(p.bioRateHz, 2), f(p.twinRateHz, 2), f(p.meanAbsRateDifferenceHz, 2), "\(p.silentInBoth)"])
        }
        row("twin before fit", o.before)
        row("twin after fit", o.after)
        row("held-out, before", o.heldOutBefore)
        row("held-out, after", o.heldOutAfter)
        text += renderTable(table)
        text += "(population Γ: mean over neurons that fired in at least one model; distances: means over all neurons)\n"
        text += "\ntwin before: \(o.twinBefore)\n"
        if let after = o.twinAfter, let ga = o.gammaAfter, let n = o.fitEvaluations {
            text += "twin after:  \(after)\nfit: Γ \(f(o.gammaBefore)) → \(f(ga)) in \(n) twin runs\(ga >= 0.95 ? "" : " (below the 0.95 goal)")\n"
        }
        if let features = o.featureImportance {
            text += "\nfeature importance (the HH pool with one feature off):\n"
            var t = [["feature off", "Γ full vs ablated", "twin Γ", "ΔΓ", "twin van Rossum", "Δ van Rossum", "HH Hz"]]
            for r in features {
                t.append([r.feature, f(r.gammaFullVsAblated), f(r.twinGamma), f(r.twinGammaChange), f(r.twinVanRossum), f(r.twinVanRossumChange), f(r.rate, 2)])
            }
            text += renderTable(t)
        }
        let shown = rows == 0 ? o.neurons : Array(o.neurons.prefix(rows))
        text += "\nper neuron (\(o.twinAfter == nil ? "twin before fit" : "fitted twin")\(shown.count < o.neurons.count ? ", first \(shown.count) of \(o.neurons.count); --rows 0 for all" : "")):\n"
        var t = [["neuron", "HH spikes", "twin spikes", "Γ", "van Rossum", "Victor–Purpura", "Δrate Hz"]]
        for r in shown {
            t.append(["\(r.neuron)", "\(r.bioSpikes)", "\(r.twinSpikes)", g(r.gamma), f(r.vanRossum), f(r.victorPurpura), f(r.rateDifference, 2)])
        }
        return text + renderTable(t)
    }

    // MARK: benchmark

    struct BenchOutput: Codable {
        var cells: Int, simulatedMs: Int, dtMs: Double, features: String, spikes: UInt64, wallSeconds: Double, realTimeFactor: Double
    }

    func benchmark(cells: Int) throws {
        var results: [BenchOutput] = []
        for features in [HHFeatures(), HHFeatures.all] {
            var pool = try HHPool(name: "bench", neurons: cells, features: features)
            try pool.setBias(0 ..< cells, 10)
            let clock = ContinuousClock()
            let started = clock.now
            for _ in 0 ..< benchMs { pool.tick() }
            let wall = (clock.now - started).seconds
            results.append(BenchOutput(cells: cells, simulatedMs: benchMs, dtMs: pool.parameters.dt, features: features.description,
                                       spikes: pool.totalSpikes, wallSeconds: wall, realTimeFactor: Double(benchMs) / 1000 / wall))
        }
        // The same number of neurons as the built-in scenario's network (density 0.05, two
        // Poisson sources per neuron at 15 Hz): every receptor active.
        if cells >= 2 {
            var s = DivergenceScenario()
            s.neurons = cells
            s.sources = 2 * cells
            s.ticks = benchMs
            var pool = try s.biologicalPool(features: .all)
            let input = s.stimulus()
            let clock = ContinuousClock()
            let started = clock.now
            for t in 0 ..< benchMs {
                if t >= s.sourceDelay { try pool.deliver(projection: 0, sourceTick: UInt64(t - s.sourceDelay), spikes: input[t - s.sourceDelay]) }
                pool.tick()
            }
            let wall = (clock.now - started).seconds
            results.append(BenchOutput(cells: cells, simulatedMs: benchMs, dtMs: pool.parameters.dt, features: "all, coupled (scenario network)",
                                       spikes: pool.totalSpikes, wallSeconds: wall, realTimeFactor: Double(benchMs) / 1000 / wall))
        }
        if json {
            print(try JSONOutput.string(results, snakeCase: true))
        } else {
            for r in results {
                print("\(r.cells) HH cells, features \(r.features), \(r.simulatedMs) ms at dt \(r.dtMs) ms: \(r.spikes) spikes, wall \(String(format: "%.3f", r.wallSeconds)) s, real-time factor \(String(format: "%.2f", r.realTimeFactor))")
            }
        }
    }
}
