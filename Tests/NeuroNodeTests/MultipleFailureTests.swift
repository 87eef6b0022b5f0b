import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// Failures beyond one node at a time: a standby replica that dies (`up` starts a new one,
/// which then covers a failover of its pool), and two nodes that die together. Each run ends
/// exactly as the uninterrupted one.
@Suite("Replica loss and simultaneous failures", .serialized)
struct MultipleFailureTests {
    typealias L = LockstepIntegrationTests
    typealias T = TakeoverTests

    /// Whether `folder` holds a snapshot copy (a `tick-*` folder with `pool`'s part in it).
    static func holdsCopy(_ folder: String, of pool: String = "association") -> Bool {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).contains { name in
            name.hasPrefix("tick-") && fm.fileExists(atPath: "\(folder)/\(name)/\(pool).pool.z")
        }
    }

    /// The three-pool network with snapshots every 500 ticks, run for 30,000 ticks by `up
    /// --replicas` while `disturb` (given the scratch folder) kills processes: it must end
    /// with exit code 0, leave no process behind, and equal the uninterrupted `run`.
    static func expectUnchanged(by disturb: (String) throws -> Void) throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try T.write(T.withSnapshots(NetworkDescription.threePoolFileText), dir: dir)
        try T.reference(file, dir: dir, ticks: 30000)
        let up = try T.upWithReplicas(file, dir: dir, ticks: 30000)
        defer { up.killAndReap() }
        try disturb(dir)
        let status = T.finish(up, seconds: 120)
        #expect(status == .exited(0), "up: \(T.read("\(dir)/up.log"))\ncontroller: \(T.read("\(dir)/up/logs/controller.log"))")
        try FailoverTests.expectSameOutputs("\(dir)/run", "\(dir)/up")
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }

    @Test func aDeadStandbyIsReplacedAndTheResultIsUnchanged() throws {
        try Self.expectUnchanged { dir in
            // The first standby holds a snapshot; kill it.
            #expect(T.wait(seconds: 60) { Self.holdsCopy("\(dir)/up/replica-snapshots") })
            try T.kill("association", dir: dir, fragment: "replica-snapshots\u{0}")
            // Its successor holds one too; then the node dies and the successor takes over.
            #expect(T.wait(seconds: 60) { Self.holdsCopy("\(dir)/up/replica-snapshots-2") }, "no new standby")
            try T.kill("association", dir: dir)
        }
    }

    /// Two pools' nodes die together: the first found silent fails over, and the other,
    /// silent through the rollback, is failed over to its replica in the same epoch.
    @Test func twoPoolsFailOverTogetherAndTheResultIsUnchanged() throws {
        try Self.expectUnchanged { dir in
            #expect(T.wait(seconds: 60) { Self.holdsCopy("\(dir)/up/replica-snapshots", of: "association") && Self.holdsCopy("\(dir)/up/replica-snapshots", of: "motor") })
            try T.kill("association", dir: dir)
            try T.kill("motor", dir: dir)
        }
    }
}
