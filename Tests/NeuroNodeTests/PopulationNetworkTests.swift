import Foundation
import NeuroModel
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Network files in format 2: populations, connection rules and generators in physical units.
@Suite("Networks of populations", .serialized)
struct PopulationNetworkTests {
    /// Two pools of populations on two processes: a small Brunel-like pool (E and I, fixed
    /// in-degree, 1.5 ms delays at 0.1 ms ticks, Poisson drive) projecting into a readout pool
    /// with exponential synapses over pairwise_bernoulli with normal weights (pA), a DC-driven
    /// inhibitory population there, and snapshots in between.
    static let text = """
    [network]
    name = "populations"
    format = 2
    seed = 7
    tick_us = 100

    [controller]
    control = "tcp://127.0.0.1:27300"
    publish = "tcp://127.0.0.1:27301"

    [[pool]]
    name = "cortex"
    endpoint = "tcp://127.0.0.1:27310"

      [[pool.population]]
      name = "E"
      size = 400
      kind = "excitatory"
      v_init = { uniform = [0.0, 20.0] }

      [[pool.population]]
      name = "I"
      size = 100
      kind = "inhibitory"
      tau_m = 10.0

    [[pool]]
    name = "readout"
    endpoint = "tcp://127.0.0.1:27311"

      [[pool.population]]
      name = "out"
      size = 50
      kind = "excitatory"
      v_rest = -70.0
      v_threshold = -55.0
      v_reset = -70.0
      v_init = -70.0
      synapse = "exp"
      tau_syn_ex = 2.0
      tau_syn_in = 5.0

      [[pool.population]]
      name = "inh"
      size = 20
      kind = "inhibitory"

    [[projection]]
    from = "cortex.E"
    to = "cortex"
    rule = "fixed_indegree"
    indegree = 40
    weight = 0.2
    delay = 1.5

    [[projection]]
    from = "cortex.I"
    to = "cortex"
    rule = "fixed_indegree"
    indegree = 10
    weight = -1.0
    delay = 1.5

    [[projection]]
    from = "cortex.E"
    to = "readout.out"
    rule = "pairwise_bernoulli"
    p = 0.1
    weight = { normal = [150.0, 30.0] }
    delay = { uniform = [1.0, 3.0] }

    [[projection]]
    from = "readout.inh"
    to = "readout.out"
    rule = "all_to_all"
    weight = -40.0
    delay = 0.8

    [[generator]]
    kind = "poisson"
    to = "cortex"
    rate_hz = 2500.0
    weight = 0.2

    [[generator]]
    kind = "dc"
    to = "readout.inh"
    amplitude = 600.0
    start = 100.0

    [[multimeter]]
    to = "readout.out"
    neurons = [0, 5]
    interval = 0.5
    record = ["V_m", "I_syn_ex", "I_syn_in"]

    [[weight_recorder]]
    projection = 2
    interval = 50.0

    [snapshots]
    every = 1500
    """

    @Test func populationNetworkIsIdenticalAcrossProcesses() throws {
        let network = try NetworkDescription.parse(Array(Self.text.utf8), file: "<populations>")
        #expect(network.format == 2)
        #expect(network.pools.map(\.neurons) == [500, 70])
        #expect(network.projections.map(\.delay) == [15 ... 15, 15 ... 15, 10 ... 30, 8 ... 8])
        let summaries = try LockstepIntegrationTests.expectIdenticalRuns(networkText: Self.text, ticks: 3000)
        #expect(summaries.allSatisfy { $0.spikes > 0 })
    }

    /// A snapshot of pools of populations (32-bit membranes, a 16-slot ring with spikes in
    /// flight on 1.5 ms delays, the Poisson generators' state) restores in either placement and
    /// continues exactly as the uninterrupted run.
    @Test func populationNetworkRestoresExactlyInBothPlacements() throws {
        try SnapshotIntegrationTests.expectRestoresMatch(networkText: Self.text, cut: 1733, ticks: 3500)
    }

    /// Multimeter and weight-recorder files: the same bytes from `run` and `up`, one row per
    /// interval, potentials in mV around the population's rest, weights as drawn.
    @Test func monitorsAreIdenticalAcrossProcessesAndInPhysicalUnits() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(Self.text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        for mode in ["run", "up"] {
            let r = try LockstepIntegrationTests.neurobus([mode, file, "--ticks", "2000", "--out", "\(dir)/\(mode)", "--quiet"], log: "\(dir)/\(mode).log")
            #expect(r.status == .exited(0), "\(r.output)")
        }
        for name in ["readout.multimeter-0.npy", "readout.weights-0.npy", "readout.weights-0.synapses.npy"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/\(name)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/up/\(name)"))
            #expect(a == b, "\(name) differs between run and up")
        }
        // 2000 ticks of 0.1 ms sampled every 5 ticks: 400 rows of time, then 5 potentials,
        // 5 excitatory and 5 inhibitory currents.
        let meter = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/readout.multimeter-0.npy"))
        #expect(meter.count == 128 + 400 * 16 * 8)
        #expect(String(decoding: meter[10 ..< 128], as: UTF8.self).contains("'shape': (400, 16)"))
        let values = meter[128...].withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        #expect(values[0] == 0.5 && values[16] == 1.0 && values[16 * 399] == 200.0)
        #expect(values[1] == -70)  // v_init, before any input
        let potentials = (0 ..< 400).flatMap { r in (1 ... 5).map { values[r * 16 + $0] } }
        #expect(potentials.allSatisfy { $0 >= -198 && $0 < -55 })
        #expect(potentials.contains { $0 != -70 }, "the readout must receive input")
        let excitatory = (0 ..< 400).flatMap { r in (6 ... 10).map { values[r * 16 + $0] } }
        let inhibitory = (0 ..< 400).flatMap { r in (11 ... 15).map { values[r * 16 + $0] } }
        #expect(excitatory.allSatisfy { $0 >= 0 } && excitatory.contains { $0 > 100 }, "excitatory currents, pA, up to \(excitatory.max()!)")
        #expect(inhibitory.allSatisfy { $0 <= 0 } && inhibitory.contains { $0 < -30 }, "inhibitory currents, pA, down to \(inhibitory.min()!)")
        let weights = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/readout.weights-0.npy"))
        let w = weights[128...].withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        let network = try NetworkDescription.parse(Array(Self.text.utf8), file: "<populations>")
        let synapses = try network.buildPool(1).pool.afferents[0].count
        let table = try String(contentsOfFile: "\(dir)/up/populations.csv", encoding: .utf8)
        #expect(table == "pool,population,kind,start,end\ncortex,E,excitatory,0,400\ncortex,I,inhibitory,400,500\nreadout,out,excitatory,0,50\nreadout,inh,inhibitory,50,70\n")
        #expect(w.count == 4 * (1 + synapses))  // every 50 ms of 200
        let first = w[1 ... synapses]
        let mean = first.reduce(0, +) / Double(synapses)
        #expect(abs(mean - 150) < 6, "mean weight \(mean) pA, drawn from normal(150, 30)")
        #expect(first.allSatisfy { $0 >= 0 })
    }

    /// A connection list (CSV with weights and delays, and `.npy` without) and a spike train
    /// from a file: exactly the listed synapses, events at the listed ticks, and `up` equals
    /// `run` reading the copies beside OUT/network.toml.
    @Test func connectionListsAndSpikeTrainsFromFiles() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/data", withIntermediateDirectories: true)
        try "source,target,weight,delay\n0,1,0.5,1.0\n0,2,0.25,2.5\n3,1,1.5,1.0 # strong\n".write(toFile: "\(dir)/data/list.csv", atomically: true, encoding: .utf8)
        // .npy (3, 2) int64: inhibitory sources 0, 1, 1 onto targets 4, 4, 0.
        var npy: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        var dict = Array("{'descr': '<i8', 'fortran_order': False, 'shape': (3, 2), }".utf8)
        dict += [UInt8](repeating: 0x20, count: 128 - 10 - dict.count - 1) + [0x0A]
        npy += [UInt8(dict.count), 0] + dict
        for v: Int64 in [0, 4, 1, 4, 1, 0] { withUnsafeBytes(of: v.littleEndian) { npy += $0 } }
        try Data(npy).write(to: URL(fileURLWithPath: "\(dir)/data/inh.npy"))
        try "0.0,0\n0.05,1\n0.05,2\n10.0,0\n".write(toFile: "\(dir)/data/train.csv", atomically: true, encoding: .utf8)
        let text = """
        [network]
        name = "lists"
        format = 2
        seed = 1
        tick_us = 100

        [controller]
        control = "tcp://127.0.0.1:27400"
        publish = "tcp://127.0.0.1:27401"

        [[pool]]
        name = "a"
        endpoint = "tcp://127.0.0.1:27410"
          [[pool.population]]
          name = "E"
          size = 4
          kind = "excitatory"
          i_e = 520.0
          [[pool.population]]
          name = "I"
          size = 2
          kind = "inhibitory"
          i_e = 520.0

        [[pool]]
        name = "b"
        endpoint = "tcp://127.0.0.1:27411"
          [[pool.population]]
          name = "x"
          size = 5
          kind = "excitatory"

        [[projection]]
        from = "a.E"
        to = "b"
        rule = "list"
        file = "data/list.csv"

        [[projection]]
        from = "a.I"
        to = "b"
        rule = "list"
        file = "data/inh.npy"
        weight = -2.0
        delay = 0.3

        [[generator]]
        kind = "spike_train"
        to = "b.x"
        file = "data/train.csv"
        weight = 25.0
        """
        let file = "\(dir)/network.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        #expect(network.dataFiles.sorted() == ["data/inh.npy", "data/list.csv", "data/train.csv"])
        let b = try network.buildPool(1).pool
        let list = b.afferents[0]
        let synapses = (0 ..< 4).flatMap { j in list.row(j).map { (j, Int(list.synapses[$0].target), list.synapses[$0].delay) } }
        #expect(synapses.map(\.0) == [0, 0, 3] && Set(synapses.map { "\($0.0)>\($0.1)@\($0.2)" }) == ["0>1@10", "0>2@25", "3>1@10"])
        let scale = WeightScale(largest: 1.5)
        #expect(list.synapses.map { scale.millivolts($0.weight) }.sorted() == [0.25, 0.5, 1.5])
        #expect(b.afferents[1].count == 3 && b.afferents[1].synapses.allSatisfy { $0.weight < 0 && $0.delay == 3 })

        // A spike train of 25 mV events at 0.0 ms (neuron 0), 0.05 ms → tick 1 (neurons 1, 2), 10 ms (0): each fires its neuron at once.
        var driver = try network.buildPool(1)
        var history = RecentSpikes(pools: 2, maxLag: network.maxLag)
        var fired: [UInt64: [UInt16]] = [:]
        for t in UInt64(0) ..< 120 {
            history.record(pool: 0, tick: t, spikes: [])
            let spikes = try driver.advance(history: history)
            if !spikes.isEmpty { fired[t] = Array(spikes) }
        }
        #expect(fired == [0: [0], 1: [1, 2], 100: [0]])

        for mode in ["run", "up"] {
            let r = try LockstepIntegrationTests.neurobus([mode, file, "--ticks", "3000", "--out", "\(dir)/\(mode)", "--quiet"], log: "\(dir)/\(mode).log")
            #expect(r.status == .exited(0), "\(r.output)")
        }
        #expect(FileManager.default.fileExists(atPath: "\(dir)/up/data/train.csv"))
        for name in ["a.raster", "b.raster", "b.pool"] {
            let x = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/\(name)"))
            let y = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/up/\(name)"))
            #expect(x == y, "\(name) differs between run and up")
        }
        // Another list file under the same network text is another network.
        try "source,target,weight,delay\n0,1,0.5,1.0\n".write(toFile: "\(dir)/data/list.csv", atomically: true, encoding: .utf8)
        #expect(try NetworkDescription.load(path: file).hash != network.hash)
    }

    /// Every synapse of a rule projection keeps the sign of its source population, the
    /// in-degree the rule promises and the quantized delay; static synapses are frozen.
    @Test func ruleProjectionsAreBuiltAsDescribed() throws {
        let network = try NetworkDescription.parse(Array(Self.text.utf8), file: "<populations>")
        let cortex = try network.buildPool(0).pool
        #expect(cortex.afferents.count == 2)
        for (p, projection) in cortex.afferents.enumerated() {
            var indegree = [Int](repeating: 0, count: 500)
            for s in projection.synapses {
                indegree[Int(s.target)] += 1
                #expect(s.delay == 15)
                #expect(s.thermalState == .cold)
                #expect(p == 0 ? s.weight > 0 : s.weight < 0)
            }
            #expect(indegree.allSatisfy { $0 == (p == 0 ? 40 : 10) })
        }
        let readout = try network.buildPool(1).pool
        #expect(readout.populations?.populations.map(\.name) == ["out", "inh"])
        #expect(readout.afferents[0].synapses.allSatisfy { $0.target < 50 && (10 ... 30).contains(Int($0.delay)) })
        #expect(readout.afferents[1].count == 20 * 50)
    }

    /// Format-2 keys in a format-1 file, shorthand keys in a pool of populations, Dale's law
    /// and unknown populations are refused with the key named.
    @Test func mistakesAreNamed() throws {
        func error(_ text: String) -> String {
            do {
                _ = try NetworkDescription.parse(Array(text.utf8), file: "t.toml")
                return "parsed"
            } catch { return error.description }
        }
        #expect(error(Self.text.replacingOccurrences(of: "format = 2\n", with: "")).contains("pool[0].population: [[pool.population]] needs the physical-unit format"))
        #expect(error(Self.text.replacingOccurrences(of: "weight = -1.0", with: "weight = 1.0")).contains("projection[1].weight: weight of inhibitory sources must be negative"))
        #expect(error(Self.text.replacingOccurrences(of: "to = \"readout.out\"\nrule = \"pairwise", with: "to = \"readout.outt\"\nrule = \"pairwise"))
            .contains("pool readout has no population \"outt\"; its populations: out, inh"))
        #expect(error(Self.text.replacingOccurrences(of: "name = \"cortex\"\n", with: "name = \"cortex\"\nneurons = 5\n")).contains("pool[0].neurons: neurons is a key of shorthand pools"))
        #expect(error(Self.text.replacingOccurrences(of: "tau_m = 10.0", with: "tau_m = 0.01")).contains("pool[0].population[1].tau_m"))
        #expect(error(Self.text.replacingOccurrences(of: "indegree = 40", with: "indegree = 40\np = 0.5")).contains("p belongs to rule pairwise_bernoulli"))
        #expect(error(Self.text.replacingOccurrences(of: "indegree = 40", with: "indegree = 600000")).contains("projection[0].indegree: indegree = 600000 is out of range"))
        #expect(error(Self.text.replacingOccurrences(of: "size = 400", with: "size = 60000").replacingOccurrences(of: "indegree = 40", with: "indegree = 5000"))
            .contains("fixed_indegree would make about 300500000 synapses, more than the 268435456 (2^28) one projection may have"))
        #expect(error(Self.text.replacingOccurrences(of: "synapse = \"exp\"\n", with: "")).contains("tau_syn_ex needs synapse = \"exp\""))
        #expect(error(Self.text.replacingOccurrences(of: "to = \"readout.out\"\nneurons = [0, 5]", with: "to = \"cortex.E\"\nneurons = [0, 5]"))
            .contains("multimeter[0].record: I_syn_ex and I_syn_in are the currents of exponential synapses; population E has delta synapses"))
        #expect(error(Self.text.replacingOccurrences(of: "rate_hz = 2500.0", with: "rate_hz = 2e9")).contains("generator[0].rate_hz"))
    }
}
