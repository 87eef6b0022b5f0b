import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Snapshots and replicas beyond a single lockstep failover: real-time snapshots, a
/// real-time replica taking over while the rest run on (the gap reported), and a pool that
/// fails over twice. Real processes; nothing here asserts timing.
@Suite("Real-time takeover and repeated failover", .serialized)
struct TakeoverTests {
    typealias L = LockstepIntegrationTests

    static func write(_ text: String, dir: String) throws -> String {
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// Polls (20 ms) until `condition` holds or `seconds` pass; returns whether it held.
    static func wait(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    static func finish(_ up: ChildProcess, seconds: Double) -> ChildProcess.Status? {
        var status: ChildProcess.Status?
        _ = wait(seconds: seconds) { status = up.poll(); return status != nil }
        return status
    }

    /// `text` with periodic snapshots every 500 ticks, keeping `keep`.
    static func withSnapshots(_ text: String, keep: Int = 2) -> String { text + "\n[snapshots]\nevery = 500\nkeep = \(keep)\n" }

    /// `neurobus up FILE --ticks TICKS --out DIR/up --quiet --replicas EXTRA…`, output in DIR/up.log.
    static func upWithReplicas(_ file: String, dir: String, ticks: Int, extra: [String] = []) throws -> ChildProcess {
        try ChildProcess(label: "up", executable: try L.executable(),
                         arguments: ["up", file, "--ticks", "\(ticks)", "--out", "\(dir)/up", "--quiet", "--replicas"] + extra, logPath: "\(dir)/up.log")
    }

    /// SIGKILLs the process running `pool` in `up`: its node (`fragment` "node-snapshots") or
    /// the first replica (`"replica-snapshots\u{0}"`).
    static func kill(_ pool: String, dir: String, fragment: String = "node-snapshots") throws {
        let victim = try #require(L.pid(commandLineContaining: ["\(dir)/up/network.toml", "--pool\u{0}\(pool)\u{0}", fragment]))
        Foundation.kill(victim, SIGKILL)
    }

    /// The number right after the first `phrase` in `text`.
    static func number(after phrase: String, in text: String) -> UInt64? {
        text.components(separatedBy: phrase).dropFirst().first.flatMap { UInt64($0.prefix { $0.isNumber }) }
    }

    /// `neurobus run FILE --ticks TICKS --out DIR/run --quiet EXTRA…`, which must succeed.
    static func reference(_ file: String, dir: String, ticks: Int, extra: [String] = []) throws {
        let run = try L.neurobus(["run", file, "--ticks", "\(ticks)", "--out", "\(dir)/run", "--quiet"] + extra, log: "\(dir)/run.log")
        #expect(run.status == .exited(0), "\(run.output)")
    }

    /// Real time takes periodic snapshots without stopping the clock; each is the pools at
    /// its cut, and restores, in one process and across processes, running on to the end.
    /// (A cut the pools pass while the previous snapshot is still being taken is skipped and
    /// logged — a loaded machine may skip some — so only the kept ones are checked.)
    @Test func realtimeSnapshotsAreTakenAndRestore() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.write(Self.withSnapshots(RealtimeIntegrationTests.realtime(NetworkDescription.threePoolFileText), keep: 3), dir: dir)
        let (status, output) = try L.neurobus(["up", file, "--ticks", "2500", "--out", "\(dir)/up", "--quiet"], log: "\(dir)/up.log")
        let controller = Self.read("\(dir)/up/logs/controller.log")
        #expect(status == .exited(0), "\(output)\n\(controller)")
        let folders = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/up/snapshots").filter { $0.hasPrefix("tick-") }
        let ticks = folders.compactMap { UInt64($0.dropFirst(5).prefix { $0.isNumber }) }.sorted()
        #expect(ticks.count >= 2 && ticks.count <= 3 && ticks.allSatisfy { $0 % 500 == 0 }, "kept \(folders)\n\(controller)")
        // Every cut the controller asked for was either completed or reported skipped/abandoned.
        for t in stride(from: 500, through: 2500, by: 500) {
            #expect(controller.contains("at tick \(t) complete") || controller.contains("snapshot at tick \(t) skipped")
                || controller.contains("at tick \(t) abandoned"), "tick \(t): \(controller)")
        }
        let newest = try #require(ticks.last.flatMap { t in folders.first { $0.hasPrefix("tick-\(t)-") } })
        let path = "\(dir)/up/snapshots/\(newest)"
        let manifest = try SnapshotStore.manifest(at: path)
        #expect(manifest.parts.count == 3)
        // The parts are the pools at the cut: each has simulated exactly that many ticks.
        for pool in ["sensory", "association", "motor"] {
            #expect(try SnapshotStore.loadPart(path, manifest: manifest, pool: pool).tickCount == manifest.tick)
        }
        let end = manifest.tick + 300
        let run = try L.neurobus(["run", file, "--restore", path, "--ticks", "\(end)", "--out", "\(dir)/run", "--quiet"], log: "\(dir)/run.log")
        #expect(run.status == .exited(0), "\(run.output)")
        let up = try L.neurobus(["up", file, "--restore", path, "--ticks", "\(end)", "--out", "\(dir)/up2", "--quiet"], log: "\(dir)/up2.log")
        #expect(up.status == .exited(0), "\(up.output)")
        for pool in ["sensory", "association", "motor"] {
            #expect(try NeuronPool.load(from: "\(dir)/run/\(pool).pool").tickCount == end)
            #expect(try NeuronPool.load(from: "\(dir)/up2/\(pool).pool").tickCount == end)
        }
    }

    /// Real time with replicas: a node killed mid-run is replaced by its replica from the
    /// last snapshot while the other pools run on; the gap is reported, downstream pools take
    /// the replica's stream, and the pool runs to the end. The killed pool is `sensory`: its
    /// own seeded drive makes it fire from the first ticks whatever the machine's load (in
    /// real time a loaded machine may make `association` miss all its input).
    @Test func realtimeReplicaTakesOverAndTheGapIsReported() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.write(Self.withSnapshots(RealtimeIntegrationTests.realtime(NetworkDescription.threePoolFileText)), dir: dir)
        let up = try Self.upWithReplicas(file, dir: dir, ticks: 7000, extra: ["--record"])
        defer { up.kill(SIGKILL) }
        let controllerLog = "\(dir)/up/logs/controller.log"
        #expect(Self.wait(seconds: 60) { Self.read("\(dir)/up/logs/replica-sensory.log").contains("holds snapshot") },
                "the replica never held a snapshot: \(Self.read(controllerLog))")
        // What the primary has on disk just before it dies (every line before the held cut is
        // synced; later ones may be, by stdio): every complete line of it must survive.
        let written = Self.read("\(dir)/up/sensory.raster.tmp")
        let before = written.split(separator: "\n", omittingEmptySubsequences: false).dropLast().filter { !$0.hasPrefix("#") }
        try Self.kill("sensory", dir: dir)
        let status = Self.finish(up, seconds: 60)
        let output = Self.read("\(dir)/up.log"), controller = Self.read(controllerLog)
        #expect(status == .exited(0), "up: \(output)\ncontroller: \(controller)")
        #expect(output.contains("pool sensory died"), "\(output)")
        #expect(controller.contains("takeover of pool sensory complete") && controller.contains("a gap of"), "\(controller)")
        // The restart tick, from "running again from tick N".
        let restart = try #require(Self.number(after: "running again from tick ", in: controller), "\(controller)")
        #expect(restart > 500 && restart < 7000)
        #expect(Self.read("\(dir)/up/logs/association.log").contains("taken over by its replica"))
        #expect(try NeuronPool.load(from: "\(dir)/up/sensory.pool").tickCount == 7000)
        // The raster holds the primary's lines, then the replica's from the restart on.
        let lines = Self.read("\(dir)/up/sensory.raster").split(separator: "\n").filter { !$0.hasPrefix("#") }
        let ticks = lines.compactMap { UInt64($0.prefix { $0.isNumber }) }
        #expect(!before.isEmpty && lines.starts(with: before), "of the \(before.count) lines on disk before the kill, the raster starts with \(zip(lines, before).prefix { $0 == $1 }.count)")
        #expect(ticks.contains { $0 < restart } && ticks.contains { $0 >= restart }, "restart \(restart), raster ticks \(ticks.prefix(5)) … \(ticks.suffix(3)) (\(ticks.count) lines)\n\(controller)")
        #expect(ticks == ticks.sorted(), "raster lines out of order")
        // The recorder follows the replica's stream too.
        let recorder = Self.read("\(dir)/up/logs/recorder.log")
        #expect(recorder.contains("pool sensory taken over by its replica"), "\(recorder)")
        let recorded = try SpikeEventFile.readAll("\(dir)/up/record/sensory.npy")
        #expect(recorded.contains { $0.tick >= restart } && recorded.map(\.tick) == recorded.map(\.tick).sorted(), "\(recorded.count) events")
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }

    /// Lockstep with `--record`: the recorder follows a failover (cuts its files at the
    /// snapshot rolled back to, waits for every pool in the new epoch, goes on), and its files
    /// end byte-identical to a recording of the run without the crash.
    @Test func aRecordingFollowsAFailover() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.write(Self.withSnapshots(NetworkDescription.threePoolFileText), dir: dir)
        try Self.reference(file, dir: dir, ticks: 6000)
        let plain = try L.neurobus(["up", file, "--ticks", "6000", "--out", "\(dir)/plain", "--quiet", "--record"], log: "\(dir)/plain.log")
        #expect(plain.status == .exited(0), "\(plain.output)")
        let up = try Self.upWithReplicas(file, dir: dir, ticks: 6000, extra: ["--record"])
        defer { up.kill(SIGKILL) }
        let controllerLog = "\(dir)/up/logs/controller.log"
        #expect(Self.wait(seconds: 60) { Self.read("\(dir)/up/logs/replica-association.log").contains("holds snapshot") }, "\(Self.read(controllerLog))")
        try Self.kill("association", dir: dir)
        let status = Self.finish(up, seconds: 90)
        let output = Self.read("\(dir)/up.log"), controller = Self.read(controllerLog), recorder = Self.read("\(dir)/up/logs/recorder.log")
        #expect(status == .exited(0), "up: \(output)\ncontroller: \(controller)\nrecorder: \(recorder)")
        #expect(controller.contains("failover complete"), "\(controller)")
        #expect(recorder.contains("the network rolled back to the snapshot at tick"), "\(recorder)")
        try FailoverTests.expectSameOutputs("\(dir)/run", "\(dir)/up")
        for pool in ["sensory", "association", "motor"] {
            let a = FileManager.default.contents(atPath: "\(dir)/plain/record/\(pool).npy")
            let b = FileManager.default.contents(atPath: "\(dir)/up/record/\(pool).npy")
            #expect(a != nil && a == b, "\(pool).npy differs from the recording without the crash (\(a?.count ?? -1) vs \(b?.count ?? -1) bytes)")
        }
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }

    /// Lockstep: the same pool fails over twice (its node, then the replica promoted in its
    /// place), and the run still ends exactly as the uninterrupted one.
    @Test func aPoolFailsOverTwiceAndTheResultIsUnchanged() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.write(Self.withSnapshots(NetworkDescription.threePoolFileText), dir: dir)
        try Self.reference(file, dir: dir, ticks: 6000)
        let up = try Self.upWithReplicas(file, dir: dir, ticks: 6000)
        defer { up.kill(SIGKILL) }
        let controllerLog = "\(dir)/up/logs/controller.log"
        #expect(Self.wait(seconds: 60) { Self.read("\(dir)/up/logs/replica-association.log").contains("holds snapshot") }, "\(Self.read(controllerLog))")
        try Self.kill("association", dir: dir)
        // The first replica is promoted; the second, started by `up`, follows it and holds
        // a snapshot taken after the rollback (to tick R).
        #expect(Self.wait(seconds: 60) { Self.read(controllerLog).contains("failover complete") }, "\(Self.read(controllerLog))")
        let rollback = try #require(Self.number(after: "back to the snapshot at tick ", in: Self.read(controllerLog)))
        #expect(Self.wait(seconds: 60) {
            Self.read("\(dir)/up/logs/replica-association-2.log").components(separatedBy: "holds snapshot ").dropFirst()
                .compactMap { $0.components(separatedBy: "at tick ").dropFirst().first.flatMap { UInt64($0.prefix { $0.isNumber }) } }
                .contains { $0 > rollback }
        }, "no second replica: \(Self.read(controllerLog))")
        try Self.kill("association", dir: dir, fragment: "replica-snapshots\u{0}")
        let status = Self.finish(up, seconds: 90)
        let output = Self.read("\(dir)/up.log"), controller = Self.read(controllerLog)
        #expect(status == .exited(0), "up: \(output)\ncontroller: \(controller)")
        #expect(controller.components(separatedBy: "failover complete").count - 1 == 2, "\(controller)")
        try FailoverTests.expectSameOutputs("\(dir)/run", "\(dir)/up")
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }

    /// Lockstep: the pool fed by a `[[source]]` fails over; the injector resends its input
    /// from the snapshot's tick to the replica, and the result equals the uninterrupted run.
    @Test func aPoolFedByASourceFailsOverAndTheResultIsUnchanged() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.write(Self.withSnapshots(LiveIOTests.defaultWithSource), dir: dir)
        var csv = "tick,neuron\n"
        for t in stride(from: 0, to: 3500, by: 10) {
            for k in 0 ..< 20 { csv += "\(t + k / 7),\(128 + (t * 7 + k * 13) % 128)\n" }
        }
        try csv.write(toFile: "\(dir)/touch.csv", atomically: true, encoding: .utf8)
        let inject = ["--inject", "touch=\(dir)/touch.csv"]
        try Self.reference(file, dir: dir, ticks: 4000, extra: inject)
        let up = try Self.upWithReplicas(file, dir: dir, ticks: 4000, extra: inject)
        defer { up.kill(SIGKILL) }
        let controllerLog = "\(dir)/up/logs/controller.log"
        #expect(Self.wait(seconds: 60) { Self.read("\(dir)/up/logs/replica-sensory.log").contains("holds snapshot") }, "\(Self.read(controllerLog))")
        try Self.kill("sensory", dir: dir)
        let status = Self.finish(up, seconds: 90)
        let output = Self.read("\(dir)/up.log"), controller = Self.read(controllerLog)
        #expect(status == .exited(0), "up: \(output)\ncontroller: \(controller)\nreplica: \(Self.read("\(dir)/up/logs/replica-sensory.log"))")
        #expect(controller.contains("failover complete"), "\(controller)")
        #expect(Self.read("\(dir)/up/logs/source-touch.log").contains("resent"), "\(Self.read("\(dir)/up/logs/source-touch.log"))")
        try FailoverTests.expectSameOutputs("\(dir)/run", "\(dir)/up")
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }

    /// Lockstep: a node killed while a snapshot is being taken (its part not in) is failed
    /// over to the previous complete snapshot — the controller decides before any node gives
    /// up on it — and the result equals the uninterrupted run.
    @Test func aNodeKilledDuringASnapshotFailsOverToThePreviousOne() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try Self.write(Self.withSnapshots(NetworkDescription.threePoolFileText), dir: dir)
        try Self.reference(file, dir: dir, ticks: 4000)
        let up = try Self.upWithReplicas(file, dir: dir, ticks: 4000)
        defer { up.kill(SIGKILL) }
        let controllerLog = "\(dir)/up/logs/controller.log"
        // The replica holds the snapshot at 1000; kill as soon as the one at 1500 begins.
        #expect(Self.wait(seconds: 60) {
            Self.read("\(dir)/up/logs/replica-association.log").contains("at tick 1000") && Self.read(controllerLog).contains("at tick 1500: holding")
        }, "\(Self.read(controllerLog))")
        try Self.kill("association", dir: dir)
        let status = Self.finish(up, seconds: 90)
        let output = Self.read("\(dir)/up.log"), controller = Self.read(controllerLog)
        #expect(status == .exited(0), "up: \(output)\ncontroller: \(controller)")
        #expect(controller.contains("failover complete"), "\(controller)")
        try FailoverTests.expectSameOutputs("\(dir)/run", "\(dir)/up")
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }
}
