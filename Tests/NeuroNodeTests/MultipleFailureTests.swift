import Foundation
import NeuroNode
import Testing

/// A standby replica that dies does not stop a healthy run: `up` starts a new one, which
/// then covers a failover of its pool, and the run ends exactly as the uninterrupted one.
@Suite("Standby replica loss", .serialized)
struct StandbyReplicaTests {
    typealias L = LockstepIntegrationTests
    typealias T = TakeoverTests

    /// Whether `folder` holds a snapshot copy (a `tick-*` folder with a part in it).
    static func holdsCopy(_ folder: String) -> Bool {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).contains { name in
            name.hasPrefix("tick-") && ((try? fm.contentsOfDirectory(atPath: "\(folder)/\(name)")) ?? []).contains { $0.hasSuffix(".pool.z") }
        }
    }

    @Test func aDeadStandbyIsReplacedAndTheResultIsUnchanged() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = try T.write(T.withSnapshots(NetworkDescription.defaultFileText), dir: dir)
        try T.reference(file, dir: dir, ticks: 30000)
        let up = try T.upWithReplicas(file, dir: dir, ticks: 30000)
        defer { up.killAndReap() }
        // The first standby holds a snapshot; kill it.
        #expect(T.wait(seconds: 60) { Self.holdsCopy("\(dir)/up/replica-snapshots") })
        try T.kill("association", dir: dir, fragment: "replica-snapshots\u{0}")
        // Its successor holds one too; then the node dies and the successor takes over.
        #expect(T.wait(seconds: 60) { Self.holdsCopy("\(dir)/up/replica-snapshots-2") }, "no new standby")
        try T.kill("association", dir: dir)
        let status = T.finish(up, seconds: 120)
        #expect(status == .exited(0), "up: \(T.read("\(dir)/up.log"))\ncontroller: \(T.read("\(dir)/up/logs/controller.log"))")
        try FailoverTests.expectSameOutputs("\(dir)/run", "\(dir)/up")
        #expect(L.pid(commandLineContaining: ["\(dir)/up/network.toml"]) == nil, "a process was left behind")
    }
}
