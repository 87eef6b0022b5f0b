import Foundation
import NeuroModel
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Format-2 inputs at the edges: refused by name, never a trap; and the behaviours that must
/// hold when plasticity changes a recorded projection or a shorthand pool takes input from a
/// pool of populations.
@Suite struct PopulationEdgeCaseTests {
    static let base = """
    [network]
    name = "edges"
    format = 2
    seed = 3
    tick_us = 1000

    [controller]
    control = "tcp://127.0.0.1:27500"
    publish = "tcp://127.0.0.1:27501"

    [[pool]]
    name = "a"
    endpoint = "tcp://127.0.0.1:27510"
      [[pool.population]]
      name = "E"
      size = 20
      kind = "excitatory"
      i_e = 450.0
      v_init = { uniform = [0.0, 19.0] }

    [[pool]]
    name = "b"
    endpoint = "tcp://127.0.0.1:27511"
    stdp = true
      [[pool.population]]
      name = "x"
      size = 50
      kind = "excitatory"
      synapse = "exp"
      i_e = 300.0

    [[projection]]
    from = "a.E"
    to = "b"
    rule = "all_to_all"
    weight = 150.0
    delay = 2.0
    synapse = "stdp"
    """

    static func error(_ text: String) -> String {
        do {
            _ = try NetworkDescription.parse(Array(text.utf8), file: "edges.toml")
            return "parsed"
        } catch { return error.description }
    }

    @Test func extremeValuesAreRefusedByName() {
        #expect(Self.error(Self.base.replacingOccurrences(of: "delay = 2.0", with: "delay = -1e30")).contains("projection[0].delay: delay must be positive"))
        #expect(Self.error(Self.base.replacingOccurrences(of: "delay = 2.0", with: "delay = { normal = [1.5, 1e19] }")).contains("projection[0].delay"))
        #expect(Self.error(Self.base + "\n[[generator]]\nkind = \"dc\"\nto = \"a.E\"\namplitude = 10.0\nstart = 1e300\n").contains("generator[0].start: start = 1e+300 ms is out of range"))
        #expect(Self.error(Self.base.replacingOccurrences(of: "i_e = 450.0", with: "i_e = 450.0\nhomeostasis_hz = 1e-7")).contains("pool[0].population[0].homeostasis_hz"))
        #expect(Self.error(Self.base.replacingOccurrences(of: "i_e = 450.0", with: "i_e = 450.0\nhomeostasis_hz = 2.0\nhomeostasis_step = 0.5")).contains("raise the target or lower the step"))
    }

    /// A list's weights into exponential synapses are currents (pA), bounded as such.
    @Test func listWeightsIntoExponentialSynapsesArePicoamperes() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "0,0,439.0\n1,2,120.5\n".write(toFile: "\(dir)/list.csv", atomically: true, encoding: .utf8)
        let text = Self.base.replacingOccurrences(of: "rule = \"all_to_all\"\nweight = 150.0", with: "rule = \"list\"\nfile = \"list.csv\"")
        try text.write(toFile: "\(dir)/n.toml", atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: "\(dir)/n.toml")
        let pool = try network.buildPool(1).pool
        #expect(pool.afferents[0].count == 2)
    }

    /// A shorthand projection out of a pool of populations signs its weights by the
    /// populations' kinds (here all excitatory), not by a seeded 80/20 draw.
    @Test func shorthandProjectionFromPopulationsFollowsTheirKinds() throws {
        let text = Self.base + """

        [[pool]]
        name = "c"
        neurons = 30
        out_degree = 3
        endpoint = "tcp://127.0.0.1:27512"

        [[projection]]
        from = "a"
        to = "c"
        out_degree = 4
        weight = [10, 20]
        delay = [1, 2]
        """
        let network = try NetworkDescription.parse(Array(text.utf8), file: "edges.toml")
        let c = try network.buildPool(2).pool
        #expect(c.afferents[0].count == 20 * 4)
        #expect(c.afferents[0].synapses.allSatisfy { $0.weight > 0 })
    }

    /// Plasticity prunes synapses of a recorded projection: the recorder goes on, a pruned
    /// synapse reads NaN, and `run` still equals `up`.
    @Test func weightRecorderFollowsAPrunedProjection() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A learning rate (pA/s per unit eligibility and cortisol) that drives eligible weights to zero within a pulse.
        var text = Self.base.replacingOccurrences(of: "synapse = \"stdp\"", with: "synapse = \"stdp\"\nlearning_rate = 200000.0")
            + "\n[[weight_recorder]]\nprojection = 0\ninterval = 100.0\n"
        for t in stride(from: 300, through: 1900, by: 100) { text += "\n[[modulation]]\nat = \(t)\ncortisol = 255\n" }
        let file = "\(dir)/n.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        for mode in ["run", "up"] {
            let r = try LockstepIntegrationTests.neurobus([mode, file, "--ticks", "2000", "--out", "\(dir)/\(mode)", "--quiet"], log: "\(dir)/\(mode).log")
            #expect(r.status == .exited(0), "\(r.output)")
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/b.weights-0.npy"))
        #expect(a == (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/up/b.weights-0.npy"))))
        let w = a[128...].withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        #expect(w.count == 20 * (1 + 1000))
        let last = w[(19 * 1001 + 1)...]
        #expect(last.contains { $0.isNaN }, "cortisol must have pruned some synapses")
        #expect(w[1 ... 1000].allSatisfy { abs($0 - 150) < 1.5 })
    }

    /// A real-time takeover resumes monitor files with every row they hold.
    @Test func monitorsResumeAfterATakeoverWithoutTrapping() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = Self.base + "\n[[multimeter]]\nto = \"b\"\ninterval = 1.0\n"
        let network = try NetworkDescription.parse(Array(text.utf8), file: "edges.toml")
        let driver = try network.buildPool(1)
        let monitors = try PoolMonitors(network: network, pool: 1, driver: driver, directory: dir, resumingAt: .max)
        try monitors.sample(tick: 0, pool: driver.pool)
        try monitors.finish()
        #expect(FileManager.default.fileExists(atPath: "\(dir)/b.multimeter-0.npy"))
    }
}
