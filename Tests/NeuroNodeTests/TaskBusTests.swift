import Foundation
import NeuroNode
import NeuroWire
import Testing
import NeuroNetwork
import NeuroEngine

/// A task across processes: `up` (one process per pool, the controller deciding the trials)
/// gives `run`'s rasters, pools and trials byte for byte, also when a readout pool's node is
/// killed mid-run and its replica takes over from the last snapshot.
@Suite("Tasks across processes", .serialized)
struct TaskBusTests {
    typealias L = LockstepIntegrationTests

    @Test func aTaskRunsAcrossProcessesAsInOneAlsoThroughAFailover() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        let text = try TaskTests.discrimination(["train_trials": "40", "test_trials": "10"]) + "\n[snapshots]\nevery = 5000\nkeep = 2\n"
        try L.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let reference = try L.neurobus(["run", file, "--out", "\(dir)/run", "--quiet"], log: "\(dir)/run.log")
        #expect(reference.status == .exited(0), "\(reference.output)")
        #expect(reference.output.contains("task: train"), "\(reference.output)")

        let up = try ChildProcess(label: "up", executable: try L.executable(),
                                  arguments: ["up", file, "--out", "\(dir)/up", "--quiet", "--replicas"], logPath: "\(dir)/up.log")
        defer { up.kill(SIGKILL) }
        // Kill the readout pool `left` once the snapshot at tick 10000 is complete: every pool
        // and the controller's referee roll back to a snapshot, and the trials decided since
        // are decided again.
        var victim: pid_t?
        for _ in 0 ..< 6000 where victim == nil {
            if let log = try? String(contentsOfFile: "\(dir)/up/logs/controller.log", encoding: .utf8), log.contains("at tick 10000 complete") {
                victim = L.pid(commandLineContaining: ["\(dir)/up/network.toml", "--pool\u{0}left\u{0}--out"])
            }
            if victim == nil { usleep(10_000) }
        }
        let target = try #require(victim, "left never got past the snapshot at tick 10000")
        kill(target, SIGKILL)
        var status: ChildProcess.Status?
        for _ in 0 ..< 9000 where status == nil {
            status = up.poll()
            if status == nil { usleep(20_000) }
        }
        let output = (try? String(contentsOfFile: "\(dir)/up.log", encoding: .utf8)) ?? ""
        let controller = (try? String(contentsOfFile: "\(dir)/up/logs/controller.log", encoding: .utf8)) ?? ""
        #expect(status == .exited(0), "up: \(output)\ncontroller: \(controller)")
        #expect(controller.contains("failover complete"), "\(controller)")
        try FailoverTests.expectSameOutputs("\(dir)/run", "\(dir)/up", pools: ["input", "left", "right"])
        let trials = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/run/trials.csv"))
        #expect(trials == (try Data(contentsOf: URL(fileURLWithPath: "\(dir)/up/trials.csv"))), "trials.csv differs from run's")
        #expect(String(decoding: trials, as: UTF8.self).split(separator: "\n").count == 51)
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }

    /// `ctl status` reports the task's progress: stepped through 6 trials of 500 ticks, the
    /// controller has decided 6, their right answers those of `trials.csv` from `run`; the
    /// JSON form carries the same under "task", and an observer's key may ask.
    @Test func ctlStatusReportsTheTaskProgress() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(try TaskTests.discrimination(["train_trials": "8", "test_trials": "4"]), in: dir)
            .write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        let reference = try L.neurobus(["run", file, "--ticks", "3000", "--out", "\(dir)/run", "--quiet"], log: "\(dir)/run.log")
        #expect(reference.status == .exited(0), "\(reference.output)")
        let right = try String(contentsOfFile: "\(dir)/run/trials.csv", encoding: .utf8).split(separator: "\n").dropFirst()
            .filter { $0.split(separator: ",")[4] == "1" }.count

        let executable = try L.executable()
        let children = try [ChildProcess(label: "controller", executable: executable, arguments: ["controller", "--network", file], logPath: "\(dir)/controller.log")]
            + network.pools.map { try ChildProcess(label: $0.name, executable: executable, arguments: ["node", "--network", file, "--pool", $0.name, "--out", "\(dir)/out"],
                                                   logPath: "\(dir)/\($0.name).log") }
        defer { for c in children { c.killAndReap() } }
        func client() throws -> ControlClient {
            try ControlClient(endpoint: network.controller.control, timeoutMilliseconds: 2000, security: try L.operatorSecurity(dir))
        }
        var status: StatusReply?
        for _ in 0 ..< 3000 where status?.state != .ready && children.allSatisfy({ $0.poll() == nil }) {
            if case .statusReply(let s)? = try? client().request(.statusRequest) { status = s }
            if status?.state != .ready { usleep(20_000) }
        }
        #expect(status?.state == .ready)
        guard case .taskReply(let before) = try client().request(.taskRequest) else { Issue.record("no task reply"); return }
        #expect(before == TaskProgress(trials: 12, decided: 0, trainTrials: 0, trainCorrect: 0, testTrials: 0, testCorrect: 0))
        _ = try client().request(.command(Command(verb: .step, argument: 3000)))
        // Every pool at tick 3000 (the controller then has every spike before it).
        for _ in 0 ..< 6000 where !(status.map { s in s.rows.allSatisfy { $0.tick >= 3000 } } ?? false) {
            if case .statusReply(let s)? = try? client().request(.statusRequest) { status = s }
            usleep(20_000)
        }
        let ctl = try L.neurobus(["ctl", "status", "--network", file, "--json", "--as", "observer", "--keys", "\(dir)/keys"], log: "\(dir)/ctl.log")
        #expect(ctl.status == .exited(0), "\(ctl.output)")
        let json = try JSONSerialization.jsonObject(with: Data(ctl.output.utf8)) as? [String: Any]
        let task = json?["task"] as? [String: Any]
        #expect(task?["trials"] as? Int == 12 && task?["decided"] as? Int == 6, "\(ctl.output)")
        #expect(task?["train_trials"] as? Int == 6 && task?["train_correct"] as? Int == right && task?["test_trials"] as? Int == 0, "\(ctl.output)")
        #expect((json?["rows"] as? [Any])?.count == 3, "\(ctl.output)")
        let text = try L.neurobus(["ctl", "status", "--network", file, "--keys", "\(dir)/keys"], log: "\(dir)/ctl-text.log")
        #expect(text.output.contains("task: 6 of 12 trials decided; train "), "\(text.output)")
        _ = try? client().request(.command(Command(verb: .stop)))
    }

    /// In real time the controller decides every trial from the batches that arrive (a lost
    /// tick counts as silent), so the trials file is complete when the run ends.
    @Test func aRealTimeRunDecidesEveryTrial() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        let text = try TaskTests.discrimination(["train_trials": "8", "test_trials": "4"])
            .replacingOccurrences(of: "tick_us = 1000", with: "tick_us = 1000\nmode = \"realtime\"")
        try L.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let up = try L.neurobus(["up", file, "--out", "\(dir)/up", "--quiet"], log: "\(dir)/up.log")
        #expect(up.status == .exited(0), "\(up.output)")
        let rows = try String(contentsOfFile: "\(dir)/up/trials.csv", encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 13, "\(rows)")
        let task = try #require(try TaskTests.parse(text).task)
        for (k, row) in rows.dropFirst().enumerated() {
            let fields = row.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields[0] == "\(k)" && fields[1] == (k < 8 ? "train" : "test") && fields[2] == task.labels[task.label(ofTrial: k)], "\(row)")
        }
    }
}
