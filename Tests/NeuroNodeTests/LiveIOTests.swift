import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// `neurobus inject` and `neurobus record` with real processes.
@Suite("Live spike I/O across processes", .serialized)
struct LiveIOTests {
    /// One pool without recurrent synapses or homeostasis (which would lower the thresholds of
    /// silent neurons until they fire on their own) and a source whose drive (128 mV) fires any
    /// neuron it hits: the raster shows exactly the injected spikes, at their ticks.
    static let tinyNetwork = """
        [network]
        name = "tiny"
        seed = 1

        [controller]
        control = "tcp://127.0.0.1:27400"
        publish = "tcp://127.0.0.1:27401"

        [[pool]]
        name = "input"
        neurons = 64
        out_degree = 0
        homeostasis_step = 0
        endpoint = "tcp://127.0.0.1:27410"

        [[source]]
        name = "retina"
        pool = "input"
        neurons = [0, 32]
        drive = 32767
        endpoint = "tcp://127.0.0.1:27420"

        """

    /// The three-pool network with a source on sensory's untouched neurons [128, 256).
    static let defaultWithSource = NetworkDescription.threePoolFileText + """

        [[source]]
        name = "touch"
        pool = "sensory"
        neurons = [128, 256]
        drive = 4096
        endpoint = "tcp://127.0.0.1:27130"

        """

    /// Repeats within a tick merge, ids come out ascending, the tick is the one stamped; the
    /// same in `up` (through the bus, from a .npy file) and `run` (from the same file).
    @Test func injectedSpikesReachTheirNeuronsAtTheirTick() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(Self.tinyNetwork, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        // Through a .npy written by the project's own writer (what `record` writes).
        let writer = try SpikeEventWriter(path: "\(dir)/in.npy", format: .npy)
        for (t, n) in [(100, 7), (100, 5), (100, 5), (250, 5), (1500, 31)] { try writer.append(tick: UInt64(t), neuron: UInt16(n)) }
        try writer.finish()
        try Self.expectInputRaster(file, dir: dir, ticks: 2000, input: "\(dir)/in.npy", lines: "100 5 7\n250 5\n1500 31\n")
        // The input's last tick (1500) lies beyond one batch of 1024 ticks: both batches arrived.
        let log = try String(contentsOfFile: "\(dir)/up/logs/source-retina.log", encoding: .utf8)
        #expect(log.contains("input ended at tick 1501"), "\(log)")
    }

    /// Events further apart than the injector's lead (50,000 ticks): the empty ticks between
    /// them are sent as the lead allows, so the node never waits for them; `up` equals `run`.
    @Test func eventsFurtherApartThanTheLeadStillFlow() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(Self.tinyNetwork, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        try "tick,neuron\n10,3\n60000,4\n".write(toFile: "\(dir)/gap.csv", atomically: true, encoding: .utf8)
        try Self.expectInputRaster(file, dir: dir, ticks: 70000, input: "\(dir)/gap.csv", lines: "10 3\n60000 4\n")
    }

    /// Runs the tiny network `file` with `input` on source retina in `up` and in `run`: both
    /// exit 0 and their input rasters hold exactly `lines`.
    static func expectInputRaster(_ file: String, dir: String, ticks: Int, input: String, lines: String) throws {
        for command in ["up", "run"] {
            let result = try LockstepIntegrationTests.neurobus([command, file, "--ticks", "\(ticks)", "--out", "\(dir)/\(command)", "--quiet", "--inject", "retina=\(input)"],
                                                               log: "\(dir)/\(command).log")
            #expect(result.status == .exited(0), "\(result.output)")
            let raster = try String(contentsOfFile: "\(dir)/\(command)/input.raster", encoding: .utf8)
            #expect(raster == "# neurobus raster v1 pool=input neurons=64\n" + lines, "\(command): \(raster)")
        }
    }

    /// A neuron outside the source's neurons is refused before anything runs, naming the event.
    @Test func injectingOutsideTheSourceIsRefused() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(Self.tinyNetwork, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        try "tick,neuron\n3,1\n4,40\n".write(toFile: "\(dir)/bad.csv", atomically: true, encoding: .utf8)
        let run = try LockstepIntegrationTests.neurobus(["run", file, "--ticks", "10", "--out", "\(dir)/run", "--quiet", "--inject", "\(dir)/bad.csv"], log: "\(dir)/run.log")
        #expect(run.status == .exited(1) && run.output.contains("event 1 (tick 4, neuron 40) is outside source retina's neurons [0, 32)"), "\(run.output)")
        let missing = try LockstepIntegrationTests.neurobus(["run", file, "--ticks", "10", "--out", "\(dir)/run", "--quiet"], log: "\(dir)/run2.log")
        #expect(missing.status == .exited(1) && missing.output.contains("source retina (into pool input) needs input in lockstep"), "\(missing.output)")
    }

    /// The three-pool network (plasticity, rewards, modulators) with injected spikes on sensory:
    /// one process per pool plus an injector equals the single-process run byte for byte.
    @Test func injectionIsPartOfTheDeterministicSchedule() throws {
        try LockstepIntegrationTests.expectIdenticalRuns(networkText: Self.defaultWithSource, ticks: 3000, extra: ["--inject", "touch=$DIR/touch.csv"]) { dir in
            // 20 events per 10 ticks (over 3 ticks) for 2500 ticks, from a fixed formula, ticks ascending.
            var csv = "tick,neuron\n"
            for t in stride(from: 0, to: 2500, by: 10) {
                for k in 0 ..< 20 { csv += "\(t + k / 7),\(128 + (t * 7 + k * 13) % 128)\n" }
            }
            try csv.write(toFile: "\(dir)/touch.csv", atomically: true, encoding: .utf8)
        }
    }

    /// `up --record`: the recorder's files hold exactly the rasters' spikes, two recordings of
    /// the same run are identical, and the rasters equal a run without a recorder.
    @Test func recordingIsCompleteRepeatableAndChangesNothing() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(NetworkDescription.threePoolFileText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let pools = ["sensory", "association", "motor"]
        for (run, extra) in [("plain", [String]()), ("rec1", ["--record"]), ("rec2", ["--record", "--record-format", "csv"])] {
            let result = try LockstepIntegrationTests.neurobus(["up", file, "--ticks", "2000", "--out", "\(dir)/\(run)", "--quiet"] + extra, log: "\(dir)/\(run).log")
            #expect(result.status == .exited(0), "\(result.output)")
        }
        for pool in pools {
            let plain = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/plain/\(pool).raster"))
            for run in ["rec1", "rec2"] {
                #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/\(run)/\(pool).raster")) == plain, "\(run)/\(pool).raster changed by recording")
            }
            let npy = try SpikeEventFile.readAll("\(dir)/rec1/record/\(pool).npy")
            let csv = try SpikeEventFile.readAll("\(dir)/rec2/record/\(pool).csv")
            #expect(npy == csv, "the two recordings of \(pool) differ")
            #expect(npy == (try Self.rasterEvents("\(dir)/plain/\(pool).raster")), "the recording of \(pool) is not its raster")
            #expect(!npy.isEmpty)
        }
        // Which neuron is which kind, beside the recordings as beside the rasters.
        let kinds = try String(contentsOfFile: "\(dir)/rec1/record/populations.csv", encoding: .utf8)
        #expect(kinds == (try String(contentsOfFile: "\(dir)/rec1/populations.csv", encoding: .utf8)))
        #expect(kinds.hasPrefix("pool,population,kind,start,end\nsensory,"))
    }

    /// The events of a raster file (`TICK ID ID …` lines).
    static func rasterEvents(_ path: String) throws -> [SpikeEvent] {
        var events: [SpikeEvent] = []
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: " ")
            let tick = UInt64(fields[0])!
            for id in fields.dropFirst() { events.append(SpikeEvent(tick: tick, neuron: UInt16(id)!)) }
        }
        return events
    }
}
