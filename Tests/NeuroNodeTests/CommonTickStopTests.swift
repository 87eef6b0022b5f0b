import Foundation
import NeuroNode
import NeuroWire
import Testing
import NeuroNetwork
import NeuroEngine

/// `ctl stop` and Ctrl-C on `up` end every pool at one tick, with every final output written,
/// and `up` says by its exit status (2) that the run did not reach its last tick.
@Suite("Stopping at a common tick", .serialized)
struct CommonTickStopTests {
    typealias L = LockstepIntegrationTests

    enum Stop { case ctl, interrupt }

    @Test(arguments: [Stop.ctl, Stop.interrupt])
    func everyPoolEndsAtOneTick(_ stop: Stop) throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(NetworkDescription.loopExampleText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        let last: UInt64 = 100_000_000
        let up = try ChildProcess(label: "up", executable: try L.executable(),
                                  arguments: ["up", file, "--ticks", "\(last)", "--out", "\(dir)/up", "--quiet"], logPath: "\(dir)/up.log")
        defer { up.killAndReap() }

        // Wait until every pool is past tick 2000 (at most 3000 status requests).
        var running = false
        for _ in 0 ..< 3000 where !running && up.poll() == nil {
            let client = try ControlClient(endpoint: network.controller.control, timeoutMilliseconds: 1000, security: try L.operatorSecurity(dir))
            if case .statusReply(let s)? = try? client.request(.statusRequest) {
                running = s.rows.count == network.pools.count && s.rows.allSatisfy { $0.tick >= 2000 }
            }
            if !running { usleep(20_000) }
        }
        try #require(running, "the run did not start: \((try? String(contentsOfFile: "\(dir)/up.log", encoding: .utf8)) ?? "")")

        switch stop {
        case .ctl:
            let reply = try ControlClient(endpoint: network.controller.control, timeoutMilliseconds: 5000, security: try L.operatorSecurity(dir)).request(.command(Command(verb: .stop)))
            guard case .commandReply(let r) = reply else { Issue.record("reply \(reply)"); return }
            #expect(r.message.hasPrefix("stopping every pool at tick"), "\(r.message)")
        case .interrupt:
            kill(up.pid, SIGINT)
        }
        for _ in 0 ..< 6000 where up.poll() == nil { usleep(20_000) }
        let log = (try? String(contentsOfFile: "\(dir)/up.log", encoding: .utf8)) ?? ""
        #expect(up.poll() == .exited(2), "\(log)")

        let ticks = try network.pools.map { try PoolDriver.summary(ofFinalFile: "\(dir)/up/\($0.name).pool").ticks }
        #expect(Set(ticks).count == 1 && ticks[0] >= 2000 && ticks[0] < last, "final ticks \(ticks)")
        let left = try FileManager.default.contentsOfDirectory(atPath: "\(dir)/up").filter { $0.hasSuffix(".tmp") }
        #expect(left.isEmpty, "\(left)")
    }

    /// Before its first `ctl run` the network is `ready` (SPEC §4.11), not `paused`; a stop
    /// then ends every pool at the tick it joined at.
    @Test func aNetworkIsReadyBeforeItsFirstRun() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(NetworkDescription.loopExampleText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        let executable = try L.executable()
        let children = try [ChildProcess(label: "controller", executable: executable, arguments: ["controller", "--network", file], logPath: "\(dir)/controller.log")]
            + network.pools.map { try ChildProcess(label: $0.name, executable: executable, arguments: ["node", "--network", file, "--pool", $0.name, "--out", "\(dir)/out"],
                                                   logPath: "\(dir)/\($0.name).log") }
        defer { for c in children { c.killAndReap() } }
        var state: NodeState?
        for _ in 0 ..< 3000 where state != .ready && children.allSatisfy({ $0.poll() == nil }) {
            let client = try ControlClient(endpoint: network.controller.control, timeoutMilliseconds: 1000, security: try L.operatorSecurity(dir))
            if case .statusReply(let s)? = try? client.request(.statusRequest) { state = s.state }
            if state != .ready { usleep(20_000) }
        }
        #expect(state == .ready)
        let reply = try ControlClient(endpoint: network.controller.control, timeoutMilliseconds: 5000, security: try L.operatorSecurity(dir)).request(.command(Command(verb: .stop)))
        guard case .commandReply(let r) = reply else { Issue.record("reply \(reply)"); return }
        #expect(r.targetTick == 0, "\(r)")
        for _ in 0 ..< 6000 where children.contains(where: { $0.poll() == nil }) { usleep(20_000) }
        #expect(children.allSatisfy { $0.poll() == .exited(0) }, "\(children.map { "\($0.label): \(String(describing: $0.poll()))" })")
        let ticks = try network.pools.map { try PoolDriver.summary(ofFinalFile: "\(dir)/out/\($0.name).pool").ticks }
        #expect(ticks.allSatisfy { $0 == 0 }, "\(ticks)")
    }
}

#if canImport(Glibc)
import Glibc
#endif
