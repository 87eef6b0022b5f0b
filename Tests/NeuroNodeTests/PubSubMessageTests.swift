import NeuroNode
import NeuroWire
import Testing
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// The node side of the one-frame pub/sub framing: what `MessageSender.publish` sends,
/// `PubSubMessage` reads back (topic, frame, marker), and a message in any other shape —
/// a two-frame message of an older sender, or one frame without a valid topic length — is
/// read whole and skipped, so the next message is read intact.
@Suite struct PubSubMessageTests {
    @Test func publishedMessagesReadBackAndForeignShapesAreSkippedWhole() throws {
        let context = try ZMQContext()
        let pub = try ZMQSocket(context, .pub)
        let sub = try ZMQSocket(context, .sub)
        defer { pub.close(); sub.close() }
        try pub.bind("inproc://pubsub-message")
        try sub.subscribe(Topic.spikes("a"))
        try sub.connect("inproc://pubsub-message")
        var sender = MessageSender(source: 3, spikePolicy: .fast)
        var message = PubSubMessage()

        // inproc connects at once, but the subscription still travels: publish a first
        // message until it arrives (no sleeps).
        var batch = SpikeBatch(firstTick: 40, neuronCount: 1000)
        batch.appendTick([1, 2, 999])
        var poller = ZMQPoller()
        poller.add(sub)
        var warmed = false
        for _ in 0..<300 where !warmed {
            try sender.publish(.heartbeat(Heartbeat(state: .ready, tick: 0, uptimeMicroseconds: 0)), topic: Topic.spikes("a"), on: pub)
            warmed = try poller.poll(timeoutMilliseconds: 10) > 0
        }
        #expect(warmed)
        while try message.receive(from: sub, dontWait: true) {}

        try pub.sendMultipart([Topic.spikes("a"), [1, 2, 3]])             // an older two-frame sender
        try pub.send(Topic.spikes("a") + [0xEE, 0x99])                    // length byte beyond the frame
        try sender.publish(.spikeBatch(batch), topic: Topic.spikes("a"), on: pub)
        try sender.publish(.snapshotMarker(SnapshotCut(snapshot: 7, parent: 0, tick: 41)), topic: Topic.spikes("a"), on: pub)
        try sender.publish(.spikeBatch(batch), topic: Topic.spikes("ab"), on: pub) // not subscribed

        #expect(try message.receive(from: sub, dontWait: false))
        #expect(!message.isWellFormed && message.frameCount == 0 && !message.hasTopic(Topic.spikes("a")))
        #expect(try message.receive(from: sub, dontWait: false))
        #expect(message.isWellFormed == false)

        #expect(try message.receive(from: sub, dontWait: false))
        #expect(message.isWellFormed && message.hasTopic(Topic.spikes("a")) && !message.hasTopic(Topic.spikes("ab")))
        #expect(message.topic == Topic.spikes("a") && !message.isMarker)
        let envelope = try message.withFrame { (raw) throws(WireError) in try WireDecoder.decode(raw) }
        guard case .spikeBatch(let got) = envelope.message else { Issue.record("not a batch: \(envelope.message)"); return }
        #expect(envelope.source == 3 && got.firstTick == 40 && got.sameSpikes(as: batch))
        var encoder = WireEncoder(spikePolicy: .fast)
        let frame = try encoder.encode(envelope)
        #expect(message.frameCount == frame.count)
        #expect(message.withFrame { Array($0) } == frame)

        #expect(try message.receive(from: sub, dontWait: false))
        #expect(message.isMarker == true && message.hasTopic(Topic.spikes("a")))
        // Nothing else: the unsubscribed sibling topic was filtered by its prefix.
        #expect(try message.receive(from: sub, dontWait: true) == false)
        #expect(sender.packets >= 4)
    }
}
