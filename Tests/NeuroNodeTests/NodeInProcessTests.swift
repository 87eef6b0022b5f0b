import Foundation
import Logging
import Testing
import NeuroWire
import ZeroMQ
@testable import NeuroNode
import NeuroNetwork
import NeuroEngine

/// A node in the test's own process, over `inproc://` on a shared context: the test plays the
/// controller and the upstream pool message by message, and the permits it grants decide how
/// far the node may run, so nothing here depends on timing.
@Suite("A node in process")
struct NodeInProcessTests {
    /// Real time, 1 ms ticks: `up` (played by the test) drives `down` (the node under test)
    /// all-to-all with delay 2; 16 coincident spikes of `up` make every `down` neuron fire.
    static func network(_ tag: String) throws -> NetworkDescription {
        let text = """
            [network]
            name = "resync"
            seed = 5
            mode = "realtime"
            tick_us = 1000

            [controller]
            control = "inproc://\(tag)-control"
            publish = "inproc://\(tag)-publish"

            [[pool]]
            name = "up"
            neurons = 16
            density = 0.05
            endpoint = "inproc://\(tag)-up"

            [[pool]]
            name = "down"
            neurons = 16
            density = 0.05
            endpoint = "inproc://\(tag)-down"

            [[projection]]
            from = "up"
            to = "down"
            out_degree = 16
            weight = [127, 127]
            delay = [2, 2]

            """
        return try NetworkDescription.parse(Array(text.utf8), file: "resync.toml")
    }

    /// What the node's thread ended with.
    final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var error: String?
        let done = DispatchSemaphore(value: 0)
        func finish(_ error: String?) {
            lock.withLock { self.error = error }
            done.signal()
        }
        var failure: String? { lock.withLock { error } }
    }

    /// Receives one message on `socket` within `attempts` polls of 10 ms, or fails naming `what`.
    static func receive(_ socket: ZMQSocket, _ what: String, attempts: Int = 3000, between: () throws -> Void = {}) throws -> [[UInt8]] {
        var poller = ZMQPoller()
        poller.add(socket)
        for _ in 0 ..< attempts {
            try between()
            if try poller.poll(timeoutMilliseconds: 10) > 0, let frames = try socket.receiveMultipart(dontWait: true) { return frames }
        }
        throw NodeError.timeout("no \(what) from the node")
    }

    /// Pool `up`'s streams: the primary's, ticks 0..<120 with every neuron firing at tick 20;
    /// then its replica's, restarted at sequence 0 without a marker, ticks 130..<200 firing at
    /// 150 — sequence numbers the primary's stream has passed (they would read as old).
    static func publishPrimaryAndReplica(_ primary: inout MessageSender, _ replica: inout MessageSender, on upstream: ZMQSocket) throws {
        try publish(&primary, ticks: 0 ..< 120, burstAt: 20, on: upstream)
        try publish(&replica, ticks: 130 ..< 200, burstAt: 150, on: upstream)
    }

    /// One batch per tick of pool `up` on `spk/up/`: silent but at `burstAt`, where all 16 fire.
    static func publish(_ sender: inout MessageSender, ticks: Range<UInt64>, burstAt burst: UInt64, on upstream: ZMQSocket) throws {
        let all = (0 ..< 16).map { UInt16($0) }
        var batch = SpikeBatch(firstTick: 0, neuronCount: 16)
        for t in ticks {
            batch.removeAll(firstTick: t, neuronCount: 16)
            batch.appendTick(t == burst ? all[...] : [])
            try sender.publish(spikes: &batch, topic: Topic.spikes("up"), on: upstream)
        }
    }

    /// A real-time upstream pool whose replica took over, and whose marker the node did not
    /// see (it subscribed to the new publisher after it): the replica's stream restarts its
    /// sequence at 0 with later ticks. The node follows it, as the recorder does (`PoolFeed`):
    /// the replica's input reaches the pool.
    @Test func aRealTimeNodeFollowsAReplicasStreamWhoseMarkerItMissed() throws {
        let network = try Self.network("resync-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let clock = try ZMQSocket(context, .pub)
        let upstream = try ZMQSocket(context, .pub)
        let output = try ZMQSocket(context, .sub)
        defer { for s in [router, clock, upstream, output] { s.close() } }
        for s in [router, clock, upstream, output] { try s.setLinger(milliseconds: 0) }
        try router.bind(network.controller.control)
        try clock.bind(network.controller.publish)
        try upstream.bind(network.pools[0].endpoint)
        try output.subscribe(Topic.spikes("down"))
        try output.connect(network.pools[1].endpoint)

        var options = NodeOptions(network: network, pool: 1)
        options.context = context
        // Nothing here is judged by silence: the test grants every tick.
        options.peerTimeoutMilliseconds = 600_000
        var node = NetworkInProcessTests.ThreadGroup()
        node.add("node down") { [options] in try NodeRuntime(options: options, logger: Logger(label: "node/down")).run(shouldStop: { false }) }
        node.start()

        var control = MessageSender(source: SourceID.controller)
        var primary = MessageSender(source: SourceID.pool(0))
        let hello = try Self.receive(router, "HELLO")
        let identity = hello[0]
        guard case .hello(let h) = try WireDecoder.decode(hello[1]).message else { throw NodeError.failed("not a HELLO") }
        #expect(h.name == "down" && identity == Topic.nodeIdentity("down"))
        try control.send(.welcome(Welcome(startTick: 0, epoch: 0, mode: .realtime, tickMicroseconds: 1000, networkHash: network.hash)),
                         envelope: [identity], stream: identity, on: router)
        // READY once the node hears the controller and its upstream on its SUB.
        let ready = try Self.receive(router, "READY") {
            try control.publish(.heartbeat(Heartbeat(state: .starting, tick: 0, uptimeMicroseconds: 0)), topic: Topic.controllerHeartbeat, on: clock)
            try primary.publish(.heartbeat(Heartbeat(state: .running, tick: 0, uptimeMicroseconds: 0)), topic: Topic.heartbeat("up"), on: upstream)
        }
        guard case .ready = try WireDecoder.decode(ready[1]).message else { throw NodeError.failed("not a READY") }
        try control.publish(.permit(Permit(until: 10, epoch: 0)), topic: Topic.clock, on: clock)

        var replica = MessageSender(source: SourceID.pool(0))
        try Self.publishPrimaryAndReplica(&primary, &replica, on: upstream)
        try control.publish(.permit(Permit(until: 240, epoch: 0)), topic: Topic.clock, on: clock)

        // Every tick the node publishes, up to 239.
        var fired: [UInt64: Int] = [:]
        var next: UInt64 = 0
        var received = SpikeBatch(firstTick: 0, neuronCount: 16)
        while next < 240 {
            let frames = try Self.receive(output, "spike batch up to tick 239 (at tick \(next))")
            let frame = frames[0]
            let n = try #require(frame.withUnsafeBytes { WirePubSub.topicLength($0) })
            _ = try frame[n ..< (frame.count - 1)].withUnsafeBytes { try WireDecoder.decodeSpikeBatch($0, into: &received) }
            for i in 0 ..< received.tickCount where !received.spikes(inTick: i).isEmpty {
                fired[received.firstTick + UInt64(i)] = received.spikes(inTick: i).count
            }
            next = received.firstTick + UInt64(received.tickCount)
        }
        try control.send(.command(Command(verb: .stop)), envelope: [identity], stream: identity, on: router)
        let stopped = try Self.receive(router, "stop reply")
        guard case .commandReply(let reply) = try WireDecoder.decode(stopped[1]).message else { throw NodeError.failed("not a stop reply") }
        #expect(reply.state == .stopped)
        #expect(try node.wait() == [nil])

        // Both inputs arrive two ticks later; nothing else drives the pool.
        #expect(fired[22] == 16, "the primary's input: \(fired)")
        #expect(fired[152] == 16, "the replica's input: \(fired)")
        #expect(fired.keys.allSatisfy { [22, 152].contains($0) || $0 == 23 || $0 == 153 }, "\(fired)")
    }

    /// The recorder follows the same replica's stream the same way: its file holds the
    /// primary's spikes and then the replica's.
    @Test func aRealTimeRecorderFollowsAReplicasStreamWhoseMarkerItMissed() throws {
        let network = try Self.network("record-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        let dir = try LockstepIntegrationTests.scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let context = try ZMQContext()
        let router = try ZMQSocket(context, .router)
        let upstream = try ZMQSocket(context, .pub)
        defer { for s in [router, upstream] { s.close() } }
        for s in [router, upstream] { try s.setLinger(milliseconds: 0) }
        try router.bind(network.controller.control)
        try upstream.bind(network.pools[0].endpoint)

        var options = RecorderOptions(network: network, pools: [0], out: dir, format: .csv, name: "resync")
        options.context = context
        options.peerTimeoutMilliseconds = 600_000
        var recorder = NetworkInProcessTests.ThreadGroup()
        recorder.add("recorder") { [options] in _ = try Recorder(options: options, logger: Logger(label: "recorder")).run(shouldStop: { false }) }
        recorder.start()

        var control = MessageSender(source: SourceID.controller)
        var primary = MessageSender(source: SourceID.pool(0))
        let hello = try Self.receive(router, "HELLO")
        let identity = hello[0]
        #expect(identity == Topic.recorderIdentity("resync"))
        try control.send(.welcome(Welcome(startTick: 0, epoch: 0, mode: .realtime, tickMicroseconds: 1000, networkHash: network.hash)),
                         envelope: [identity], stream: identity, on: router)
        // READY once it hears the pool: from then on its subscription is in place.
        _ = try Self.receive(router, "READY") {
            try primary.publish(.heartbeat(Heartbeat(state: .running, tick: 0, uptimeMicroseconds: 0)), topic: Topic.heartbeat("up"), on: upstream)
        }
        var replica = MessageSender(source: SourceID.pool(0))
        try Self.publishPrimaryAndReplica(&primary, &replica, on: upstream)
        // The pool stops: after its last batch, the recorder ends its file.
        try replica.publish(.heartbeat(Heartbeat(state: .stopped, tick: 200, uptimeMicroseconds: 0)), topic: Topic.heartbeat("up"), on: upstream)
        #expect(try recorder.wait() == [nil])
        let recorded = try SpikeEventFile.readAll("\(dir)/up.csv")
        #expect(Set(recorded.map(\.tick)) == [20, 150], "\(recorded.prefix(40))")
        #expect(recorded.count == 32)
    }
}
