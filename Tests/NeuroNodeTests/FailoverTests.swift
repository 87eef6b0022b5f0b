import Foundation
import NeuroNode
import NeuroPool
import Testing
import NeuroNetwork
import NeuroEngine

/// Replicas and failover with real processes: a node killed mid-run is replaced by its
/// replica from the last snapshot, and the run ends exactly as if nothing had happened.
@Suite("Failover across processes", .serialized)
struct FailoverTests {
    typealias L = LockstepIntegrationTests

    @Test func aKilledNodeIsReplacedAndTheResultIsUnchanged() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        let text = NetworkDescription.threePoolFileText + "\n[snapshots]\nevery = 500\nkeep = 2\n"
        try L.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let reference = try L.neurobus(["run", file, "--ticks", "4000", "--out", "\(dir)/run", "--quiet"], log: "\(dir)/run.log")
        #expect(reference.status == .exited(0), "\(reference.output)")

        let up = try ChildProcess(label: "up", executable: try L.executable(),
                                  arguments: ["up", file, "--ticks", "4000", "--out", "\(dir)/up", "--quiet", "--replicas"], logPath: "\(dir)/up.log")
        defer { up.kill(SIGKILL) }
        // Kill association once the snapshot at tick 1000 (or a later one: `keep = 2` prunes
        // it) is in the store; its replica holds it or the one before, and the failover takes
        // the newest both have.
        var victim: pid_t?
        for _ in 0 ..< 3000 where victim == nil {
            if SnapshotStore.list(root: "\(dir)/up/snapshots").contains(where: { $0.manifest.tick >= 1000 }) {
                victim = L.pid(commandLineContaining: ["\(dir)/up/network.toml", "--pool\u{0}association\u{0}--out"])
            }
            if victim == nil { usleep(10_000) }
        }
        let target = try #require(victim, "association never got past the snapshot at tick 1000")
        kill(target, SIGKILL)
        var status: ChildProcess.Status?
        for _ in 0 ..< 6000 where status == nil {
            status = up.poll()
            if status == nil { usleep(20_000) }
        }
        let output = (try? String(contentsOfFile: "\(dir)/up.log", encoding: .utf8)) ?? ""
        let controller = (try? String(contentsOfFile: "\(dir)/up/logs/controller.log", encoding: .utf8)) ?? ""
        #expect(status == .exited(0), "up: \(output)\ncontroller: \(controller)")
        #expect(output.contains("pool association died") && controller.contains("failover complete"), "\(output)\n\(controller)")
        try Self.expectSameOutputs("\(dir)/run", "\(dir)/up")
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }

    /// Each pool's final `.pool` and raster in folder `b` equal those in `a` byte for byte.
    static func expectSameOutputs(_ a: String, _ b: String, pools: [String] = ["sensory", "association", "motor"]) throws {
        for pool in pools {
            for name in ["\(pool).pool", "\(pool).raster"] {
                let x = try Data(contentsOf: URL(fileURLWithPath: "\(a)/\(name)"))
                let y = try Data(contentsOf: URL(fileURLWithPath: "\(b)/\(name)"))
                #expect(x == y, "\(name) differs from the uninterrupted run")
            }
        }
    }
}
