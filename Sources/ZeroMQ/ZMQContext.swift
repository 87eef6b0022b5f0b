import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libzmq context (`zmq_ctx_new`): the I/O threads and the `inproc://` namespace its sockets share.
///
/// Terminated (`zmq_ctx_term`) in `deinit`. Every `ZMQSocket` holds a strong reference to its
/// context, so the context outlives its sockets and `zmq_ctx_term` only runs once they are all
/// closed; with the sockets' bounded linger it then returns within that linger.
///
/// `@unchecked Sendable`: libzmq documents contexts as thread-safe, and this class has no
/// mutable Swift state — only the immutable handle.
public final class ZMQContext: @unchecked Sendable {
    /// The `void *` context handle. Valid for the object's lifetime.
    let handle: UnsafeMutableRawPointer

    /// A context with libzmq's default of one I/O thread.
    public convenience init() throws(ZMQError) {
        try self.init(ioThreads: 1)
    }

    /// A context with `ioThreads` background I/O threads (`ZMQ_IO_THREADS`).
    public init(ioThreads: Int32) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError.last("zmq_ctx_new")
        }
        // Must be set before the first socket exists; nothing else can see the context yet.
        if zmq_ctx_set(handle, ZMQ_IO_THREADS, ioThreads) != 0 {
            let error = ZMQError.last("zmq_ctx_set(ZMQ_IO_THREADS, \(ioThreads))")
            Self.terminate(handle)
            throw error
        }
        self.handle = handle
    }

    /// Makes every blocking call on this context's sockets fail at once with `ETERM`
    /// (`zmq_ctx_shutdown`), e.g. to wake a thread blocked in `receive` or `poll`.
    /// Callable from any thread. The sockets must still be closed, on their own threads.
    public func shutdown() throws(ZMQError) {
        if zmq_ctx_shutdown(handle) != 0 {
            throw ZMQError.last("zmq_ctx_shutdown")
        }
    }

    deinit {
        Self.terminate(handle)
    }

    /// `zmq_ctx_term`, retried on EINTR (libzmq's documented contract for this call).
    private static func terminate(_ handle: UnsafeMutableRawPointer) {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }
}
