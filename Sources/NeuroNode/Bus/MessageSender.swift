import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Sends framed messages with per-stream sequence numbers: pub/sub as one frame (topic,
/// message frame, topic length), request/reply as one frame (or with a routing envelope).
/// Owns one reusable frame buffer, so steady-state sends allocate nothing beyond libzmq's own
/// copy. Confined to the thread of its sockets.
public struct MessageSender {
    private var encoder: WireEncoder
    private var frame: [UInt8] = []
    /// Each stream's next sequence number. A sender has a handful of streams, so a linear
    /// scan beats hashing the topic bytes on every message.
    private var streams: [[UInt8]] = []
    private var sequences: [UInt32] = []
    /// Messages and message-frame bytes sent.
    public private(set) var packets: UInt64 = 0
    public private(set) var bytes: UInt64 = 0
    public let source: UInt16

    /// `spikePolicy`: `.compact` picks the smallest spike-set encoding (Rice coding for sparse
    /// sets), `.fast` the cheapest to encode and decode (protocol/SPEC.md §10.1).
    public init(source: UInt16, spikePolicy: SpikeEncodingPolicy = .compact) {
        self.source = source
        // No zlib on the bus: the spike encodings are already near their entropy, and deflate
        // costs far more time than the bytes it saves (bench bus: 9 MB/s instead of 150).
        encoder = WireEncoder(compression: .asFlagged, spikePolicy: spikePolicy)
        frame.reserveCapacity(4096)
    }

    private mutating func nextSequence(_ stream: [UInt8]) -> UInt32 {
        guard let index = streams.firstIndex(of: stream) else {
            streams.append(stream)
            sequences.append(1)
            return 0
        }
        defer { sequences[index] &+= 1 }
        return sequences[index]
    }

    private mutating func encode(_ message: WireMessage, stream: [UInt8]) throws(NodeError) {
        let envelope = WireEnvelope(source: source, sequence: nextSequence(stream), message: message)
        do { try encoder.encode(envelope, into: &frame) } catch { throw .wire("encoding \(message.kind)", error) }
    }

    /// Publishes `message` on `topic` (1…255 bytes ending with `/`) as one frame: the topic,
    /// the message frame, the topic's length (`WirePubSub`).
    public mutating func publish(_ message: WireMessage, topic: [UInt8], on socket: ZMQSocket) throws(NodeError) {
        startMessage(topic)
        let envelope = WireEnvelope(source: source, sequence: nextSequence(topic), message: message)
        do { try encoder.encode(envelope, appendingTo: &frame) } catch { throw .wire("encoding \(message.kind)", error) }
        try finishMessage(topic, on: socket)
    }

    /// Publishes `batch` as a `SPIKE_BATCH` on `topic`: `publish(.spikeBatch(batch), …)`
    /// without copying the batch into a message first (the nodes' hot path). The batch is
    /// not modified: it is `inout` only so that it is passed without a copy, where passing a
    /// stored property or a `var` as a borrowed argument retains and releases its three
    /// arrays on every message (perf, 10-spike batches: ~5 % of the sender's time).
    /// The frame buffer is written in place and never shrunk here (`writeSpikeBatch`), and a
    /// prefix of it is sent: no per-message resizing.
    public mutating func publish(spikes batch: inout SpikeBatch, topic: [UInt8], on socket: ZMQSocket) throws(NodeError) {
        Self.check(topic)
        let sequence = nextSequence(topic)
        if frame.count < topic.count { frame.append(contentsOf: repeatElement(0, count: topic.count - frame.count)) }
        frame.withUnsafeMutableBytes { raw in topic.withUnsafeBytes { raw.copyMemory(from: $0) } }
        let end: Int
        do { end = try encoder.writeSpikeBatch(batch, source: source, sequence: sequence, into: &frame, at: topic.count, trailer: 1) } catch {
            throw .wire("encoding SPIKE_BATCH", error)
        }
        frame[end] = UInt8(truncatingIfNeeded: topic.count)
        let sent = frame.withUnsafeBytes { raw in
            Result { () throws(ZMQError) in try socket.send(UnsafeRawBufferPointer(rebasing: raw[...end])) }
        }
        do { _ = try sent.get() } catch { throw .transport(error) }
        packets &+= 1
        bytes &+= UInt64(end - topic.count)
    }

    /// Topics come from `Topic`, built from validated pool names: a bad one is a bug here.
    private static func check(_ topic: [UInt8]) {
        precondition(WirePubSub.isTopic(topic), "bad pub/sub topic \(topic)")
    }

    private mutating func startMessage(_ topic: [UInt8]) {
        Self.check(topic)
        frame.removeAll(keepingCapacity: true)
        frame.append(contentsOf: topic)
    }

    private mutating func finishMessage(_ topic: [UInt8], on socket: ZMQSocket) throws(NodeError) {
        frame.append(UInt8(truncatingIfNeeded: topic.count))
        do throws(ZMQError) { try socket.send(frame) } catch { throw .transport(error) }
        packets &+= 1
        bytes &+= UInt64(frame.count - topic.count - 1)
    }

    /// Sends `message` as one frame (a DEALER to its ROUTER), preceded by `envelope` frames
    /// (a ROUTER's routing id, plus an empty delimiter for a REQ peer).
    public mutating func send(_ message: WireMessage, envelope: [[UInt8]] = [], stream: [UInt8], on socket: ZMQSocket) throws(NodeError) {
        try encode(message, stream: stream)
        do throws(ZMQError) {
            for part in envelope { try socket.send(part, more: true) }
            try socket.send(frame)
        } catch { throw .transport(error) }
        packets &+= 1
        bytes &+= UInt64(frame.count)
    }
}
