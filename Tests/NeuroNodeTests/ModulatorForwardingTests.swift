import Foundation
import NeuroNode
import NeuroWire
import Testing
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// SPEC §4.3: a forwarder keeps modulator ids it does not apply. The controller republishes a
/// `ctl` modulation with every entry — serotonin (3) and a later id (7) included — and its reply
/// names what it published.
@Suite("Modulator forwarding", .serialized)
struct ModulatorForwardingTests {
    @Test func unknownModulatorIdsAreForwarded() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        // The tiny network without its source, so the node runs without input.
        let text = LiveIOTests.tinyNetwork.components(separatedBy: "[[source]]")[0]
        try LockstepIntegrationTests.withPrivateEndpoints(text, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        let executable = try LockstepIntegrationTests.executable()
        let children = [
            try ChildProcess(label: "controller", executable: executable,
                             arguments: ["controller", "--network", file, "--run-ticks", "100000000", "--exit-when-done"], logPath: "\(dir)/controller.log"),
            try ChildProcess(label: "input", executable: executable, arguments: ["node", "--network", file, "--pool", "input"], logPath: "\(dir)/input.log"),
        ]
        defer { for c in children { c.killAndReap() } }

        let context = try ZMQContext()
        let updates = try ZMQSocket(context, .sub)
        defer { updates.close() }
        try updates.setLinger(milliseconds: 0)
        try updates.subscribe(Topic.modulators)
        try LockstepIntegrationTests.operatorSecurity(dir).connect(updates, to: network.controller.publish, server: BusPrincipal(.controller))
        var poller = ZMQPoller()
        poller.add(updates)

        let sent: [(id: UInt8, level: UInt8)] = [(0, 140), (3, 77), (7, 9)]
        var heard: Modulators?
        // The subscription takes effect some time after connecting (ZeroMQ's slow joiner):
        // ask again until one broadcast arrives, at most 100 times.
        for _ in 0 ..< 100 where heard == nil {
            let client = try ControlClient(endpoint: network.controller.control, timeoutMilliseconds: 2000, security: try LockstepIntegrationTests.operatorSecurity(dir))
            guard case .modulators(let reply)? = try? client.request(.modulators(Modulators(tick: 0, mode: .onArrival, levels: sent))) else { continue }
            #expect(reply.levels.map(\.id) == [0, 3, 7] && reply.levels.map(\.level) == [140, 77, 9])
            _ = try poller.poll(timeoutMilliseconds: 100)
            while let message = try updates.receiveBytes(dontWait: true) {
                let n = try message.withUnsafeBytes { try #require(WirePubSub.topicLength($0)) }
                if case .modulators(let m) = try WireDecoder.decode(Array(message[n..<(message.count - 1)])).message { heard = m }
            }
        }
        let m = try #require(heard, "no mod/ broadcast heard")
        #expect(m.levels.map(\.id) == [0, 3, 7] && m.levels.map(\.level) == [140, 77, 9], "\(m.levels)")
    }
}
