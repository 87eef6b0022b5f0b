import Foundation
import NeuroNode
import NeuroWire
import Testing
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Real-time late and lost counters are exact: a proxy between pool a and pool b drops some
/// of a's spike batches and holds back others, and b counts exactly those.
@Suite("Real-time faults through a proxy", .serialized)
struct FaultInjectionTests {
    /// 25 ms ticks and a lag of 8 ticks: a batch has 175–200 ms of slack — the proxy runs in
    /// the test process, beside every other suite, and stalls of 70 ms and more were seen with
    /// other builds loading both cores — so only the batches the proxy holds back (2.5 s = 100
    /// ticks) can be late.
    static let network = """
        [network]
        name = "faults"
        seed = 3
        mode = "realtime"
        tick_us = 25000

        [controller]
        control = "tcp://127.0.0.1:27600"
        publish = "tcp://127.0.0.1:27601"

        [[pool]]
        name = "a"
        neurons = 64
        density = 0.1
        endpoint = "tcp://127.0.0.1:27610"

          [[pool.stimulus]]
          neurons = [0, 64]
          kind = "poisson"
          drive = 3072
          rate_hz = 20.0

        [[pool]]
        name = "b"
        neurons = 32
        density = 0.1
        endpoint = "tcp://127.0.0.1:27611"

        [[projection]]
        from = "a"
        to = "b"
        out_degree = 4
        weight = [10, 20]
        delay = [8, 8]

        """

    /// Spike batches of a (numbered from 0 as they reach the proxy; one per tick in real
    /// time) that the proxy drops, and that it holds back 2.5 s.
    static let dropped: Set<Int> = [100, 101, 250]
    static let delayed: Set<Int> = [180, 300]

    @Test func lateAndLostCountExactlyWhatTheProxyDid() throws {
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = "\(dir)/network.toml"
        try LockstepIntegrationTests.withPrivateEndpoints(Self.network, in: dir).write(toFile: file, atomically: true, encoding: .utf8)
        let network = try NetworkDescription.load(path: file)
        let proxyEndpoint = "ipc://\(dir)/proxy"

        // The proxy: hears everything a publishes and republishes it with its own sequence
        // numbers — consecutive, except one skipped per dropped batch — so a held-back batch
        // arrives late but in sequence, and a dropped one leaves a gap.
        // A relay stands in for pool a, so it holds a's key (b accepts no other server there).
        let context = try ZMQContext()
        let relay = try BusSecurity(directory: KeyDirectory(path: "\(dir)/keys"), as: BusPrincipal(.node, "a"))
        let zap = try relay.startHandler(context, log: .init(label: "proxy"))
        defer { zap.stop() }
        let upstream = try ZMQSocket(context, .sub)
        let downstream = try ZMQSocket(context, .pub)
        defer {
            upstream.close()
            downstream.close()
        }
        try upstream.setLinger(milliseconds: 0)
        try downstream.setLinger(milliseconds: 0)
        try upstream.subscribe([UInt8]())
        try relay.connect(upstream, to: network.pools[0].endpoint, server: BusPrincipal(.node, "a"))
        try relay.serve(downstream)
        try downstream.bind(proxyEndpoint)

        let executable = try LockstepIntegrationTests.executable()
        let children = [
            try ChildProcess(label: "controller", executable: executable,
                             arguments: ["controller", "--network", file, "--run-ticks", "450", "--exit-when-done"], logPath: "\(dir)/controller.log"),
            try ChildProcess(label: "a", executable: executable, arguments: ["node", "--network", file, "--pool", "a"], logPath: "\(dir)/a.log"),
            try ChildProcess(label: "b", executable: executable,
                             arguments: ["node", "--network", file, "--pool", "b", "--connect", "a=\(proxyEndpoint)"], logPath: "\(dir)/b.log"),
        ]
        defer { for c in children { c.kill(SIGKILL) } }

        var encoder = WireEncoder(compression: .asFlagged, spikePolicy: .fast)
        var sequences: [[UInt8]: UInt32] = [:]
        var held: [(due: Date, topic: [UInt8], envelope: WireEnvelope)] = []
        var batches = 0
        func forward(_ topic: [UInt8], _ envelope: WireEnvelope) throws {
            var e = envelope
            e.sequence = sequences[topic, default: 0]
            sequences[topic] = e.sequence &+ 1
            _ = try downstream.send(WirePubSub.join(topic: topic, frame: try encoder.encode(e)))
        }
        var poller = ZMQPoller()
        poller.add(upstream)
        let deadline = Date().addingTimeInterval(60)
        while children.contains(where: { $0.poll() == nil }), Date() < deadline {
            _ = try poller.poll(timeoutMilliseconds: 5)
            while let message = try upstream.receiveBytes(dontWait: true) {
                let n = try message.withUnsafeBytes { try #require(WirePubSub.topicLength($0)) }
                let frames = [Array(message[..<n]), Array(message[n..<(message.count - 1)])]
                let envelope = try WireDecoder.decode(frames[1])
                if case .spikeBatch = envelope.message {
                    defer { batches += 1 }
                    if Self.dropped.contains(batches) {
                        sequences[frames[0], default: 0] &+= 1
                        continue
                    }
                    if Self.delayed.contains(batches) {
                        held.append((Date().addingTimeInterval(2.5), frames[0], envelope))
                        continue
                    }
                }
                try forward(frames[0], envelope)
            }
            while let first = held.first, first.due <= Date() {
                try forward(first.topic, first.envelope)
                held.removeFirst()
            }
        }
        for c in children {
            #expect(c.poll() == .exited(0), "\(c.label): \((try? String(contentsOfFile: c.logPath, encoding: .utf8)) ?? "")")
        }
        #expect(batches >= 450, "the proxy saw \(batches) batches")
        let log = try String(contentsOfFile: "\(dir)/b.log", encoding: .utf8)
        #expect(log.contains("late batches 2, lost 3"), "\(log)")
        // a's own counters saw no fault.
        let aLog = try String(contentsOfFile: "\(dir)/a.log", encoding: .utf8)
        #expect(aLog.contains("late batches 0, lost 0"), "\(aLog)")
    }
}
