import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// The built-in default network, run whole (90,000 ticks, 300 trials) once in-process and
/// shared by the tests below: it learns its task, at physiological rates and weights, and its
/// spikes are pinned.
@Suite("The built-in default network")
struct DefaultNetworkTests {
    struct Outcome: Sendable {
        var rasterHashes: [String: UInt64]
        var trialsHash: UInt64
        var trials: [TrialResult]
        var populations: [PopulationSummary]
        /// Spikes per population in each 10-second window, `POOL.POPULATION` → 9 counts.
        var windows: [String: [Int]]
        var pools: [String: PoolStats]
    }

    /// One run of the whole task, shared (a global is initialized once, even by parallel tests).
    static let outcome = run(NetworkDescription.defaultFileText, name: "rewarded")

    /// The control: the same network with reward at random (probability 0.9, about as many
    /// rewards as the rewarded network earns).
    static let control = run(NetworkDescription.defaultFileText.replacingOccurrences(
        of: "\nreward = \"contingent\"", with: "\nreward = \"random\"\nrandom_reward_probability = 0.9 #"), name: "control")

    static func run(_ text: String, name: String) -> Result<Outcome, NodeError> {
        do throws(NodeError) {
            let network: NetworkDescription
            do { network = try NetworkDescription.parse(Array(text.utf8), file: "<\(name)>") } catch { return .failure(.failed("\(error)")) }
            let dir = NSTemporaryDirectory() + "neurobus-default-\(name)-\(getpid())"
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let out = try OutputDirectory(dir)
            var trials: [TrialResult] = []
            let ticks = network.task?.ticks ?? 0
            let rows = try LocalRun.run(network: network, ticks: ticks, out: out, onTrials: { trials += $0 })
            func bytes(_ path: String) -> [UInt8] { Array((try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()) }
            var hashes: [String: UInt64] = [:]
            var pools: [String: PoolStats] = [:]
            var windows: [String: [Int]] = [:]
            for pool in network.pools {
                hashes[pool.name] = NetworkDescription.fnv1a64(bytes(out.rasterPath(pool.name)))
                let lines = String(decoding: bytes(out.rasterPath(pool.name)), as: UTF8.self).split(separator: "\n").filter { !$0.hasPrefix("#") }
                for (range, population) in pool.populationRanges {
                    var counts = [Int](repeating: 0, count: Int(ticks / 10_000))
                    for line in lines {
                        let fields = line.split(separator: " ").compactMap { Int($0) }
                        guard let tick = fields.first, tick / 10_000 < counts.count else { continue }
                        counts[tick / 10_000] += fields.dropFirst().filter { range.contains($0) }.count
                    }
                    windows["\(pool.name).\(population.name)"] = counts
                }
                let file = bytes(out.poolPath(pool.name))
                if let decoded = try? NeuronPool.decode(file) { pools[pool.name] = decoded.stats(tickMicroseconds: network.tickMicroseconds) }
            }
            return .success(Outcome(rasterHashes: hashes, trialsHash: NetworkDescription.fnv1a64(bytes("\(dir)/trials.csv")), trials: trials,
                                    populations: PopulationSummary.read(directory: out, network: network, ticks: rows.map(\.ticks).min() ?? 0),
                                    windows: windows, pools: pools))
        } catch {
            return .failure(error)
        }
    }

    /// FNV-1a 64 of each raster and of trials.csv (the release binary's `neurobus run` writes
    /// the same files: train 86.3 %, test 98.3 %). The network is quantized once from its
    /// physical units (IEEE arithmetic and libm at build time) and then runs on integers only.
    @Test func spikesAndTrialsArePinned() throws {
        let o = try Self.outcome.get()
        #expect(o.rasterHashes == [
            "input": 0xC699_21B0_B1F9_1201,
            "left": 0xB088_0C2A_62CE_4741,
            "right": 0x02E2_E8D3_E43B_2E8F,
        ])
        #expect(o.trialsHash == 0x139D_55CA_1536_BE4E)
    }

    /// Reward teaches it: the test phase (no broadcasts, weights as learned) is at ≥ 90 %, and
    /// training climbs from chance: the last 80 training trials beat the first 80 by 20 points.
    @Test func learnsTheTask() throws {
        let o = try Self.outcome.get()
        #expect(o.trials.count == 300)
        let train = o.trials.filter(\.training), test = o.trials.filter { !$0.training }
        #expect(train.count == 240 && test.count == 60)
        func accuracy(_ t: some Collection<TrialResult>) -> Double { Double(t.filter(\.correct).count) / Double(t.count) }
        #expect(accuracy(test) >= 0.9, "test accuracy \(accuracy(test))")
        #expect(accuracy(train.suffix(80)) >= accuracy(train.prefix(80)) + 0.2,
                "first 80 training trials \(accuracy(train.prefix(80))), last 80 \(accuracy(train.suffix(80)))")
        #expect(test.allSatisfy { $0.broadcast == nil }, "the test phase broadcasts nothing")
    }

    /// Reward at random teaches nothing: the control stays at chance on the test (≤ 60 %).
    @Test func controlStaysAtChance() throws {
        let o = try Self.control.get()
        let test = o.trials.filter { !$0.training }
        #expect(o.trials.count == 300 && test.count == 60)
        let accuracy = Double(test.filter(\.correct).count) / Double(test.count)
        #expect(accuracy <= 0.6, "control test accuracy \(accuracy)")
    }

    /// Physiological activity over the whole run: every population's mean rate in 1–30 Hz, and
    /// in every 10 s window too, steady (no window's rate 1.5 times another's: no runaway, no
    /// relaxation oscillation); thresholds where the file puts them; and no more than 5 % of
    /// the plastic synapses at a bound of their weight at the end.
    @Test func ratesAndWeightsStayPhysiological() throws {
        let o = try Self.outcome.get()
        #expect(o.populations.map(\.name) == ["input.A", "input.B", "left.E", "left.I", "right.E", "right.I"])
        for p in o.populations {
            let rate = p.rateHz(tickMicroseconds: 1000)
            #expect(rate >= 1 && rate <= 30, "\(p.name): \(rate) Hz")
            let rates = (o.windows[p.name] ?? []).map { Double($0) / Double(p.neurons) / 10 }
            #expect(rates.count == 9 && rates.allSatisfy { $0 >= 1 && $0 <= 30 }, "\(p.name): \(rates) Hz per 10 s")
            if let low = rates.min(), let high = rates.max() { #expect(high < 1.5 * low, "\(p.name): \(rates) Hz per 10 s") }
        }
        for name in ["left", "right"] {
            let stats = try #require(o.pools[name])
            for population in stats.populations ?? [] {
                #expect(abs(population.meanThresholdMV - population.vThresholdMV) < 1e-9, "\(name).\(population.name) threshold moved")
            }
            let input = try #require(stats.afferents?.first { $0.source == "input" })
            #expect(input.plastic == 2400)
            #expect(input.fractionAtBounds <= 0.05, "\(name): \(input.atLowerBound) at the lower bound, \(input.atUpperBound) at the upper")
            #expect(input.minWeightMV > 0 && input.maxWeightMV < 3)
        }
    }
}

/// The summary's per-population counts come from the rasters; `pool inspect` counts the
/// plastic synapses at their bounds.
@Suite("Run summary figures")
struct RunSummaryFigureTests {
    @Test func rasterCountsPerNeuronAndRefusesBadIDs() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/p.raster"
        try "# neurobus raster v1 pool=p neurons=4\n3 0 2\n7 2 3\n12 2".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(PopulationSummary.spikeCounts(raster: path, neurons: 4) == [1, 0, 3, 1])
        #expect(PopulationSummary.spikeCounts(raster: path, neurons: 3) == nil, "neuron 3 is outside a pool of 3")
        #expect(PopulationSummary.spikeCounts(raster: "\(dir)/missing.raster", neurons: 4) == nil)
        try "1 99999999999999999999\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(PopulationSummary.spikeCounts(raster: path, neurons: 4) == nil, "a number too long to be a neuron id")

        let network = NetworkDescription.builtInDefault()
        let out = try OutputDirectory(dir)
        try "# neurobus raster v1 pool=input neurons=80\n1 0 39 40\n2 79\n".write(toFile: out.rasterPath("input"), atomically: true, encoding: .utf8)
        let rows = PopulationSummary.read(directory: out, network: network, ticks: 1000)
        #expect(rows.map(\.name) == ["input.A", "input.B"], "left and right have no raster here")
        #expect(rows.map(\.spikes) == [2, 2] && rows.map(\.neurons) == [40, 40])
        #expect(abs(rows[0].rateHz(tickMicroseconds: 1000) - 2.0 / 40) < 1e-12)
        #expect(populationTable(rows, tickMicroseconds: 1000) == """
            population  neurons  spikes  rate Hz
            ----------  -------  ------  -------
            input.A          40       2      0.1
            input.B          40       2      0.1

            """)
    }

    @Test func plasticSynapsesAtTheirBoundsAreCounted() throws {
        // w_max equal to the initial weight: every plastic synapse starts at its upper bound.
        let text = NetworkDescription.defaultFileText.replacingOccurrences(of: "w_max = 3.0             # mV", with: "w_max = 0.5")
        let network = try NetworkDescription.parse(Array(text.utf8), file: "<bounds>")
        let stats = try network.buildPool(1).pool.stats()
        let afferents = try #require(stats.afferents)
        #expect(afferents.map(\.source) == ["input", "left", "right"])
        #expect(afferents[0].synapses == 2400 && afferents[0].plastic == 2400)
        #expect(afferents[0].atUpperBound == 2400 && afferents[0].atLowerBound == 0 && afferents[0].fractionAtBounds == 1)
        #expect(afferents[0].minWeightMV == 0.5 && afferents[0].maxWeightMV == 0.5)
        // The static cross-inhibition is frozen: never counted as plastic.
        #expect(afferents[1 ... 2].allSatisfy { $0.plastic == 0 && $0.atUpperBound == 0 })
        #expect(afferents[2].meanWeightMV == 3.0)

        let built = try NetworkDescription.builtInDefault().buildPool(1).pool.stats()
        #expect(built.afferents?[0].atUpperBound == 0 && built.afferents?[0].meanWeightMV == 0.5)
    }
}
