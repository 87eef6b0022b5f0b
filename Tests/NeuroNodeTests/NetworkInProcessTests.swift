import Foundation
import Logging
import Testing
import ZeroMQ
import NeuroNode
import NeuroNetwork
import NeuroEngine

/// A whole network on the bus inside the test's process: the controller and one node per pool,
/// each on a thread of its own, over `inproc://` endpoints of one shared ZeroMQ context — the
/// runtime exactly as `up` runs it, without starting processes.
@Suite("A network in process")
struct NetworkInProcessTests {
    /// `text` with every `tcp://127.0.0.1:PORT` endpoint moved to `inproc://TAG-PORT`.
    static func inProcess(_ text: String, tag: String) throws -> NetworkDescription {
        let moved = text.replacing(#/tcp://127\.0\.0\.1:(\d+)/#) { match in "inproc://\(tag)-\(match.1)" }
        return try NetworkDescription.parse(Array(moved.utf8), file: "in-process.toml")
    }

    static func logger(_ label: String) -> Logger {
        var log = Logger(label: label)
        log.logLevel = .warning
        return log
    }

    /// Runs the controller and every node on threads until the controller ends the run
    /// (`ticks`, then stop), with a recorder of every pool writing CSV files into `record` if
    /// given (the run starts once it is ready); returns what each thread failed with (nil:
    /// finished).
    /// `snapshotAt`: cuts the controller takes into `OUT/snapshots` (nodes keep their copies in
    /// `OUT/node-snapshots`), as `up --snapshot-at`; `restore`: a snapshot folder every
    /// process starts from, as `up --restore`.
    /// `inject`: an injector per source index, streaming the given spike file, as `up --inject`.
    static func runOnBus(_ network: NetworkDescription, ticks: UInt64, out: OutputDirectory, dir: String, record: String? = nil,
                         snapshotAt: Set<UInt64> = [], restore: String? = nil, inject: [Int: String] = [:]) throws -> [String?] {
        let context = try ZMQContext()
        var controllerOptions = ControllerOptions(network: network)
        controllerOptions.runTicks = ticks
        controllerOptions.exitWhenDone = true
        controllerOptions.snapshotRoot = "\(out.path)/snapshots"
        controllerOptions.snapshotAt = snapshotAt
        if let restore { controllerOptions.restore = try SnapshotStore.manifest(at: restore) }
        controllerOptions.context = context
        controllerOptions.recorders = record == nil ? 0 : 1
        var group = ThreadGroup()
        group.add("controller") { [controllerOptions] in try Controller(options: controllerOptions, logger: logger("controller")).run(shouldStop: { false }) }
        for pool in network.pools.indices {
            var options = NodeOptions(network: network, pool: pool, out: out)
            options.context = context
            options.snapshotRoot = "\(out.path)/node-snapshots"
            options.restore = restore
            let name = network.pools[pool].name
            group.add("node \(name)") { [options] in try NodeRuntime(options: options, logger: logger("node/\(name)")).run(shouldStop: { false }) }
        }
        if let record {
            try FileManager.default.createDirectory(atPath: record, withIntermediateDirectories: true)
            var options = RecorderOptions(network: network, pools: Array(network.pools.indices), out: record, format: .csv, name: "in-process")
            options.context = context
            group.add("recorder") { [options] in _ = try Recorder(options: options, logger: logger("recorder")).run(shouldStop: { false }) }
        }
        for (source, input) in inject.sorted(by: { $0.key < $1.key }) {
            var options = InjectorOptions(network: network, source: source, input: input)
            options.context = context
            let name = network.sources[source].name
            group.add("injector \(name)") { [options] in _ = try Injector(options: options, logger: logger("inject/\(name)")).run(shouldStop: { false }) }
        }
        return try group.run()
    }

    /// Threads of one in-process network: each runs one runtime to its end.
    struct ThreadGroup {
        var outcomes: [NodeInProcessTests.Outcome] = []
        var threads: [Thread] = []

        /// A thread running `body`; its failure is reported as `label: error`.
        mutating func add(_ label: String, _ body: @escaping @Sendable () throws -> Void) {
            let outcome = NodeInProcessTests.Outcome()
            outcomes.append(outcome)
            threads.append(Thread {
                do { try body(); outcome.finish(nil) } catch { outcome.finish("\(label): \(error)") }
            })
        }

        /// Starts every thread and waits for all to end (`wait`).
        func run() throws -> [String?] {
            start()
            return try wait()
        }

        func start() { for t in threads { t.start() } }

        /// Waits (at most 300 s) for every thread to end: what each failed with (nil:
        /// finished), in the order added.
        func wait() throws -> [String?] {
            for o in outcomes where o.done.wait(timeout: .now() + 300) != .success {
                throw NodeError.timeout("a thread of the in-process network did not end within 300 s")
            }
            return outcomes.map(\.failure)
        }
    }

    /// Lockstep on the bus equals one process: the rasters and final pools of the three-pool
    /// network are byte-identical to `LocalRun`'s, and a recorder on the bus holds exactly the
    /// rasters' spikes.
    @Test func lockstepOnTheBusEqualsOneProcess() throws {
        let network = try Self.inProcess(NetworkDescription.threePoolFileText, tag: "lockstep-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ticks: UInt64 = 3000
        let local = try OutputDirectory("\(dir)/local")
        _ = try LocalRun.run(network: network, ticks: ticks, out: local)
        let bus = try OutputDirectory("\(dir)/bus")
        let failures = try Self.runOnBus(network, ticks: ticks, out: bus, dir: dir, record: "\(dir)/record")
        #expect(failures.allSatisfy { $0 == nil }, "\(failures)")
        var rasterBytes = 0
        for pool in network.pools {
            for path in [local.rasterPath(pool.name), "\(local.path)/\(pool.name).pool"] {
                let other = path.replacingOccurrences(of: local.path, with: bus.path)
                let a = try Data(contentsOf: URL(fileURLWithPath: path)), b = try Data(contentsOf: URL(fileURLWithPath: other))
                #expect(a == b, "\(other) differs from \(path)")
                if path.hasSuffix(".raster") { rasterBytes += a.count }
            }
        }
        for pool in network.pools {
            let recorded = try SpikeEventFile.readAll("\(dir)/record/\(pool.name).csv")
            #expect(recorded == (try LiveIOTests.rasterEvents(local.rasterPath(pool.name))), "the recording of \(pool.name) is not its raster")
        }
        // A raster of a silent network would prove little.
        #expect(rasterBytes > 10_000)
    }

    /// A snapshot taken on the bus equals one process's (manifest but for the wall clock, and
    /// every part), and a run restored from it on the bus ends where one process ends.
    @Test func snapshotsOnTheBusEqualOneProcessAndRestoreExactly() throws {
        let network = try Self.inProcess(NetworkDescription.threePoolFileText, tag: "snapshot-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ticks: UInt64 = 3000, cut: UInt64 = 1700
        let local = try OutputDirectory("\(dir)/local")
        _ = try LocalRun.run(network: network, ticks: ticks, out: local, snapshots: SnapshotPlan(root: "\(dir)/local/snapshots", at: [cut]))
        let bus = try OutputDirectory("\(dir)/bus")
        let failures = try Self.runOnBus(network, ticks: ticks, out: bus, dir: dir, snapshotAt: [cut])
        #expect(failures.allSatisfy { $0 == nil }, "\(failures)")
        let fromLocal = SnapshotStore.list(root: "\(dir)/local/snapshots"), fromBus = SnapshotStore.list(root: "\(dir)/bus/snapshots")
        #expect(fromLocal.map(\.manifest.tick) == [cut] && fromBus.map(\.manifest.tick) == [cut])
        try SnapshotIntegrationTests.expectSameSnapshots(fromLocal, fromBus, pools: network.pools.map(\.name))
        // Restored on the bus from one process's snapshot: the same final pools, the same
        // spikes after the cut.
        let snapshot = try #require(fromLocal.first).path
        let restored = try OutputDirectory("\(dir)/restored")
        let restoreFailures = try Self.runOnBus(network, ticks: ticks, out: restored, dir: dir, restore: snapshot)
        #expect(restoreFailures.allSatisfy { $0 == nil }, "\(restoreFailures)")
        for pool in network.pools {
            let whole = try Data(contentsOf: URL(fileURLWithPath: "\(local.path)/\(pool.name).pool"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(restored.path)/\(pool.name).pool")) == whole, "\(pool.name).pool differs after the restore")
            let tail = try SnapshotIntegrationTests.rasterTail(local.rasterPath(pool.name), from: Int(cut))
            #expect(!tail.isEmpty, "\(pool.name) is silent after tick \(cut)")
            #expect(try SnapshotIntegrationTests.rasterTail(restored.rasterPath(pool.name), from: Int(cut)) == tail, "\(pool.name).raster differs after tick \(cut)")
        }
    }

    /// Input from an injector on the bus is part of the deterministic schedule: the same
    /// rasters and pools as one process given the same file.
    @Test func injectedInputOnTheBusEqualsOneProcess() throws {
        let network = try Self.inProcess(LiveIOTests.defaultWithSource, tag: "inject-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var csv = "tick,neuron\n"
        for t in stride(from: 100, to: 2800, by: 37) {
            for k in 0 ..< 20 { csv += "\(t + k / 7),\(128 + (t * 7 + k * 13) % 128)\n" }
        }
        let input = "\(dir)/touch.csv"
        try csv.write(toFile: input, atomically: true, encoding: .utf8)
        let ticks: UInt64 = 3000
        let source = try #require(network.sources.firstIndex { $0.name == "touch" })
        let local = try OutputDirectory("\(dir)/local")
        let schedule = try InjectionSchedule(source: network.sources[source], events: try SpikeEventFile.readAll(input), file: input)
        _ = try LocalRun.run(network: network, ticks: ticks, out: local, injections: [schedule])
        let bus = try OutputDirectory("\(dir)/bus")
        let failures = try Self.runOnBus(network, ticks: ticks, out: bus, dir: dir, inject: [source: input])
        #expect(failures.allSatisfy { $0 == nil }, "\(failures)")
        for pool in network.pools {
            for path in [local.rasterPath(pool.name), "\(local.path)/\(pool.name).pool"] {
                let other = path.replacingOccurrences(of: local.path, with: bus.path)
                #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(contentsOf: URL(fileURLWithPath: other)), "\(other) differs from \(path)")
            }
        }
        // The input made a difference: the same network without it spikes otherwise.
        let plain = try OutputDirectory("\(dir)/plain")
        _ = try LocalRun.run(network: network, ticks: ticks, out: plain)
        let sensory = "sensory.raster"
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(plain.path)/\(sensory)")) != Data(contentsOf: URL(fileURLWithPath: "\(local.path)/\(sensory)")))
    }

    /// Failover in process: association's node, on a ZeroMQ context of its own, dies without
    /// a word (its context shut down from its own thread once the snapshot at tick 1000, or a
    /// later one, is in the store); the controller fails it over to its replica, rolls every pool back to the
    /// last snapshot, and the run ends exactly as one process's. Every runtime has a context
    /// of its own here, over `ipc://` endpoints, as separate processes would.
    @Test func aNodeThatDiesIsReplacedAndTheResultIsUnchanged() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let text = NetworkDescription.threePoolFileText + "\n[snapshots]\nevery = 500\nkeep = 2\n"
        let network = try NetworkDescription.parse(Array(LockstepIntegrationTests.withPrivateEndpoints(text, in: dir).utf8), file: "failover.toml")
        let ticks: UInt64 = 4000
        let local = try OutputDirectory("\(dir)/local")
        _ = try LocalRun.run(network: network, ticks: ticks, out: local)
        let out = try OutputDirectory("\(dir)/bus")
        let victim = try #require(network.pools.firstIndex { $0.name == "association" })
        let victimContext = try ZMQContext()

        var controllerOptions = ControllerOptions(network: network)
        controllerOptions.runTicks = ticks
        controllerOptions.exitWhenDone = true
        controllerOptions.snapshotRoot = "\(out.path)/snapshots"
        var group = ThreadGroup()
        group.add("controller") { [controllerOptions] in try Controller(options: controllerOptions, logger: Self.logger("controller")).run(shouldStop: { false }) }
        for pool in network.pools.indices {
            var options = NodeOptions(network: network, pool: pool, out: out)
            options.snapshotRoot = "\(out.path)/node-snapshots"
            if pool == victim {
                options.context = victimContext
                let store = "\(out.path)/snapshots"
                group.add("node association") { [options] in
                    var calls = 0
                    try NodeRuntime(options: options, logger: Self.logger("node/association")).run(shouldStop: {
                        calls += 1
                        if calls & 63 == 0, SnapshotStore.list(root: store).contains(where: { $0.manifest.tick >= 1000 }) {
                            try? victimContext.shutdown()
                        }
                        return false
                    })
                }
            } else {
                let name = network.pools[pool].name
                group.add("node \(name)") { [options] in try NodeRuntime(options: options, logger: Self.logger("node/\(name)")).run(shouldStop: { false }) }
            }
        }
        var replicaOptions = NodeOptions(network: network, pool: victim, out: out)
        replicaOptions.snapshotRoot = "\(out.path)/replica-snapshots"
        group.add("replica association") { [replicaOptions] in
            var options = replicaOptions
            let follower = try ReplicaRuntime(options: options, logger: Self.logger("replica/association"))
            guard let promotion = try follower.follow(shouldStop: { false }) else { throw NodeError.failed("the replica was never promoted") }
            options.promotion = promotion
            options.identity = follower.identity
            try NodeRuntime(options: options, logger: Self.logger("node/association (promoted)")).run(shouldStop: { false })
        }
        // The controller, the live nodes and the promoted replica finished; the victim did not.
        let failures = try group.run()
        #expect(failures[0] == nil && failures.last! == nil, "\(failures)")
        for pool in network.pools.indices where pool != victim { #expect(failures[1 + pool] == nil, "\(failures)") }
        #expect(failures[1 + victim] != nil, "association's node was never cut off")
        for pool in network.pools {
            for name in ["\(pool.name).pool", "\(pool.name).raster"] {
                let x = try Data(contentsOf: URL(fileURLWithPath: "\(local.path)/\(name)"))
                let y = try Data(contentsOf: URL(fileURLWithPath: "\(out.path)/\(name)"))
                #expect(x == y, "\(name) differs from one process's run")
            }
        }
    }
}
