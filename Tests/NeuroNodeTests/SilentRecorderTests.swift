import Foundation
import NeuroNode
import NeuroWire
import Testing
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// A peer that joins as a recorder and never says READY (a hostile peer, or a recorder killed
/// while joining) cannot hold a lockstep run's clock: the controller drops it after five peer
/// timeouts, tells it why, and the run ends exactly as an undisturbed one.
@Suite("Silent recorder", .serialized)
struct SilentRecorderTests {
    typealias L = LockstepIntegrationTests

    @Test func aRecorderThatNeverSaysReadyIsDropped() throws {
        let dir = try L.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try L.withPrivateEndpoints(NetworkDescription.threePoolFileText, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        let reference = try L.neurobus(["run", file, "--ticks", "3000", "--out", "\(dir)/run", "--quiet"], log: "\(dir)/run.log")
        #expect(reference.status == .exited(0), "\(reference.output)")

        // The silent recorder joins first, so the controller holds the start for it.
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, .dealer)
        defer { dealer.close() }
        try dealer.setLinger(milliseconds: 0)
        try dealer.setRoutingID(Array("recorder/silent".utf8))
        try L.operatorSecurity(dir).connect(dealer, to: network.controller.control, server: BusPrincipal(.controller))

        let executable = try L.executable()
        let timeout = ["--peer-timeout", "400"]
        let children = try [ChildProcess(label: "controller", executable: executable,
                                         arguments: ["controller", "--network", file, "--run-ticks", "3000", "--exit-when-done"] + timeout,
                                         logPath: "\(dir)/controller.log")]
            + network.pools.map { try ChildProcess(label: $0.name, executable: executable,
                                                   arguments: ["node", "--network", file, "--pool", $0.name, "--out", "\(dir)/bus"],
                                                   logPath: "\(dir)/\($0.name).log") }
        defer { for c in children { c.killAndReap() } }

        var sender = MessageSender(source: SourceID.ctl)
        let hello = Hello(role: .recorder, pool: 0, neuronCount: 0, networkHash: network.hash, tick: 0, name: "silent", software: "test")
        var poller = ZMQPoller()
        poller.add(dealer)
        var welcomed = false, refused: String?
        // Say HELLO until WELCOME comes (the controller may not be bound yet), then listen.
        for _ in 0 ..< 3000 where refused == nil && children.contains(where: { $0.poll() == nil }) {
            if !welcomed { try sender.send(.hello(hello), stream: [], on: dealer) }
            _ = try poller.poll(timeoutMilliseconds: 20)
            while let bytes = try dealer.receiveBytes(dontWait: true) {
                switch try WireDecoder.decode(bytes).message {
                case .welcome: welcomed = true
                case .error(let e): refused = e.message
                default: break
                }
            }
        }
        #expect(welcomed)
        #expect(refused?.contains("did not say READY") == true, "\(refused ?? "no refusal")")
        for _ in 0 ..< 6000 where children.contains(where: { $0.poll() == nil }) { usleep(20_000) }
        #expect(children.allSatisfy { $0.poll() == .exited(0) }, "\(children.map { "\($0.label): \(String(describing: $0.poll()))" })")
        try FailoverTests.expectSameOutputs("\(dir)/run", "\(dir)/bus")
    }
}
