/// The pub/sub framing (protocol/SPEC.md §2.1): a pub/sub message is one ZeroMQ frame
/// holding the topic, then the message frame, then one byte giving the topic's length.
///
/// One frame instead of a topic frame plus a message frame saves libzmq a send, a queue entry
/// and a receive per message; the topic stays at the front, so a SUB socket's prefix
/// matching selects by it exactly as before.
public enum WirePubSub {
    /// The longest topic the trailing length byte can describe.
    public static let maxTopicLength = 255

    /// The topic's length in `message`, or nil when `message` is not a NeuroBus pub/sub
    /// message: no trailing length byte, a length of 0 or beyond the message, or a topic not
    /// ending with `/`. O(1).
    @inlinable
    public static func topicLength(_ message: UnsafeRawBufferPointer) -> Int? {
        guard message.count >= 2 else { return nil }
        let length = Int(message[message.count - 1])
        guard length >= 1, length < message.count, message[length - 1] == UInt8(ascii: "/") else { return nil }
        return length
    }

    /// Whether `topic` can head a pub/sub message: 1…255 bytes ending with `/`. O(1).
    public static func isTopic(_ topic: [UInt8]) -> Bool {
        (1...maxTopicLength).contains(topic.count) && topic.last == UInt8(ascii: "/")
    }

    /// The pub/sub message carrying `frame` on `topic` (`isTopic`). O(n).
    public static func join(topic: [UInt8], frame: [UInt8]) -> [UInt8] {
        precondition(isTopic(topic), "bad pub/sub topic \(topic)")
        var message = topic
        message.reserveCapacity(topic.count + frame.count + 1)
        message.append(contentsOf: frame)
        message.append(UInt8(topic.count))
        return message
    }
}
