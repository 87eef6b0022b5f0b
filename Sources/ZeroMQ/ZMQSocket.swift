import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One libzmq socket.
///
/// Not `Sendable`: libzmq sockets are not thread-safe (a mutex is not enough), so a socket is
/// confined to the thread that created it. Debug builds assert that every call is made there.
///
/// Lifecycle: created with a bounded linger (`defaultLingerMilliseconds`) so that terminating
/// the context cannot hang on undeliverable messages. `close()` is explicit and idempotent;
/// after it every operation throws `ENOTSOCK` instead of touching freed memory. A socket
/// deinitialised without `close()` is closed anyway, and in debug builds that is an
/// `assertionFailure` unless `leakCheck` was turned off.
public final class ZMQSocket {
    /// The linger set on every new socket, in milliseconds (libzmq's own default is infinite).
    public static let defaultLingerMilliseconds: Int32 = 200

    /// The pattern this socket was created with.
    public let type: ZMQSocketType

    /// Whether deinitialising this socket without `close()` is an `assertionFailure` in debug
    /// builds. On by default; a per-socket flag rather than a global so it needs no locking.
    public var leakCheck = true

    /// The libzmq handle; nil once closed.
    private var handle: UnsafeMutableRawPointer?
    /// Kept so the context cannot be terminated while this socket is open.
    private let context: ZMQContext
    /// The creating thread, checked by `assertOwnerThread` in debug builds.
    private let owner: pthread_t

    /// Creates a socket of `type` in `context` (`zmq_socket`) and sets its linger to
    /// `defaultLingerMilliseconds`.
    public init(_ context: ZMQContext, _ type: ZMQSocketType) throws(ZMQError) {
        guard let handle = zmq_socket(context.handle, type.cValue) else {
            throw ZMQError.last("zmq_socket(\(type))")
        }
        var linger = Self.defaultLingerMilliseconds
        if zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size) != 0 {
            let error = ZMQError.last("zmq_setsockopt(ZMQ_LINGER, \(linger))")
            zmq_close(handle)
            throw error
        }
        self.handle = handle
        self.context = context
        self.type = type
        self.owner = pthread_self()
    }

    deinit {
        // No thread assertion here: the last reference may legitimately drop elsewhere,
        // and zmq_close from another thread after all use has ended is safe.
        if let handle {
            if leakCheck {
                assertionFailure("ZMQSocket(\(type)) deinitialised without close()")
            }
            zmq_close(handle)
        }
    }

    /// Closes the socket (`zmq_close`). Pending outgoing messages are sent in the background
    /// for at most the linger period. Calling it again does nothing.
    public func close() {
        assertOwnerThread()
        guard let handle else { return }
        self.handle = nil
        // zmq_close only fails with ENOTSOCK, which the nil check above rules out.
        zmq_close(handle)
    }

    /// Whether `close()` has been called.
    public var isClosed: Bool { handle == nil }

    /// Accepts connections on `endpoint` (`zmq_bind`), e.g. `"tcp://127.0.0.1:*"`, `"inproc://x"`.
    public func bind(_ endpoint: String) throws(ZMQError) {
        try endpointCall(endpoint, "zmq_bind", zmq_bind)
    }

    /// Connects to `endpoint` (`zmq_connect`). Asynchronous: succeeds before the peer exists.
    public func connect(_ endpoint: String) throws(ZMQError) {
        try endpointCall(endpoint, "zmq_connect", zmq_connect)
    }

    /// Stops accepting on `endpoint` (`zmq_unbind`); for a wildcard bind pass `lastEndpoint()`.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        try endpointCall(endpoint, "zmq_unbind", zmq_unbind)
    }

    /// Disconnects from `endpoint` (`zmq_disconnect`).
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        try endpointCall(endpoint, "zmq_disconnect", zmq_disconnect)
    }

    /// The handle of an open socket, or `ENOTSOCK` naming `operation` once closed.
    /// Asserts (debug builds) that the caller is on the owner thread.
    @inline(__always)
    func liveHandle(_ operation: @autoclosure () -> String) throws(ZMQError) -> UnsafeMutableRawPointer {
        assertOwnerThread()
        guard let handle else {
            throw ZMQError(code: ENOTSOCK, operation: operation())
        }
        return handle
    }

    @inline(__always)
    func assertOwnerThread() {
        assert(pthread_equal(owner, pthread_self()) != 0,
               "ZMQSocket(\(type)) used from a thread other than the one that created it")
    }

    private func endpointCall(
        _ endpoint: String, _ name: String,
        _ call: (UnsafeMutableRawPointer?, UnsafePointer<CChar>?) -> Int32
    ) throws(ZMQError) {
        let handle = try liveHandle("\(name)(\(endpoint))")
        // A NUL inside the string would silently cut the endpoint short in C.
        if endpoint.utf8.contains(0) {
            throw ZMQError(code: EINVAL, operation: "\(name)(\(endpoint))")
        }
        if call(handle, endpoint) != 0 {
            throw ZMQError.last("\(name)(\(endpoint))")
        }
    }
}

/// Sockets stay on their creating thread; this forbids any retroactive `Sendable` conformance.
@available(*, unavailable)
extension ZMQSocket: Sendable {}
