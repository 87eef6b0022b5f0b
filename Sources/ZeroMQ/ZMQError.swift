import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call: the errno libzmq reported and the operation that failed.
///
/// The code always comes from `zmq_errno()`, read immediately after the failing call, never
/// from Swift's view of `errno` (on some platforms libzmq keeps its own).
public struct ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The errno value, e.g. `EADDRINUSE`, or a libzmq-specific code such as `ETERM`.
    public let code: Int32
    /// The failing call and its argument, e.g. `"zmq_bind(tcp://127.0.0.1:5555)"`.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// `"<operation>: <zmq_strerror(code)> (errno N)"`.
    public var description: String {
        "\(operation): \(String(cString: zmq_strerror(code))) (errno \(code))"
    }

    /// The call would have blocked, or a send/receive timeout expired (`EAGAIN`).
    public var isAgain: Bool { code == EAGAIN }
    /// A signal interrupted the call (`EINTR`).
    public var isInterrupted: Bool { code == EINTR }
    /// The socket's context was terminated or shut down (`ETERM`).
    public var isTerminated: Bool { code == ETERM }

    /// The error libzmq reported for the call that just failed on this thread.
    /// `zmq_errno()` is read before `operation` is built, so building it cannot clobber the code.
    @inline(__always)
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(code: code, operation: operation())
    }
}
