import NeuroModel
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Learning rules per projection in network files (format 2): parsed, quantized once per
/// source kind, installed in the target pool, named by each synapse.
@Suite("Learning rules per projection")
struct ProjectionLearningRuleTests {
    static func network(_ projections: String, tickMicroseconds: Int = 1000) -> String {
        """
        [network]
        name = "rules"
        format = 2
        seed = 3
        tick_us = \(tickMicroseconds)
        [controller]
        control = "tcp://127.0.0.1:27500"
        publish = "tcp://127.0.0.1:27501"
        [[pool]]
        name = "p"
        endpoint = "tcp://127.0.0.1:27502"
        stdp = true
        tau_dopamine = 50.0
          [[pool.population]]
          name = "E"
          size = 40
          kind = "excitatory"
          [[pool.population]]
          name = "I"
          size = 10
          kind = "inhibitory"
        \(projections)
        """
    }

    static let two = """
        [[projection]]
        from = "p.E"
        to = "p"
        rule = "fixed_outdegree"
        outdegree = 5
        weight = 1.0
        delay = 1.0
        synapse = "stdp"
        a_plus = 0.5
        a_minus = 1.0
        tau_plus = 10.0
        tau_minus = 30.0
        tau_elig = 500.0
        learning_rate = 2.0
        w_max = 3.0
        [[projection]]
        from = "p.I"
        to = "p.E"
        rule = "fixed_outdegree"
        outdegree = 5
        weight = -2.0
        delay = 1.0
        synapse = "stdp"
        [[projection]]
        from = "p.E"
        to = "p.I"
        rule = "fixed_outdegree"
        outdegree = 2
        weight = 0.5
        delay = 1.0
        """

    @Test func eachPlasticProjectionGetsItsQuantizedRule() throws {
        let network = try NetworkDescription.parse(Array(Self.network(Self.two).utf8), file: "<rules>")
        let pool = try network.buildPool(0).pool
        #expect(pool.config.dopamineTau == 50)
        let rules = pool.plasticityRules
        #expect(rules.count == 2)
        // Projection 0: the larger amplitude (a_minus = 1) is 48 units, a_plus half of it.
        #expect(rules[0].potentiation == 24 && rules[0].depression == 48)
        #expect(rules[0].tauPlus == 10 && rules[0].tauMinus == 30 && rules[0].eligibilityTau == 500)
        // Its scale holds w_max = 3 mV: 3 mV = 196608 units of 2^-16 mV, shift 11 (96 units).
        let first = pool.afferents[0].synapses
        #expect(first.allSatisfy { $0.shift == 11 && $0.rule == 0 && $0.thermalState == .hot })
        #expect(rules[0].bounds == 0 ... 96 * 256)
        // gain = η dt / (48 / amplitude) / 2^15 · 256 / unit mV · 2^32, with unit = 2^11 / 65536 mV.
        let unit = 2048.0 / 65536
        let gain = 2.0 * 0.001 / 48 / 32768 * 256 / unit * 4_294_967_296
        #expect(abs(Double(rules[0].gain) - gain) <= 1)
        // Projection 1 (inhibitory sources, defaults): a_plus 1, a_minus 1.1 → 44 / 48 units.
        #expect(rules[1].potentiation == 44 && rules[1].depression == 48 && rules[1].eligibilityTau == 1000)
        #expect(pool.afferents[1].synapses.allSatisfy { $0.rule == 1 && $0.weight < 0 })
        // Projection 2 is static: COLD, frozen.
        #expect(pool.afferents[2].synapses.allSatisfy { $0.thermalState == .cold })
    }

    @Test func timeConstantsAreTicksAtAnyResolution() throws {
        let network = try NetworkDescription.parse(Array(Self.network(Self.two, tickMicroseconds: 100).utf8), file: "<rules>")
        let pool = try network.buildPool(0).pool
        let rules = pool.plasticityRules
        #expect(rules[0].tauPlus == 100 && rules[0].tauMinus == 300 && rules[0].eligibilityTau == 5000, "0.1 ms ticks")
        #expect(pool.config.dopamineTau == 500)
    }

    @Test func equalRulesShareOneEntry() throws {
        // Two plastic projections with the same constants and scale use one rule.
        let twice = "[[projection]]\nfrom = \"p.E\"\nto = \"p.E\"\nrule = \"one_to_one\"\nweight = 1.0\ndelay = 1.0\nsynapse = \"stdp\"\n"
        let network = try NetworkDescription.parse(Array(Self.network(twice + twice).utf8), file: "<rules>")
        let pool = try network.buildPool(0).pool
        #expect(pool.plasticityRules.count == 1)
        #expect(pool.afferents.allSatisfy { $0.synapses.allSatisfy { $0.rule == 0 } })
    }

    @Test func badLearningRuleKeysAreRefusedByName() {
        func error(_ projections: String) -> String {
            do { _ = try NetworkDescription.parse(Array(Self.network(projections).utf8), file: "r.toml"); return "parsed" } catch { return error.description }
        }
        let base = "[[projection]]\nfrom = \"p.E\"\nto = \"p.E\"\nrule = \"one_to_one\"\nweight = 1.0\ndelay = 1.0\n"
        #expect(error(base + "tau_elig = 100.0\n").contains("projection[0].tau_elig: tau_elig is a learning-rule key: it needs synapse = \"stdp\""))
        #expect(error(base + "synapse = \"stdp\"\ntau_plus = -1.0\n").contains("projection[0].tau_plus: tau_plus = -1.0 is out of range"))
        #expect(error(base + "synapse = \"stdp\"\nw_min = 2.0\nw_max = 1.0\n").contains("projection[0].w_max: w_max = 1.0 is out of range"))
        #expect(error(base + "synapse = \"stdp\"\nlearning_rate = -3.0\n").contains("learning_rate"))
        #expect(error(base + "synapse = \"stdp\"\na_plus = 0.0\na_minus = 0.0\n").contains("a_plus"))
    }

    @Test func moreThanEightRulesInOnePoolIsAnError() throws {
        var projections = ""
        for k in 0 ..< 9 {
            projections += "[[projection]]\nfrom = \"p.E\"\nto = \"p.E\"\nrule = \"one_to_one\"\nweight = 1.0\ndelay = 1.0\nsynapse = \"stdp\"\ntau_elig = \(100 + k).0\n"
        }
        let network = try NetworkDescription.parse(Array(Self.network(projections).utf8), file: "<rules>")
        #expect(throws: NodeError.self) { _ = try network.buildPool(0) }
    }
}
