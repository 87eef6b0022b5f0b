import Foundation
import NeuroBio
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Hodgkin–Huxley pools on the bus: the features a network file selects, the physiological
/// ATP budget, and their snapshot parts (the HH pool beside its companion `.pool`).
@Suite("Hodgkin–Huxley pools on the bus", .serialized)
struct HHBusPoolTests {
    /// One neuron paced at 44 Hz by 1 ms pulses of 40 µA/cm² (one spike each) for `ms` ticks of
    /// 1 ms; returns its spikes and its ATP after 2 s and at the end.
    static func pacedAt44Hz(_ parameters: HHParameters, ms: Int) throws -> (spikes: Int, atpAt2s: Double, atp: Double) {
        var pool = try HHPool(name: "x", neurons: 1, parameters: parameters, features: .all)
        var spikes = 0, atpAt2s = 1.0, next = 0, k = 0
        for t in 0 ..< ms {
            if t == next {
                spikes += try pool.tick(current: [40])
                k += 1
                next = Int((Double(k) * 1000 / 44).rounded(.down))
            } else {
                spikes += pool.tick()
            }
            if t == 1999 { atpAt2s = pool.atp[0] }
        }
        return (spikes, atpAt2s, pool.atp[0])
    }

    /// At a sustained 44 Hz a bus pool's neuron keeps its ATP above 0.9 and its K_ATP
    /// conductance below a fifth of the leak; `HHParameters()` (the diverge scenario's) drops
    /// below 0.2 within 2 s, K_ATP above the leak.
    @Test func busPoolsKeepATPPhysiologicalAt44Hz() throws {
        let bus = PoolDriver.hhParameters(tickMicroseconds: 1000)
        let paced = try Self.pacedAt44Hz(bus, ms: 10_000)
        #expect(paced.spikes == 440)
        #expect(paced.atpAt2s > 0.93 && paced.atp > 0.9, "ATP \(paced.atpAt2s) after 2 s, \(paced.atp) after 10 s")
        #expect(bus.gKATP * (1 - paced.atp) < bus.gL / 5)
        let plain = try Self.pacedAt44Hz(HHParameters(), ms: 2000)
        #expect(plain.atpAt2s < 0.2 && HHParameters().gKATP * (1 - plain.atpAt2s) > HHParameters().gL, "ATP \(plain.atpAt2s)")
    }

    /// `hh_atp = false` and friends reach the pool a node runs; the bus constants apply.
    @Test func fileFeaturesReachTheBusPool() throws {
        let text = NetworkDescription.mixedExampleText.replacingOccurrences(of: "model = \"hh\"\n", with: "model = \"hh\"\nhh_atp = false\nhh_calcium = false\n")
        let network = try NetworkDescription.parse(Array(text.utf8), file: "t")
        let cells = try #require(try network.buildPool(1).hh)
        #expect(cells.features == [.nmda, .receptorKinetics, .modulators])
        #expect(cells.parameters == PoolDriver.hhParameters(tickMicroseconds: network.tickMicroseconds))
        let defaults = try #require(try NetworkDescription.parse(Array(NetworkDescription.mixedExampleText.utf8), file: "t").buildPool(1).hh)
        #expect(defaults.features == .all)
    }

    /// In one process: a run restored from a mid snapshot ends with the uninterrupted run's
    /// files, and its next snapshot is the uninterrupted run's, byte for byte.
    @Test func restoredRunContinuesExactlyInProcess() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = try NetworkDescription.parse(Array(SnapshotIntegrationTests.hodgkinHuxleyNetworkText.utf8), file: "t")
        _ = try LocalRun.run(network: network, ticks: 1200, out: try OutputDirectory("\(dir)/whole"),
                             snapshots: SnapshotPlan(root: "\(dir)/whole/snapshots", every: 400, keep: 10))
        let mid = try SnapshotIntegrationTests.folder("\(dir)/whole/snapshots", tick: 800)
        let loaded = try LoadedSnapshot(path: mid, network: network)
        let cortex = loaded.pools[1]
        #expect(cortex.hh?.tickCount == 800 && cortex.pool.tickCount == 800 && cortex.held?.afferentSpikes.count == 2)
        #expect(loaded.pools[0].hh == nil && loaded.pools[2].hh == nil)
        _ = try LocalRun.run(network: network, ticks: 1200, out: try OutputDirectory("\(dir)/restored"),
                             snapshots: SnapshotPlan(root: "\(dir)/restored/snapshots", every: 400, keep: 10), restore: loaded)
        for pool in network.pools {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/restored/\(pool.name).pool")) == Data(contentsOf: URL(fileURLWithPath: "\(dir)/whole/\(pool.name).pool")),
                    "\(pool.name).pool differs")
        }
        let a = try SnapshotIntegrationTests.folder("\(dir)/whole/snapshots", tick: 1200), b = try SnapshotIntegrationTests.folder("\(dir)/restored/snapshots", tick: 1200)
        #expect(URL(fileURLWithPath: a).lastPathComponent == URL(fileURLWithPath: b).lastPathComponent)
        for pool in network.pools {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(a)/\(pool.name).pool.z")) == Data(contentsOf: URL(fileURLWithPath: "\(b)/\(pool.name).pool.z")))
        }
    }

    /// A pool whose HH pool draws noise: the part's bytes give back the same HH pool
    /// (generator included) and its companion's generator, and both continue identically.
    @Test func anHHPartCarriesTheGeneratorsAndContinuesIdentically() throws {
        var config = PoolConfig()
        config.seed = 5
        let companion = try NeuronPool.withRandomConnectivity(name: "c", neurons: 20, density: 0.1, config: config)
        var parameters = PoolDriver.hhParameters(tickMicroseconds: 1000)
        parameters.noise = 3
        var cells = try HHPool(connectivityOf: companion, parameters: parameters, features: .all, seed: 9)
        try cells.setBias(0 ..< 20, 6)
        for _ in 0 ..< 150 { cells.tick() }
        let held = HeldInput(broadcasts: [HeldInput.Broadcast(tick: 160, dopamine: 200)], afferentSpikes: [])
        let part = SnapshotPool(pool: try companion.standIn(atTick: 150, held: held), hh: cells)
        let decoded = try SnapshotPool(decoding: part.encoded(), pool: "c")
        #expect(decoded == part && decoded.hh?.random == cells.random && decoded.tickCount == 150 && decoded.held == held)
        var (x, y) = (cells, try #require(decoded.hh))
        for _ in 0 ..< 100 { x.tick(); y.tick() }
        #expect(x.encoded() == y.encoded() && x.totalSpikes > cells.totalSpikes)
        // Only a pool that never ran stands in.
        var ran = companion
        ran.tick()
        #expect(throws: PoolError.hasRun(pool: "c", tick: 1)) { try ran.standIn(atTick: 150, held: held) }
    }

    /// Damaged or mismatched HH parts get errors naming the problem.
    @Test func badHHPartsAreRefusedByName() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let network = try NetworkDescription.parse(Array(SnapshotIntegrationTests.hodgkinHuxleyNetworkText.utf8), file: "t")
        _ = try LocalRun.run(network: network, ticks: 400, out: nil, snapshots: SnapshotPlan(root: "\(dir)/snaps", at: [200, 400], keep: 10))
        let early = try LoadedSnapshot(path: SnapshotIntegrationTests.folder("\(dir)/snaps", tick: 200), network: network).pools[1]
        let late = try LoadedSnapshot(path: SnapshotIntegrationTests.folder("\(dir)/snaps", tick: 400), network: network).pools[1]
        func refusal(_ raw: [UInt8]) -> String {
            do {
                _ = try SnapshotPool(decoding: raw, pool: "cortex")
                return "accepted"
            } catch {
                guard case .badPart(let pool, _) = error, pool == "cortex" else { return "wrong error: \(error)" }
                return "\(error)"
            }
        }
        var raw = late.encoded()
        let hhLength = try #require(late.hh).encoded().count
        raw[hhLength / 2] ^= 0x10
        #expect(refusal(raw).contains("HH pool data is corrupted: CRC-32"), "\(refusal(raw))")
        #expect(refusal(Array(late.encoded().prefix(hhLength - 10))).contains("its HH pool file says \(hhLength) bytes"))
        #expect(refusal(Array(late.encoded().prefix(hhLength))).contains("the .pool after the HH pool"))
        let mixed = SnapshotPool(pool: early.pool, hh: late.hh)
        #expect(refusal(mixed.encoded()).contains("at tick 400, its .pool cortex of 48 neurons at tick 200"), "\(refusal(mixed.encoded()))")
        // An integer pool's part for the hh pool, and the hh part for an integer pool.
        var driver = try network.buildPool(1)
        do {
            _ = try driver.restore(SnapshotPool(pool: late.pool))
            Issue.record("the hh pool took an integer part")
        } catch {
            #expect("\(error)".contains("has model = \"hh\", but its part holds an integer pool"), "\(error)")
        }
        var motor = try network.buildPool(2)
        let motorPart = try LoadedSnapshot(path: SnapshotIntegrationTests.folder("\(dir)/snaps", tick: 400), network: network).pools[2]
        do {
            _ = try motor.restore(SnapshotPool(pool: motorPart.pool, hh: late.hh))
            Issue.record("an integer pool took an HH part")
        } catch {
            #expect("\(error)".contains("is an integer pool, but its part holds a Hodgkin–Huxley pool"), "\(error)")
        }
        // The right part restores.
        #expect(try driver.restore(late).broadcasts == late.held?.broadcasts && driver.hh == late.hh && driver.tick == 400)
    }
}
