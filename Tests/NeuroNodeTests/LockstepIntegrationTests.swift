import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Multi-process tests: `neurobus up` (a controller and one node process per pool, talking
/// ZeroMQ) against `neurobus run` (every pool in one process). They run the built
/// `neurobus` binary next to the test bundle.
@Suite("Lockstep runs across processes", .serialized)
struct LockstepIntegrationTests {
    /// The `neurobus` executable built with the tests.
    static func executable() throws -> String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for dir in [bundle, bundle.deletingLastPathComponent(), URL(fileURLWithPath: ".build/debug")] {
            let candidate = dir.appendingPathComponent("neurobus").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw NodeError.failed("the neurobus executable is not built next to \(bundle.path)")
    }

    /// A fresh short directory (ipc paths must stay under ~100 bytes).
    static func scratch() throws -> String {
        var template = Array("/tmp/nbt-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw NodeError.io("mkdtemp failed") }
        return String(cString: made)
    }

    /// `text` with every `tcp://127.0.0.1:PORT` endpoint moved to an ipc socket in `dir`, so
    /// tests never collide with anything listening on the machine.
    /// Also authenticates the bus as production does: keys for every principal of the network
    /// in `dir/keys`, named by `[security] keys` (the file must be written into `dir`). A text
    /// that does not parse, or already has a `[security]` table, gets no keys.
    static func withPrivateEndpoints(_ text: String, in dir: String) -> String {
        var out = text
        while let range = out.range(of: #"tcp://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
            let port = out[range].split(separator: ":").last!
            out.replaceSubrange(range, with: "ipc://\(dir)/\(port)")
        }
        guard !out.contains("[security]"), let network = try? NetworkDescription.parse(Array(out.utf8), file: "\(dir)/network.toml"),
              (try? KeyDirectory.generate(at: "\(dir)/keys", principals: KeyDirectory.principals(of: network))) != nil else { return out }
        return out + "\n[security]\nkeys = \"keys\"\n"
    }

    /// An operator's CURVE identity from the keys `withPrivateEndpoints` made in `dir`.
    static func operatorSecurity(_ dir: String) throws -> BusSecurity {
        try BusSecurity(directory: KeyDirectory(path: "\(dir)/keys"), as: BusPrincipal(.operator))
    }

    /// Runs `neurobus ARGS…`, returning its exit status and output (stdout and stderr).
    static func neurobus(_ arguments: [String], log: String, timeoutSeconds: Double = 240) throws -> (status: ChildProcess.Status, output: String) {
        let child = try ChildProcess(label: "neurobus \(arguments[0])", executable: try executable(), arguments: arguments, logPath: log)
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while child.poll() == nil {
            if Date() > deadline {
                child.kill(SIGKILL)
                Issue.record("neurobus \(arguments.joined(separator: " ")) did not finish within \(timeoutSeconds) s")
                break
            }
            usleep(20_000)
        }
        return (child.poll() ?? .signalled(SIGKILL), (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// Runs `network` both ways for `ticks` and requires byte-identical output files.
    /// `extra` is passed to both (e.g. `--inject SOURCE=FILE`); `prepare` may write files in
    /// the scratch folder first.
    /// Returns each pool's final summary (from `up`'s files).
    @discardableResult
    static func expectIdenticalRuns(networkText: String, ticks: Int, extra: [String] = [], prepare: (String) throws -> Void = { _ in }) throws -> [PoolSummary] {
        let dir = try scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try withPrivateEndpoints(networkText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        try prepare(dir)
        let network = try NetworkDescription.load(path: file)
        let extra = extra.map { $0.replacingOccurrences(of: "$DIR", with: dir) }

        let single = try neurobus(["run", file, "--ticks", "\(ticks)", "--out", "\(dir)/run", "--quiet"] + extra, log: "\(dir)/run.log")
        #expect(single.status == .exited(0), "\(single.output)")
        let distributed = try neurobus(["up", file, "--ticks", "\(ticks)", "--out", "\(dir)/up", "--quiet"] + extra, log: "\(dir)/up.log")
        #expect(distributed.status == .exited(0), "\(distributed.output)")

        var totalSpikes: UInt64 = 0
        var summaries: [PoolSummary] = []
        for pool in network.pools {
            for name in ["\(pool.name).raster", "\(pool.name).pool"] {
                let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/\(name)"))
                let b = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/up/\(name)"))
                #expect(a == b, "\(name) differs between `run` and `up` (\(a.count) vs \(b.count) bytes)")
            }
            let final = try PoolDriver.summary(ofFinalFile: "\(dir)/up/\(pool.name).pool")
            #expect(final.ticks == UInt64(ticks))
            totalSpikes += final.spikes
            summaries.append(final)
        }
        #expect(totalSpikes > 0, "the network must be active for the comparison to mean anything")
        return summaries
    }

    /// The three-pool network (plasticity on, dopamine rewards for motor activity, scheduled
    /// acetylcholine and cortisol broadcasts) for 5,000 ticks.
    @Test func threePoolNetworkIsIdenticalAcrossProcesses() throws {
        let network = NetworkDescription.builtInThreePool()
        #expect(network.pools.allSatisfy(\.config.stdp) && !network.rewards.isEmpty && !network.modulations.isEmpty)
        try Self.expectIdenticalRuns(networkText: NetworkDescription.threePoolFileText, ticks: 5000)
    }

    /// Two pools projecting into each other with delay 1: a tick-by-tick exchange.
    @Test func loopWithDelayOneIsIdenticalAcrossProcesses() throws {
        let network = NetworkDescription.builtInLoopExample()
        #expect(network.projections.allSatisfy { $0.delay.lowerBound == 1 })
        try Self.expectIdenticalRuns(networkText: NetworkDescription.loopExampleText, ticks: 5000)
    }

    /// A Hodgkin–Huxley pool between integer LIF pools, in a loop, with plasticity, rewards
    /// and broadcasts: one process per pool equals one process, byte for byte.
    @Test func mixedNetworkWithAHodgkinHuxleyPoolIsIdenticalAcrossProcesses() throws {
        let network = try NetworkDescription.parse(Array(NetworkDescription.mixedExampleText.utf8), file: "<mixed>")
        #expect(network.pools.map(\.model) == [.lif, .hh, .lif])
        let summaries = try Self.expectIdenticalRuns(networkText: NetworkDescription.mixedExampleText, ticks: 5000)
        let cortex = try #require(summaries.first { $0.name == "cortex" })
        #expect(cortex.spikes > 0 && summaries.allSatisfy { $0.spikes > 0 }, "\(summaries)")
    }

    /// A pairing rule (a reward 100…1000 ticks after each causal pre → post pairing, many of
    /// them pending at once) and a contest rule on a pool fed by another: the controller
    /// releases the same broadcasts in the same order as the single process.
    @Test func pairingAndContestRewardsAreIdenticalAcrossProcesses() throws {
        let network = try NetworkDescription.parse(Array(RewardScheduleTests.distalNetwork.utf8), file: "<distal>")
        #expect(network.rewards.map(\.kind.name) == ["pairing", "contest"])
        try Self.expectIdenticalRuns(networkText: RewardScheduleTests.distalNetwork, ticks: 3000)
    }

    /// Killing a node mid-run makes `up` fail, naming the pool, and leaves no process behind.
    @Test func killedNodeStopsEverything() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try Self.withPrivateEndpoints(NetworkDescription.loopExampleText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let status = try Self.upKillingPool("right", file: file, ticks: 100_000_000, dir: dir, waitSeconds: 20)
        #expect(status == .exited(1))
        let output = (try? String(contentsOfFile: "\(dir)/up.log", encoding: .utf8)) ?? ""
        #expect(output.contains("pool right failed"), "\(output)")
        #expect(Self.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }

    /// Runs `neurobus up FILE --ticks TICKS --out DIR/up` (output in DIR/up.log), SIGKILLs
    /// pool `pool`'s node once log `DIR/up/logs/LOG.log` contains `marker` (default: the pool's
    /// own log says it is ready), and returns how `up` ended within `waitSeconds` (nil: it did
    /// not end, and was killed).
    /// `whileWaiting` runs every 20 ms after the kill until `up` ends.
    static func upKillingPool(_ pool: String, file: String, ticks: Int, dir: String, waitSeconds: Int,
                              whenLog log: String? = nil, contains marker: String = "ready",
                              whileWaiting: () -> Void = {}) throws -> ChildProcess.Status? {
        let up = try ChildProcess(label: "up", executable: try executable(),
                                  arguments: ["up", file, "--ticks", "\(ticks)", "--out", "\(dir)/up", "--quiet"], logPath: "\(dir)/up.log")
        var victim: pid_t?
        for _ in 0 ..< 1500 where victim == nil {
            if let text = try? String(contentsOfFile: "\(dir)/up/logs/\(log ?? pool).log", encoding: .utf8), text.contains(marker) {
                victim = pid(commandLineContaining: ["\(dir)/up/network.toml", "--pool\u{0}\(pool)"])
            }
            if victim == nil { usleep(20_000) }
        }
        guard let target = victim else {
            up.kill(SIGKILL)
            throw NodeError.failed("pool \(pool) never became ready")
        }
        kill(target, SIGKILL)
        var status: ChildProcess.Status?
        for _ in 0 ..< waitSeconds * 50 where status == nil {
            status = up.poll()
            if status == nil {
                whileWaiting()
                usleep(20_000)
            }
        }
        if status == nil { up.kill(SIGKILL) }
        return status
    }

    /// The pid of a process whose command line (NUL-separated) contains every fragment.
    static func pid(commandLineContaining fragments: [String]) -> pid_t? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = pid_t(entry), pid != getpid(),
                  let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
            let line = String(decoding: data, as: UTF8.self)
            if fragments.allSatisfy({ line.contains($0) }) {
                // Skip zombies: they are gone, only not reaped yet.
                if let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8), stat.contains(") Z ") { continue }
                return pid
            }
        }
        return nil
    }
}
