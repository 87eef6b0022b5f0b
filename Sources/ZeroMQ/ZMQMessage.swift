import CZeroMQ

/// One libzmq message frame (`zmq_msg_t`).
///
/// Noncopyable because a `zmq_msg_t` must be initialised once, closed once and never copied
/// or moved by value: the struct lives in heap storage allocated once in `init`, so moving a
/// `ZMQMessage` moves only the pointer. Closed (`zmq_msg_close`) and freed in `deinit`.
public struct ZMQMessage: ~Copyable {
    /// Stable address of the libzmq struct for the message's whole life.
    @usableFromInline let storage: UnsafeMutablePointer<zmq_msg_t>

    /// An empty message (`zmq_msg_init`), e.g. to reuse across `ZMQSocket.receive(into:)`.
    public init() {
        let storage = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        zmq_msg_init(storage)  // cannot fail
        self.storage = storage
    }

    /// A message holding a copy of `bytes` (`zmq_msg_init_size`). O(n).
    public init(bytes: UnsafeRawBufferPointer) throws(ZMQError) {
        let storage = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        if zmq_msg_init_size(storage, bytes.count) != 0 {
            let error = ZMQError.last("zmq_msg_init_size(\(bytes.count))")
            storage.deallocate()  // never initialised, so not closed
            throw error
        }
        if let source = bytes.baseAddress, bytes.count > 0 {
            zmq_msg_data(storage).copyMemory(from: source, byteCount: bytes.count)
        }
        self.storage = storage
    }

    /// A message holding a copy of `bytes`. O(n).
    public init(bytes: [UInt8]) throws(ZMQError) {
        // Array.withUnsafeBytes cannot return a noncopyable value, hence this overload.
        let storage = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        if zmq_msg_init_size(storage, bytes.count) != 0 {
            let error = ZMQError.last("zmq_msg_init_size(\(bytes.count))")
            storage.deallocate()
            throw error
        }
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress, source.count > 0 {
                zmq_msg_data(storage).copyMemory(from: base, byteCount: source.count)
            }
        }
        self.storage = storage
    }

    deinit {
        zmq_msg_close(storage)
        storage.deallocate()
    }

    /// The frame's size in bytes. O(1).
    @inlinable public var count: Int { zmq_msg_size(storage) }

    /// Whether more frames of the same message follow this received frame (`zmq_msg_more`).
    @inlinable public var more: Bool { zmq_msg_more(storage) != 0 }

    /// Calls `body` with the frame's bytes. The pointer is valid only inside `body` and must
    /// not escape it (the next receive into this message frees it). O(1). Inlinable, so the
    /// hot path's calls are specialised instead of going through generic metadata.
    @inlinable public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: zmq_msg_data(storage), count: zmq_msg_size(storage)))
    }

    /// A copy of the frame's bytes. O(n).
    public func bytes() -> [UInt8] {
        withUnsafeBytes { Array($0) }
    }
}
