import ArgumentParser
import NeuroNode
import NeuroPool
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// `neurobus up`: the controller and one node process per pool on this machine.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run a network on this machine: the controller and one node process per pool.",
        discussion: """
        Starts `neurobus controller` and one `neurobus node` per pool (logs in OUT/logs/), shows \
        live progress (tick, ticks/s, spikes/s per pool), and ends with a summary table. Writes \
        OUT/network.toml and per pool OUT/POOL.raster and OUT/POOL.pool — byte-identical to \
        `neurobus run` on the same network. Without a file it runs the built-in default network. \
        Ctrl-C, or any process failing, stops everything: no process is left behind, the exit \
        status is non-zero and the message names what failed. The bus is authenticated (CURVE) \
        unless the network says [security] curve = false: with no --keys and no [security] keys, \
        `up` makes throw-away keys in OUT/keys (use `ctl --keys OUT/keys` to talk to the run).
        """
    )

    @OptionGroup var options: RunOptions

    @Flag(help: "Also run `neurobus record` on every pool, into OUT/record/ (the run starts once it is ready).")
    var record = false

    @Option(help: "Format of --record's files: npy or csv.")
    var recordFormat: SpikeFileFormat = .npy

    @Flag(help: "Also start a replica per pool (needs snapshots, e.g. [snapshots] every). When a pool's node dies, lockstep rolls the network back to the last snapshot and the replica takes over, with the same result; real time lets the replica take over from the last snapshot while the rest run on, and reports the gap. Each failover starts a new replica, so a pool survives repeated crashes.")
    var replicas = false

    @OptionGroup var keys: KeyOptions

    @Option(help: "Endpoints: free (each moved to a free port on 127.0.0.1, so runs side by side never collide; the default for the built-in network) or file (the network file's; the default for a file). The ports used are in OUT/network.toml.")
    var ports: PortPolicy?

    /// Where `up` binds.
    enum PortPolicy: String, ExpressibleByArgument, CaseIterable {
        case free, file
    }

    @Option(help: "Bind nodes to CPU cores: auto (each node to a core of its own — and its replica to the same — when this process may use at least as many cores as there are pools; else none) or never.")
    var pin: PinPolicy = .auto

    /// How `up` binds nodes to cores (`CPUAffinity`).
    enum PinPolicy: String, ExpressibleByArgument, CaseIterable {
        case auto, never
    }

    /// Where a cascade of failures most likely began: inputs (sources, the recorder) feed
    /// pools, and pools' failures stop the controller.
    static func causalRank(_ label: String) -> Int {
        if label.hasPrefix("source ") || label == "recorder" { return 0 }
        if label.hasPrefix("pool ") || label.hasPrefix("replica ") { return 1 }
        return 2
    }

    /// `network` with every endpoint on a free port of 127.0.0.1; refused when an endpoint is
    /// not on this machine's loopback (another machine's port cannot be chosen here).
    static func onFreePorts(_ network: NetworkDescription) throws -> NetworkDescription {
        let endpoints = NetworkEndpoints.endpoints(network)
        for e in endpoints where !(e.hasPrefix("tcp://127.0.0.1:") || e.lowercased().hasPrefix("tcp://localhost:")) {
            throw CommandFailure("--ports free: endpoint \(e) is not on 127.0.0.1; use --ports file to bind the file's endpoints")
        }
        do {
            let ports = try NetworkEndpoints.freeLoopbackPorts(endpoints.count)
            return try NetworkEndpoints.rewrite(network, hosts: ["127.0.0.1"], ports: ports, file: network.file).network
        } catch { throw CommandFailure("--ports free: \(error)") }
    }

    func run() throws {
        let (out, quiet) = (options.out, options.quiet)
        var description = try loadBusNetwork(options.network, warn: !options.quiet)
        let ticks = try options.ticks(for: description)
        if (ports ?? (options.network == nil ? .free : .file)) == .free { description = try Self.onFreePorts(description) }
        let injections = try options.injections(description)
        let restore = try options.restored(description)
        let restoreArguments = options.restore.map { ["--restore", $0] } ?? []
        let directory = try OutputDirectory(out)
        _ = try OutputDirectory(out + "/logs")
        // The children read the very bytes we hash, from the output folder.
        try directory.writeNetwork(description)
        let file = directory.networkPath
        // Children read the copy in OUT, so a key directory named relative to the original
        // file is passed to them resolved.
        var keyDirectory: String?
        if description.curve {
            if let given = keys.keys ?? description.keyDirectory {
                keyDirectory = given
            } else {
                keyDirectory = out + "/keys"
                do { try KeyDirectory.makeThrowaway(at: out + "/keys", principals: KeyDirectory.principals(of: description)) } catch {
                    throw CommandFailure("\(error)")
                }
            }
        }
        let keyArguments = keyDirectory.map { ["--keys", $0] } ?? []
        // The operator key: `up` watches the heartbeats and, on Ctrl-C, asks the controller to stop.
        let monitorSecurity = try keyDirectory.map { try KeyOptions.load($0, as: BusPrincipal(.operator)) }
        let executable = try selfExecutable()
        Signals.install()
        // Before any child starts: the pipe is close-on-exec, and no exit may go unsignalled.
        let childExits = Signals.childExitPipe()
        let start = monotonicSeconds()
        let cpus = pin == .never ? nil : CPUAffinity.assignment(pools: description.pools.count, cpus: CPUAffinity.allowed())
        /// `--cpu N` for pool `name`'s node and replicas, when pinned.
        func cpuArguments(_ name: String) -> [String] {
            guard let cpus, let k = description.pools.firstIndex(where: { $0.name == name }) else { return [] }
            return ["--cpu", "\(cpus[k])"]
        }

        var children: [ChildProcess] = []
        /// Replica `generation` of `pool` (the first is started with the network; each
        /// failover starts the next, so the pool survives another crash).
        func startReplica(_ pool: String, generation: Int) throws -> ChildProcess {
            let suffix = generation == 1 ? "" : "-\(generation)"
            return try ChildProcess(label: "replica \(pool)\(generation == 1 ? "" : " (\(generation))")", executable: executable,
                                    arguments: ["node", "--replica", "--network", file, "--pool", pool, "--out", out, "--exit-with-parent",
                                                "--snapshots", out + "/replica-snapshots\(suffix)"] + cpuArguments(pool) + keyArguments,
                                    ownProcessGroup: true, logPath: "\(out)/logs/replica-\(pool)\(suffix).log")
        }
        func stopAll() {
            for c in children { c.kill(SIGTERM) }
            let deadline = monotonicSeconds() + 2
            while children.contains(where: { $0.poll() == nil }), monotonicSeconds() < deadline { usleep(10_000) }
            for c in children where c.poll() == nil { c.kill(SIGKILL); _ = waitpid(c.pid, nil, 0) }
        }
        do {
            children.append(try ChildProcess(label: "controller", executable: executable,
                                             arguments: ["controller", "--network", file, "--run-ticks", "\(ticks)", "--exit-when-done", "--exit-with-parent"]
                                                 + (record ? ["--recorders", "1"] : []) + ["--snapshots", out + "/snapshots"]
                                                 + options.snapshotAt.flatMap { ["--snapshot-at", "\($0)"] } + restoreArguments + keyArguments
                                                 + (description.task == nil ? [] : ["--trials", "\(out)/trials.csv"]),
                                             ownProcessGroup: true, logPath: "\(out)/logs/controller.log"))
            for pool in description.pools {
                children.append(try ChildProcess(label: "pool \(pool.name)", executable: executable,
                                                 arguments: ["node", "--network", file, "--pool", pool.name, "--out", out, "--exit-with-parent",
                                                             "--snapshots", out + "/node-snapshots"] + cpuArguments(pool.name) + restoreArguments + keyArguments,
                                                 ownProcessGroup: true, logPath: "\(out)/logs/\(pool.name).log"))
            }
            for (source, input) in injections {
                children.append(try ChildProcess(label: "source \(source.name)", executable: executable,
                                                 arguments: ["inject", "--network", file, "--source", source.name, "--from", input, "--quiet", "--exit-with-parent",
                                                             "--start-tick", "\(restore?.manifest.tick ?? 0)"] + keyArguments,
                                                 ownProcessGroup: true, logPath: "\(out)/logs/source-\(source.name).log"))
            }
            if replicas {
                for pool in description.pools { children.append(try startReplica(pool.name, generation: 1)) }
            }
            if record {
                _ = try OutputDirectory(out + "/record")
                children.append(try ChildProcess(label: "recorder", executable: executable,
                                                 arguments: ["record", "--network", file, "-o", out + "/record", "--format", recordFormat.rawValue,
                                                             "--name", "up-\(getpid())", "--exit-with-parent"] + keyArguments,
                                                 ownProcessGroup: true, logPath: "\(out)/logs/recorder.log"))
            }
        } catch {
            stopAll()
            throw CommandFailure("\(error)")
        }
        let monitor: HeartbeatMonitor
        do { monitor = try HeartbeatMonitor(network: description, security: monitorSecurity) } catch { stopAll(); throw CommandFailure("\(error)") }
        defer { monitor.close() }
        if !quiet {
            let pinned = cpus.map { "; nodes bound to CPUs \(CPUAffinity.describe($0))" } ?? ""
            let keyed = keyDirectory.map { "; keys in \($0)" } ?? "; bus not authenticated ([security] curve = false)"
            printError("network \(description.name): controller and \(description.pools.count) node process(es) started\(pinned); logs in \(out)/logs/\(keyed)")
            printError("control: neurobus ctl status --network \(file)\(keyDirectory.map { " --keys \($0)" } ?? "")")
        }

        let realtime = description.mode == .realtime
        // Real time: a node that dies is reported and the rest run on (the controller stops
        // waiting for it after --peer-timeout); `up` still exits non-zero at the end.
        var died: [String] = []
        // With replicas: processes that died and were replaced (a pool's node or promoted
        // replica, by its standby; a standby, by a new one); per pool the label of the process
        // running it now, of its standby, and the replicas started.
        var failedOver: [String] = []
        var running = Dictionary(uniqueKeysWithValues: description.pools.map { ($0.name, "pool \($0.name)") })
        var standby = Dictionary(uniqueKeysWithValues: description.pools.map { ($0.name, "replica \($0.name)") })
        var generations = Dictionary(uniqueKeysWithValues: description.pools.map { ($0.name, 1) })
        var lastReport = start
        var lastTicks = description.pools.map { _ in UInt64(0) }
        var lastSpikes = description.pools.map { _ in UInt64(0) }
        var stopAsked = false
        while true {
            // The first Ctrl-C (or SIGTERM) asks the controller to end the run at one tick for
            // every pool, which writes every final output; a second one, or a controller that
            // cannot be asked, stops every process at once.
            let interruptions = Signals.count.load(ordering: .relaxed)
            if interruptions >= 2 {
                stopAll()
                throw CommandFailure("interrupted twice: stopped the controller and \(description.pools.count) node(s) at once; the final pools may be missing")
            }
            if interruptions == 1, !stopAsked {
                stopAsked = true
                do {
                    let reply = try ControlClient(endpoint: description.controller.control, timeoutMilliseconds: 2000, security: monitorSecurity).request(.command(Command(verb: .stop)))
                    if !quiet, case .commandReply(let r) = reply { printError("interrupted: \(r.message) (Ctrl-C again stops at once)") }
                } catch {
                    stopAll()
                    throw CommandFailure("interrupted, and the controller could not be asked to stop (\(error)): stopped the controller and \(description.pools.count) node(s) at once")
                }
            }
            // Children end with exit code 0 only when the controller stopped them after the run;
            // anything else is a failure that stops everything.
            for c in children {
                guard let status = c.poll(), !status.succeeded else { continue }
                // The pool's process dies: its standby takes over. A standby dies: the run goes
                // on. Either way a new standby starts, so the pool survives the next crash too.
                let primary = running.first(where: { $0.value == c.label })?.key
                if replicas, !failedOver.contains(c.label), let pool = primary ?? standby.first(where: { $0.value == c.label })?.key {
                    failedOver.append(c.label)
                    if primary != nil {
                        printError("\(c.label) died (\(status)); its replica takes over from the last snapshot\(realtime ? " (real time: the gap is reported in logs/controller.log)" : "")")
                        running[pool] = standby[pool]
                    } else {
                        printError("\(c.label) died (\(status)); a new standby replica of \(pool) starts")
                    }
                    generations[pool]! += 1
                    do {
                        let next = try startReplica(pool, generation: generations[pool]!)
                        standby[pool] = next.label
                        children.append(next)
                    } catch {
                        stopAll()
                        throw CommandFailure("cannot start a new replica of \(pool): \(error)")
                    }
                    break
                }
                if failedOver.contains(c.label) { continue }
                if realtime, c.label.hasPrefix("pool "), !died.contains(c.label) {
                    died.append(c.label)
                    printError("\(c.label) died (\(status)); real time runs on without it")
                    continue
                }
                if died.contains(c.label) { continue }
                // Failures come in cascades (a source's error stops its pool, whose error stops
                // the controller), and the first one seen is not always where it began: let
                // the cascade settle — 300 ms, and up to 2 s while an input process (which may
                // still be closing its sockets) could be the cause — then name where it began.
                func failures() -> [ChildProcess] {
                    children.filter { !(($0.poll()?.succeeded ?? true) || failedOver.contains($0.label) || died.contains($0.label)) }
                }
                let began = monotonicSeconds()
                while children.contains(where: { $0.poll() == nil }) {
                    let waited = monotonicSeconds() - began
                    let inputRunning = children.contains { Self.causalRank($0.label) == 0 && $0.poll() == nil }
                    let inputFailed = failures().contains { Self.causalRank($0.label) == 0 }
                    if waited >= 2 || (waited >= 0.3 && (inputFailed || !inputRunning)) { break }
                    usleep(20_000)
                }
                let failed = failures()
                let cause = failed.min { Self.causalRank($0.label) < Self.causalRank($1.label) } ?? c
                stopAll()
                let others = failed.filter { $0 !== cause }.map(\.label)
                let tail = cause.logTail()
                throw CommandFailure("\(cause.label) failed (\(cause.poll() ?? status)); everything stopped\(others.isEmpty ? "" : " (\(others.joined(separator: ", ")) failed after it)").\(tail.isEmpty ? "" : "\n--- \(cause.logPath) ---\n\(tail)")")
            }
            if children.allSatisfy({ $0.poll() != nil }) { break }
            // Wakes for a heartbeat, or at once when a child exits (the run's end, or a crash).
            do { try monitor.poll(milliseconds: 100, wakeOn: childExits) } catch { stopAll(); throw CommandFailure("\(error)") }
            if let childExits { Signals.drainChildExitPipe(childExits) }
            let now = monotonicSeconds()
            if !quiet, now - lastReport >= 1 {
                var parts: [String] = []
                for (k, pool) in description.pools.enumerated() {
                    guard let beat = monitor.beats[k] else { parts.append("\(pool.name) joining"); continue }
                    let dt = now - lastReport
                    let tps = Double(beat.tick - min(lastTicks[k], beat.tick)) / dt
                    let sps = Double(beat.counters.spikes - min(lastSpikes[k], beat.counters.spikes)) / dt
                    if died.contains("pool \(pool.name)") { parts.append("\(pool.name) DEAD at tick \(beat.tick)"); continue }
                    var part = "\(pool.name) tick \(beat.tick) \(formatFixed(tps, 0)) ticks/s \(formatFixed(sps, 0)) spikes/s"
                    if realtime { part += " late \(beat.counters.late) lost \(beat.counters.lost) overruns \(beat.overruns)" }
                    parts.append(part)
                    lastTicks[k] = beat.tick
                    lastSpikes[k] = beat.counters.spikes
                }
                if description.task != nil, let score = TaskScore.read(path: "\(out)/trials.csv.tmp") { parts.append(score.summary) }
                printError("[\(formatFixed(now - start, 1)) s] " + parts.joined(separator: " | "))
                lastReport = now
            }
        }
        let seconds = monotonicSeconds() - start
        // Summary from the final pools on disk (proof they were written) and the last heartbeats.
        var rows: [PoolSummary] = []
        for (k, spec) in description.pools.enumerated() where !died.contains("pool \(spec.name)") {
            var row: PoolSummary
            do { row = try PoolDriver.summary(ofFinalFile: directory.poolPath(spec.name)) } catch {
                // Real time: a pool whose replica could not take over (no snapshot yet) is dead.
                if realtime, failedOver.contains("pool \(spec.name)") { died.append("pool \(spec.name)"); continue }
                throw CommandFailure("pool \(spec.name) left no final pool file: \(error)")
            }
            row.packetsOut = monitor.beats[k]?.counters.packetsOut ?? 0
            row.bytesOut = monitor.beats[k]?.counters.bytesOut ?? 0
            rows.append(row)
        }
        print("network \(description.name) (\(description.file)), \(description.pools.count) pools, one process each")
        print(summaryTable(rows, tickMicroseconds: description.tickMicroseconds, seconds: seconds, showTraffic: true, startTick: restore?.manifest.tick ?? 0), terminator: "")
        printPopulationRates(description, directory: directory, rows: rows, startTick: restore?.manifest.tick ?? 0)
        if description.task != nil {
            print("task: \(TaskScore.read(path: "\(out)/trials.csv")?.summary ?? "no trials.csv (the controller's log says why)")")
        }
        let trials = description.task == nil ? "" : ", trials.csv"
        print("output: \(directory.path)/ (network.toml\(trials), \(rows.map { "\($0.name).raster, \($0.name).pool" }.joined(separator: ", ")), logs/)")
        if realtime {
            for (k, spec) in description.pools.enumerated() where !died.contains("pool \(spec.name)") {
                guard let beat = monitor.beats[k] else { continue }
                print("\(spec.name): late batches \(beat.counters.late), lost \(beat.counters.lost), overruns \(beat.overruns) (details in logs/\(spec.name).log)")
            }
        }
        if !died.isEmpty {
            throw CommandFailure("\(died.joined(separator: ", ")) died during the run; the other pools ran to the end")
        }
        // Stopped before the last tick (Ctrl-C, `ctl stop`): the outputs are complete up to
        // the tick shown, and the exit status says the run did not finish.
        if let first = rows.map(\.ticks).min(), first < ticks {
            let ends = Set(rows.map(\.ticks)).sorted()
            printError("the run was stopped at tick \(ends.map(String.init).joined(separator: ", ")) of \(ticks) (exit code 2)")
            throw ExitCode(2)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
