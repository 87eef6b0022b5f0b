import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Sending. Every variant copies the caller's bytes into a libzmq message before returning,
// so the buffer may be reused at once. EINTR is retried; EAGAIN (would block with `dontWait`,
// or the send timeout expired) returns `false`; any other failure throws.
extension ZMQSocket {
    /// Sends `bytes` as one frame (`zmq_send`); `more` marks further frames of the same message.
    /// O(n) copy. Returns `false` if the frame was not queued because the call would block.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try liveHandle("zmq_send(\(bytes.count) bytes)")
        let code = Self.sendFrame(handle, bytes, Self.sendFlags(more: more, dontWait: dontWait))
        return try Self.sent(code, "zmq_send(\(bytes.count) bytes)")
    }

    /// Sends `bytes` as one frame; see `send(_:more:dontWait:)` for the buffer variant.
    @discardableResult
    public func send(_ bytes: [UInt8], more: Bool = false, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try liveHandle("zmq_send(\(bytes.count) bytes)")
        let flags = Self.sendFlags(more: more, dontWait: dontWait)
        let code = bytes.withUnsafeBytes { Self.sendFrame(handle, $0, flags) }
        return try Self.sent(code, "zmq_send(\(bytes.count) bytes)")
    }

    /// Sends the UTF-8 bytes of `text` (no terminator) as one frame, e.g. a topic.
    @discardableResult
    public func send(_ text: String, more: Bool = false, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try liveHandle("zmq_send(\"\(text)\")")
        let flags = Self.sendFlags(more: more, dontWait: dontWait)
        var text = text
        let code = text.withUTF8 { Self.sendFrame(handle, UnsafeRawBufferPointer($0), flags) }
        return try Self.sent(code, "zmq_send(\"\(text)\")")
    }

    /// Sends `frames` as one multipart message (MORE on all but the last). Peers receive all
    /// frames or none. Returns `false` only if the first frame would block; libzmq accepts
    /// the rest of a message once its first frame is in, so a later EAGAIN is thrown.
    /// Throws `EINVAL` for an empty array: a message has at least one frame.
    @discardableResult
    public func sendMultipart(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try liveHandle("zmq_send(multipart, \(frames.count) frames)")
        guard !frames.isEmpty else {
            throw ZMQError(code: EINVAL, operation: "zmq_send(multipart, 0 frames)")
        }
        let last = frames.count - 1
        for index in frames.indices {
            let flags = Self.sendFlags(more: index < last, dontWait: dontWait)
            let code = frames[index].withUnsafeBytes { Self.sendFrame(handle, $0, flags) }
            if code == 0 { continue }
            if code == EAGAIN && index == 0 { return false }
            throw ZMQError(code: code, operation: "zmq_send(frame \(index + 1) of \(frames.count))")
        }
        return true
    }

    /// Sends `message` as one frame without copying (`zmq_msg_send`). On success libzmq takes
    /// the content and `message` is left empty, ready for reuse; on `false` it is unchanged.
    @discardableResult
    public func send(_ message: inout ZMQMessage, more: Bool = false, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try liveHandle("zmq_msg_send(\(message.count) bytes)")
        let flags = Self.sendFlags(more: more, dontWait: dontWait)
        while zmq_msg_send(message.storage, handle, flags) < 0 {
            let code = zmq_errno()
            if code == EINTR { continue }
            return try Self.sent(code, "zmq_msg_send(\(message.count) bytes)")
        }
        return true
    }

    static func sendFlags(more: Bool, dontWait: Bool) -> Int32 {
        (more ? ZMQ_SNDMORE : 0) | (dontWait ? ZMQ_DONTWAIT : 0)
    }

    /// One `zmq_send`, retried on EINTR. Returns 0 or the libzmq errno.
    /// (A NULL buffer of length 0 is explicitly allowed by zmq_send.)
    static func sendFrame(_ handle: UnsafeMutableRawPointer, _ bytes: UnsafeRawBufferPointer, _ flags: Int32) -> Int32 {
        while zmq_send(handle, bytes.baseAddress, bytes.count, flags) < 0 {
            let code = zmq_errno()
            if code != EINTR { return code }
        }
        return 0
    }

    /// Maps a `sendFrame` result to the public contract: true, false on EAGAIN, or a throw.
    static func sent(_ code: Int32, _ operation: @autoclosure () -> String) throws(ZMQError) -> Bool {
        if code == 0 { return true }
        if code == EAGAIN { return false }
        throw ZMQError(code: code, operation: operation())
    }
}
