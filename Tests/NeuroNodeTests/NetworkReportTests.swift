import Foundation
import NeuroModel
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// `NetworkReport` (what `neurobus network check` prints) and the population summary of
/// `PoolStats` (what `neurobus pool inspect` prints for a version-4 `.pool` file).
@Suite("Network reports")
struct NetworkReportTests {
    /// A small format-2 network at 0.1 ms ticks: E (80) and I (20) with tau_m 20 ms, each
    /// neuron receiving 8 inputs from E (fixed in-degree), I with a constant current, and a
    /// Poisson generator into the whole pool.
    static let text = """
    [network]
    name = "report"
    format = 2
    seed = 11
    tick_us = 100

    [controller]
    control = "tcp://127.0.0.1:27400"
    publish = "tcp://127.0.0.1:27401"

    [[pool]]
    name = "cortex"
    endpoint = "tcp://127.0.0.1:27410"

      [[pool.population]]
      name = "E"
      size = 80
      kind = "excitatory"
      tau_m = 20.0
      t_ref = 2.0

      [[pool.population]]
      name = "I"
      size = 20
      kind = "inhibitory"
      tau_m = 20.0
      i_e = 100.0

    [[projection]]
    from = "cortex.E"
    to = "cortex"
    rule = "fixed_indegree"
    indegree = 8
    weight = 0.3
    delay = 1.5

    [[generator]]
    kind = "poisson"
    to = "cortex"
    rate_hz = 8000.0
    weight = 0.15
    """

    static func parse(_ text: String) throws -> NetworkDescription {
        try NetworkDescription.parse(Array(text.utf8), file: "report.toml")
    }

    @Test func populationNetworkReportsRangesQuantizationAndSynapses() throws {
        let network = try Self.parse(Self.text)
        let report = try NetworkReport(network)
        #expect(report.format == 2 && report.tickMicroseconds == 100)
        #expect(report.pools.count == 1)
        let pool = report.pools[0]
        #expect(pool.neurons == 100 && pool.excitatory == 80 && pool.inhibitory == 20)
        #expect(pool.recurrent == nil)

        // Neuron ranges and kinds per population, in file order.
        #expect(pool.populations.map(\.name) == ["E", "I"])
        #expect(pool.populations.map(\.neurons.range) == [0 ..< 80, 80 ..< 100])
        #expect(pool.populations.map(\.kind) == ["excitatory", "inhibitory"])
        #expect(pool.populations.map(\.synapse) == ["delta", "delta"])
        for p in pool.populations {
            #expect(p.parameters.map(\.name) == ["tau_m", "v_threshold", "v_reset", "t_ref", "i_e"])
            let tau = try #require(p.parameters.first { $0.name == "tau_m" })
            #expect(tau.requested == 20 && tau.relativeError < 0.01 && tau.relativeError > 0, "\(tau)")
            let tRef = try #require(p.parameters.first { $0.name == "t_ref" })
            #expect(tRef.actual == 2 && tRef.relativeError == 0)
        }
        let iE = try #require(pool.populations[1].parameters.first { $0.name == "i_e" })
        #expect(iE.requested == 100 && iE.relativeError < 0.01, "\(iE)")

        // fixed_indegree: exactly indegree × targets synapses, as promised.
        #expect(report.projections.count == 1)
        let projection = report.projections[0]
        #expect(projection.rule == "fixed_indegree" && projection.parameter == "indegree = 8")
        #expect(projection.from == "cortex.E" && projection.fromNeurons.range == 0 ..< 80)
        #expect(projection.to == "cortex" && projection.toNeurons.range == 0 ..< 100)
        #expect(projection.exact && projection.expectedSynapses == 800)
        #expect(projection.synapses == 800)
        #expect(pool.synapses == 800 && report.synapses == 800)

        // One constant excitatory weight: its stored PSP, within 1 %, is what every synapse got.
        #expect(projection.weights.count == 1)
        let weight = projection.weights[0]
        let scale = WeightScale(largest: 0.3)
        #expect(weight.sources == "excitatory" && weight.requested == "0.3" && weight.shift == scale.shift)
        #expect(weight.psp.requested == 0.3 && weight.psp.relativeError < 0.01, "\(weight.psp)")
        #expect(weight.psp.actual == scale.millivolts(scale.weight(0.3, inhibitory: false)))
        #expect(weight.psp.unit == "mV" && weight.millivoltsPerUnit == 1)
        #expect(weight.synapses == 800 && weight.builtMean == weight.psp.actual)
        #expect(projection.delay == "1.5 ms" && projection.delayTicks == [15, 15] && projection.lagTicks == 15)
        #expect(projection.physical && !projection.plastic)

        // Memory: the built pool's own byte counts.
        let built = try network.buildPool(0).pool
        let m = pool.memory
        #expect(m.bytesPerNeuron == 9 && m.neuronBytes == 900)
        #expect(m.synapseBytes == 0 && m.rowPointerBytes == 101 * 4)
        #expect(m.delaySlots == 16 && m.delayChannels == 1 && m.delayRingBytes == 16 * 100 * 4)
        #expect(m.afferentBytes == built.afferents.reduce(0) { $0 + $1.byteCount })
        #expect(m.afferentBytes == 800 * 8 + 101 * 4 + 100 * 5) // per source: its kind (1 B) and last spike (4 B)
        #expect(m.totalBytes == m.neuronBytes + m.synapseBytes + m.rowPointerBytes + m.delayRingBytes + m.afferentBytes)
        #expect(projection.bytes == m.afferentBytes && report.bytes == m.totalBytes)

        // The Poisson generator, once per population it covers: rate, mean per tick, weight within 1 %.
        #expect(report.generators.map(\.target) == ["cortex.E", "cortex.I"])
        #expect(report.generators.map(\.neurons.range) == [0 ..< 80, 80 ..< 100])
        for g in report.generators {
            #expect(g.kind == "poisson" && g.rateHz == 8000 && abs(g.eventsPerTick! - 0.8) < 1e-12)
            #expect(g.weight.unit == "mV" && abs(g.weight.requested - 0.15) < 1e-12 && g.weight.relativeError < 0.01, "\(g.weight)")
            #expect(g.startTick == 0 && g.stopTick == nil)
        }

        // Placement, as the check's first lines print it.
        #expect(pool.endpoint == "tcp://127.0.0.1:27410" && pool.lookaheadTicks == 15)
        #expect(report.controlEndpoint == "tcp://127.0.0.1:27400" && report.hash == hex(network.hash))
    }

    @Test func ruleCountsFollowTheRules() throws {
        func report(_ projection: String) throws -> NetworkReport.Projection {
            let text = Self.text.replacingOccurrences(of: """
            rule = "fixed_indegree"
            indegree = 8
            """, with: projection)
            return try NetworkReport(Self.parse(text)).projections[0]
        }
        let out = try report("rule = \"fixed_outdegree\"\noutdegree = 5")
        #expect(out.exact && out.expectedSynapses == 400 && out.synapses == 400)
        let total = try report("rule = \"fixed_total_number\"\nn = 123")
        #expect(total.exact && total.synapses == 123)
        // E (80 sources) onto all 100 targets, without autapses: 80 pairs excluded.
        let all = try report("rule = \"all_to_all\"\nallow_autapses = false")
        #expect(all.exact && all.expectedSynapses == 80 * 100 - 80 && all.synapses == 80 * 100 - 80)
        #expect(all.parameter == "no autapses")
        let bernoulli = try report("rule = \"pairwise_bernoulli\"\np = 0.25")
        #expect(!bernoulli.exact && bernoulli.expectedSynapses == 2000)
        #expect(abs(bernoulli.synapses - 2000) < 200, "\(bernoulli.synapses) synapses from 8000 pairs at p = 0.25")
    }

    @Test func distributedWeightsReportTheirMeanAndScale() throws {
        let text = Self.text.replacingOccurrences(of: "weight = 0.3\ndelay = 1.5", with: "weight = { normal = [0.5, 0.1] }\ndelay = { uniform = [1.0, 3.0] }")
        let projection = try NetworkReport(Self.parse(text)).projections[0]
        let w = projection.weights[0]
        #expect(w.requested == "normal(0.5, 0.1)" && w.psp.requested == 0.5)
        #expect(w.shift == WeightScale(for: .normal(mean: 0.5, sd: 0.1)).shift)
        #expect(w.psp.relativeError < 0.01)
        #expect(abs(w.builtMean! - 0.5) < 0.02, "mean of 800 draws of normal(0.5, 0.1)")
        #expect(projection.delay == "uniform(1.0, 3.0) ms")
        #expect(projection.delayTicks.count == 2 && projection.delayTicks[0] >= 10 && projection.delayTicks[1] <= 30)
        #expect(projection.lagTicks == 10)
    }

    /// Into exponential synapses weights are currents: the report compares pA with pA (the
    /// stored effect per tick over P21), lists tau_syn_ex / tau_syn_in and counts the synaptic
    /// states and the second ring channel; `PoolStats` gives the time constants back.
    @Test func exponentialSynapsesReportWeightsInPicoamperes() throws {
        let text = Self.text
            .replacingOccurrences(of: "  tau_m = 20.0\n  i_e = 100.0", with: "  tau_m = 20.0\n  i_e = 100.0\n  synapse = \"exp\"\n  tau_syn_ex = 2.0\n  tau_syn_in = 5.0")
            .replacingOccurrences(of: "to = \"cortex\"\nrule", with: "to = \"cortex.I\"\nrule")
            .replacingOccurrences(of: "weight = 0.3", with: "weight = 120.0")
            .replacingOccurrences(of: "to = \"cortex\"\nrate_hz", with: "to = \"cortex.I\"\nrate_hz")
            .replacingOccurrences(of: "weight = 0.15", with: "weight = 40.0")
        let network = try Self.parse(text)
        let report = try NetworkReport(network)
        let pool = report.pools[0]
        #expect(pool.populations.map(\.synapse) == ["delta", "exp"])
        let names = pool.populations[1].parameters.map(\.name)
        #expect(names == ["tau_m", "v_threshold", "v_reset", "t_ref", "tau_syn_ex", "tau_syn_in", "i_e"])
        for q in pool.populations[1].parameters { #expect(q.relativeError < 0.01, "\(q)") }
        #expect(pool.memory.bytesPerNeuron == 17 && pool.memory.neuronBytes == 100 * 17)
        #expect(pool.memory.delayChannels == 2 && pool.memory.delayRingBytes == 16 * 100 * 2 * 4)

        let projection = report.projections[0]
        #expect(projection.synapses == 8 * 20)
        let w = projection.weights[0]
        let p21 = network.pools[0].populations[1].parameters.weightFactor(inhibitory: false, tickMicroseconds: 100)
        #expect(w.psp.unit == "pA" && w.psp.requested == 120 && w.millivoltsPerUnit == p21)
        #expect(w.psp.relativeError < 0.01, "\(w.psp)")
        #expect(abs(w.builtMean! - w.psp.actual) < 1e-9)
        let g = try #require(report.generators.first)
        #expect(g.target == "cortex.I" && g.weight.unit == "pA" && abs(g.weight.requested - 40) < 1e-9 && g.weight.relativeError < 0.01, "\(g.weight)")

        let stats = try #require(network.buildPool(0).pool.stats(tickMicroseconds: 100).populations)
        #expect(stats.map(\.synapse) == ["delta", "exp"])
        #expect(stats[0].tauSynExMs == nil && abs(stats[1].tauSynExMs! - 2) < 0.02 && abs(stats[1].tauSynInMs! - 5) < 0.05)
    }

    /// A shorthand network reports as before (placement) and its synapses as built.
    @Test func shorthandNetworkReportsItsPoolsAsBuilt() throws {
        let network = try NetworkDescription.parse(Array(NetworkDescription.threePoolFileText.utf8), file: "<built-in>")
        let report = try NetworkReport(network)
        #expect(report.format == 1)
        #expect(report.pools.map(\.name) == network.pools.map(\.name))
        #expect(report.pools.map(\.endpoint) == network.pools.map(\.endpoint))
        #expect(report.pools.map(\.lookaheadTicks) == network.pools.map { network.outgoingLag(of: $0.index) })
        #expect(report.pools.first { $0.name == "motor" }?.lookaheadTicks == 3)
        for (spec, pool) in zip(network.pools, report.pools) {
            let built = try network.buildPool(spec.index).pool
            #expect(pool.populations.isEmpty)
            #expect(pool.excitatory + pool.inhibitory == spec.neurons)
            #expect(pool.inhibitory == network.inhibitoryNeurons(ofPool: spec.index).filter { $0 }.count)
            #expect(pool.synapses == built.synapseCount + built.afferentSynapseCount)
            let own = try #require(pool.recurrent)
            #expect(own.synapses == built.synapseCount && !own.physical)
            #expect(pool.memory.bytesPerNeuron == 8 && pool.memory.neuronBytes == spec.neurons * 8)
            #expect(pool.memory.totalBytes == built.stats().totalBytes)
        }
        for (spec, p) in zip(network.projections, report.projections) {
            #expect(p.index == spec.index && !p.physical)
            if case .outDegree(let k) = spec.connectivity {
                #expect(p.rule == "out_degree" && p.exact && p.synapses == k * spec.fromNeurons.count)
            }
            #expect(p.weights.allSatisfy { $0.psp.relativeError == 0 && $0.rangeMillivolts != nil })
            #expect(p.delayTicks.count == 2 && spec.delay.contains(p.delayTicks[0]) && spec.delay.contains(p.delayTicks[1]))
        }
        #expect(report.generators.allSatisfy { $0.kind.hasPrefix("stimulus_") })
        #expect(report.generators.count == network.pools.reduce(0) { $0 + $1.stimuli.count })
    }

    /// `pool inspect` of a version-4 pool: its populations, with ranges, kinds and constants
    /// back in physical units at the tick given, survive the file.
    @Test func poolStatsOfAPopulationPoolConvertItsConstantsBack() throws {
        let network = try Self.parse(Self.text)
        let pool = try NeuronPool.decode(network.buildPool(0).pool.encoded())
        let stats = pool.stats(tickMicroseconds: 100)
        #expect(stats.tickMicroseconds == 100)
        #expect(stats.neuronBytes == 100 * NeuronArrays.bytesPerPopulationNeuron)
        #expect(stats.afferentSynapses == 800 && stats.afferentBytes == pool.afferents.reduce(0) { $0 + $1.byteCount })
        #expect(abs(stats.meanThresholdMV - 20) < 1e-9)
        let populations = try #require(stats.populations)
        #expect(populations.map(\.name) == ["E", "I"])
        #expect(populations.map { $0.start ..< $0.end } == [0 ..< 80, 80 ..< 100])
        #expect(populations.map(\.kind) == ["excitatory", "inhibitory"])
        for p in populations {
            #expect(abs(p.tauMMs! - 20) / 20 < 0.01 && abs(p.tauMTicks! - 200) / 200 < 0.01)
            #expect(p.refractoryTicks == 20 && p.tRefMs == 2)
            #expect(p.vRestMV == 0 && p.vThresholdMV == 20 && p.vResetMV == 10 && p.vMinMV == -128)
            #expect(p.homeostasisTargetHz == nil)
        }
        // i_e = 100 pA into c_m = 250 pF: i_e / c_m = 0.4 pA/pF.
        #expect(populations[0].driveMVPerTick == 0 && populations[0].currentPerCapacitance == 0)
        #expect(abs(populations[1].currentPerCapacitance! - 0.4) / 0.4 < 0.01, "\(populations[1])")
        // At another tick length only the ms values change.
        let slow = try #require(pool.stats(tickMicroseconds: 1000).populations)
        #expect(slow[0].tauMTicks == populations[0].tauMTicks && abs(slow[0].tauMMs! - 200) / 200 < 0.01)
        let text = stats.description
        #expect(text.contains("mean rate 0.0 Hz (0.1 ms ticks)"), "\(text)")
        #expect(text.contains("    E [0, 80): 80 excitatory") && text.contains("    I [80, 100): 20 inhibitory"), "\(text)")
        #expect(text.contains("t_ref 20 ticks = 2.0 ms"), "\(text)")
        // A shorthand pool has none, and its description is as before.
        let shorthand = try NeuronPool.withFixedOutDegree(name: "plain", neurons: 40, outDegree: 3).stats()
        #expect(shorthand.populations == nil && shorthand.neuronBytes == 40 * 8 && shorthand.afferentBytes == 0)
        #expect(shorthand.description.contains("mean rate 0.0 Hz (1 ms ticks)") && !shorthand.description.contains("populations"))
    }

    /// `neurobus network check`: the placement lines as before, the report after them (no line
    /// a placement script would take for a pool), and `--json` decodes to the same report.
    @Test func checkCommandPrintsTheReportAndItsJSON() throws {
        typealias L = LockstepIntegrationTests
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/report.toml"
        try Self.text.write(toFile: file, atomically: true, encoding: .utf8)
        var r = try L.neurobus(["network", "check", file], log: "\(dir)/text.log")
        #expect(r.status == .exited(0), "\(r.output)")
        let lines = r.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.contains("pool cortex       tcp://127.0.0.1:27410  (100 neurons, lookahead 15)"), "\(r.output)")
        #expect(lines.filter { $0.split(separator: " ").first == "pool" }.count == 1, "\(r.output)")
        #expect(lines.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty }, "no blank lines")
        for expected in [
            "built every pool with buildPool (format 2, tick 100 us): 800 synapses",
            "  population E neurons [0, 80): 80 excitatory",
            "  population I neurons [80, 100): 20 inhibitory",
            "    tau_m       20 ms -> 19.99993 ms (error 0.00034 %)",
            "projection 0 cortex.E [0, 80) -> cortex [0, 100) fixed_indegree (indegree = 8): builds 800 synapses (the rule promises 800)",
            "  delay 1.5 ms -> 15 ticks (lag 15), static",
            "generator 0 poisson -> cortex.E [0, 80): 8000 Hz (0.8 events per tick), weight 0.15 mV",
            "generator 1 poisson -> cortex.I [80, 100): 8000 Hz (0.8 events per tick), weight 0.15 mV",
        ] {
            #expect(r.output.contains(expected), "missing \(expected) in \(r.output)")
        }
        r = try L.neurobus(["network", "check", file, "--json"], log: "\(dir)/json.log")
        #expect(r.status == .exited(0), "\(r.output)")
        let decoded = try JSONDecoder().decode(NetworkReport.self, from: Data(r.output.utf8))
        #expect(decoded == (try NetworkReport(NetworkDescription.load(path: file))))
    }
}
