import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// One received pub/sub message (protocol/SPEC.md §2.1): its topic and its message frame,
/// views into a single reused libzmq frame. Noncopyable, like the frame it holds; confined
/// to the thread of the socket it reads.
public struct PubSubMessage: ~Copyable {
    @usableFromInline var message = ZMQMessage()
    /// The topic's length; 0 when the last message read was not a NeuroBus pub/sub message.
    public private(set) var topicCount = 0

    public init() {}

    /// Reads the next message from `socket`; false when none was waiting (`dontWait`) or the
    /// socket's receive timeout passed. A message that is not well formed (several frames, or
    /// no valid trailing topic length) is read whole and reported with `isWellFormed` false.
    public mutating func receive(from socket: ZMQSocket, dontWait: Bool) throws(NodeError) -> Bool {
        do throws(ZMQError) {
            guard try socket.receive(into: &message, dontWait: dontWait) else { return false }
            guard !message.more else {
                // Not ours (an older two-frame sender, say): libzmq delivers a message whole,
                // so the rest is already here.
                while message.more { _ = try socket.receive(into: &message, dontWait: true) }
                topicCount = 0
                return true
            }
        } catch { throw .transport(error) }
        topicCount = message.withUnsafeBytes { WirePubSub.topicLength($0) } ?? 0
        return true
    }

    @inlinable public var isWellFormed: Bool { topicCount > 0 }

    /// Whether the message's topic is exactly `topic`. O(topic).
    @inlinable public func hasTopic(_ topic: [UInt8]) -> Bool {
        guard topicCount == topic.count else { return false }
        return message.withUnsafeBytes { raw in
            topic.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: raw[0..<topicCount]).elementsEqual($0) }
        }
    }

    /// A copy of the topic. O(topic).
    public var topic: [UInt8] { message.withUnsafeBytes { Array($0[0..<topicCount]) } }

    /// The message frame's size in bytes.
    @inlinable public var frameCount: Int { isWellFormed ? message.count - topicCount - 1 : 0 }

    /// Calls `body` with the message frame's bytes, valid only inside `body`. O(1).
    @inlinable public func withFrame<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let range = isWellFormed ? topicCount ..< message.count - 1 : 0 ..< 0
        return try message.withUnsafeBytes { (raw) throws(E) -> R in try body(UnsafeRawBufferPointer(rebasing: raw[range])) }
    }

    /// Whether the message frame is a `SNAPSHOT_MARKER`: its header's kind byte (offset 4),
    /// without decoding.
    @inlinable public var isMarker: Bool {
        withFrame { $0.count > 4 && $0[4] == WireKind.snapshotMarker.rawValue }
    }
}
