import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Receiving. All variants go through zmq_msg_recv, so frames of any size arrive whole
// (zmq_recv into a fixed buffer truncates silently). EINTR is retried (restarting any receive
// timeout); EAGAIN (nothing there with `dontWait`, or the receive timeout expired) returns
// `false`/`nil`; any other failure throws.
extension ZMQSocket {
    /// Receives one frame into `message`, replacing its content (`zmq_msg_recv`). Reusing one
    /// message avoids any allocation beyond libzmq's own. Check `message.more` for further frames.
    public func receive(into message: inout ZMQMessage, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let handle = try liveHandle("zmq_msg_recv")
        let code = Self.receiveFrame(handle, message.storage, dontWait ? ZMQ_DONTWAIT : 0)
        if code == 0 { return true }
        if code == EAGAIN { return false }
        throw ZMQError(code: code, operation: "zmq_msg_recv")
    }

    /// Receives one frame as a new array, or nil on EAGAIN/timeout. O(n) copy.
    public func receiveBytes(dontWait: Bool = false) throws(ZMQError) -> [UInt8]? {
        var message = ZMQMessage()
        guard try receive(into: &message, dontWait: dontWait) else { return nil }
        return message.bytes()
    }

    /// Receives all frames of one message, or nil on EAGAIN/timeout before the first frame.
    /// O(total bytes) copy.
    public func receiveMultipart(dontWait: Bool = false) throws(ZMQError) -> [[UInt8]]? {
        try receiveFrames(dontWait: dontWait, readUser: false)?.frames
    }

    /// Receives all frames of one message and the sender's ZAP user id (nil without
    /// authentication), or nil on EAGAIN/timeout before the first frame. O(total bytes) copy.
    public func receiveMultipartFromUser(dontWait: Bool = false) throws(ZMQError) -> (frames: [[UInt8]], user: String?)? {
        try receiveFrames(dontWait: dontWait, readUser: true)
    }

    /// The frames of one message and, with `readUser`, the `"User-Id"` property. A ROUTER makes
    /// the routing-id frame itself, without the connection's metadata, so the user id is taken
    /// from the frames that came over the wire (the last one always did).
    private func receiveFrames(dontWait: Bool, readUser: Bool) throws(ZMQError) -> (frames: [[UInt8]], user: String?)? {
        var message = ZMQMessage()
        guard try receive(into: &message, dontWait: dontWait) else { return nil }
        var user = readUser ? message.property("User-Id") : nil
        var frames = [message.bytes()]
        let handle = try liveHandle("zmq_msg_recv")
        while message.more {
            // libzmq delivers a message only when all its frames have arrived, so the rest is
            // already here: DONTWAIT cannot lose a frame, and it keeps a broken invariant
            // from turning into a hang.
            let code = Self.receiveFrame(handle, message.storage, ZMQ_DONTWAIT)
            if code != 0 {
                throw ZMQError(code: code, operation: "zmq_msg_recv(frame \(frames.count + 1))")
            }
            frames.append(message.bytes())
            if readUser { user = message.property("User-Id") ?? user }
        }
        return (frames, user)
    }

    /// One `zmq_msg_recv`, retried on EINTR. Returns 0 or the libzmq errno.
    static func receiveFrame(_ handle: UnsafeMutableRawPointer, _ message: UnsafeMutablePointer<zmq_msg_t>, _ flags: Int32) -> Int32 {
        while zmq_msg_recv(message, handle, flags) < 0 {
            let code = zmq_errno()
            if code != EINTR { return code }
        }
        return 0
    }
}
