import Logging
import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// The two ends of `neurobus bench bus`: spike batches through the nodes' own transport path
/// (topic + encode + CRC in one frame on a PUB; SUB receive, CRC check, decode, sequence check
/// and stream bookkeeping), one end per process.
public enum BusThroughput {
    /// The topic the batches go on.
    public static let topic = Topic.spikes("bench")

    /// What the receiving end measured, from its first message to its last.
    public struct Result: Sendable {
        public var messages: Int
        /// Topic, message frame and topic-length byte, summed over the messages.
        public var bytes: Int
        public var spikes: Int
        public var seconds: Double
    }

    /// Binds an XPUB at `endpoint`, waits for one subscription (no sleep: the XPUB hands it
    /// over), then publishes `messages` batches, cycling through `batches` (a power of two of
    /// them), batch k stamped at tick k × `ticksPerBatch`. O(messages × batch size).
    public static func publish(at endpoint: String, batches: [SpikeBatch], messages: Int, ticksPerBatch: Int, policy: SpikeEncodingPolicy,
                               security: BusSecurity?, log: Logger) throws(NodeError) {
        guard !batches.isEmpty, batches.count & (batches.count - 1) == 0 else {
            throw .failed("bench bus: \(batches.count) batches to cycle through; a power of two is needed")
        }
        let context: ZMQContext, pub: ZMQSocket
        do {
            context = try ZMQContext()
            pub = try ZMQSocket(context, .xpub)
        } catch { throw .transport(error) }
        defer { pub.close() }
        do throws(ZMQError) {
            try pub.setLinger(milliseconds: 5000)
            try pub.setSendHighWaterMark(0)
        } catch { throw .transport(error) }
        let zap = try BusSecurity.bind([(pub, endpoint)], in: context, with: security, log: log)
        defer { zap?.stop() }
        let subscription: [UInt8]?
        do { subscription = try pub.receiveBytes() } catch { throw .transport(error) }
        guard let subscription, subscription.first == 1 else { throw .failed("bench bus: no subscription came") }
        var sender = MessageSender(source: 1, spikePolicy: policy)
        var batches = batches
        let mask = batches.count - 1
        for k in 0 ..< messages {
            batches[k & mask].firstTick = UInt64(k * ticksPerBatch)
            try sender.publish(spikes: &batches[k & mask], topic: topic, on: pub)
        }
    }

    /// Connects a SUB to `endpoint` (the publisher's CURVE identity `server` when `security` is
    /// given) and takes `messages` batches of a 65,536-neuron pool, checking each as a node
    /// does. O(messages × batch size).
    public static func receive(from endpoint: String, messages: Int, server: BusPrincipal, security: BusSecurity?) throws(NodeError) -> Result {
        let context: ZMQContext, sub: ZMQSocket
        do {
            context = try ZMQContext()
            sub = try ZMQSocket(context, .sub)
        } catch { throw .transport(error) }
        defer { sub.close() }
        do throws(ZMQError) {
            try sub.setReceiveHighWaterMark(0)
            try sub.subscribe(topic)
        } catch { throw .transport(error) }
        try BusSecurity.connect(sub, to: endpoint, server: server, with: security)
        var message = PubSubMessage()
        var sequence = SequenceCheck()
        var stream = SpikeStream(name: "bench", neuronCount: 65536)
        var result = Result(messages: messages, bytes: 0, spikes: 0, seconds: 0)
        var start: UInt64 = 0
        for k in 0 ..< messages {
            _ = try message.receive(from: sub, dontWait: false)
            if k == 0 { start = monotonicMicroseconds() }
            guard message.hasTopic(topic) else { throw .failed("bench bus: message \(k) is not on \(String(decoding: topic, as: UTF8.self))") }
            var batch = stream.spareBatch()
            let header: WireHeader
            do { header = try message.withFrame { (raw) throws(WireError) in try WireDecoder.decodeSpikeBatch(raw, into: &batch) } } catch {
                throw .wire("spk/bench/", error)
            }
            guard let lost = sequence.accept(header.sequence), lost == 0 else { throw .failed("bench bus: sequence gap at message \(k)") }
            let first = batch.firstTick
            result.spikes += batch.spikeCount
            try stream.append(consume batch)
            stream.discard(before: first)
            result.bytes += message.frameCount + topic.count + 1
        }
        result.seconds = Double(monotonicMicroseconds() - start) / 1e6
        return result
    }
}
