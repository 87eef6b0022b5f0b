import Foundation
import NeuroNode
import Testing
import NeuroNetwork
import NeuroEngine

/// `ctl --network FILE` reaches only the controller of that network: one running another
/// network on the same endpoint refuses, naming both, and changes nothing.
@Suite("Control requests carry the network's identity", .serialized)
struct ControlIdentityTests {
    typealias L = LockstepIntegrationTests

    @Test func ctlForAnotherNetworkIsRefused() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mine = L.withPrivateEndpoints(NetworkDescription.loopExampleText, in: dir)
        try mine.write(toFile: "\(dir)/a.toml", atomically: true, encoding: .utf8)
        // Another network (another seed) whose controller endpoints are the same.
        try mine.replacingOccurrences(of: "seed = ", with: "seed = 9").write(toFile: "\(dir)/b.toml", atomically: true, encoding: .utf8)
        let a = try NetworkDescription.load(path: "\(dir)/a.toml"), b = try NetworkDescription.load(path: "\(dir)/b.toml")
        try #require(a.hash != b.hash && a.controller.control == b.controller.control)

        let controller = try ChildProcess(label: "controller", executable: try L.executable(), arguments: ["controller", "--network", "\(dir)/a.toml"],
                                          logPath: "\(dir)/controller.log")
        defer { controller.killAndReap() }
        // Its own file reaches it (retried while it starts).
        var own = (status: ChildProcess.Status.exited(1), output: "")
        for _ in 0 ..< 50 where own.status != .exited(0) {
            own = try L.neurobus(["ctl", "status", "--network", "\(dir)/a.toml", "--timeout", "1000"], log: "\(dir)/own.log", timeoutSeconds: 30)
        }
        #expect(own.status == .exited(0), "\(own.output)")
        let other = try L.neurobus(["ctl", "stop", "--network", "\(dir)/b.toml"], log: "\(dir)/other.log", timeoutSeconds: 30)
        #expect(other.status == .exited(1) && other.output.contains("this controller runs network") && other.output.contains(hex(b.hash)), "\(other.output)")
        #expect(controller.poll() == nil, "the controller stopped")
    }
}
