import Testing
import ZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ZMQError thrown by `body`, or nil if it returned normally. (Closures infer `any Error`,
/// so this takes an untyped closure; any other error type is recorded as a test issue.)
func zmqError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> ZMQError? {
    do {
        try body()
        return nil
    } catch let error as ZMQError {
        return error
    } catch {
        Issue.record("expected a ZMQError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A socket bound to a fresh wildcard TCP port on loopback, and the endpoint it got.
func bindLoopback(_ socket: ZMQSocket) throws -> String {
    try socket.bind("tcp://127.0.0.1:*")
    return try socket.lastEndpoint()
}

/// Sends `frames` from `publisher` until `subscriber` has a message, bounded by `attempts`
/// (each waits up to 10 ms): the slow-joiner handshake without sleeping. Returns the first
/// message received, or nil if none arrived.
func publishUntilReceived(
    _ publisher: ZMQSocket, _ subscriber: ZMQSocket, _ frames: [[UInt8]], attempts: Int = 300
) throws -> [[UInt8]]? {
    var poller = ZMQPoller()
    poller.add(subscriber)
    for _ in 0..<attempts {
        try publisher.sendMultipart(frames)
        if try poller.poll(timeoutMilliseconds: 10) > 0 {
            return try subscriber.receiveMultipart()
        }
    }
    return nil
}

/// Receives and discards everything already queued on `socket`; returns the message count.
@discardableResult
func drain(_ socket: ZMQSocket) throws -> Int {
    var count = 0
    while try socket.receiveMultipart(dontWait: true) != nil { count += 1 }
    return count
}

/// Drops the last reference to `context` on a separate thread (so `zmq_ctx_term` runs there)
/// and reports whether that finished within `milliseconds`. A hung termination makes the
/// test fail instead of hanging the whole run.
func contextTerminates(within milliseconds: Int32, _ context: consuming ZMQContext) -> Bool {
    var fds: [Int32] = [-1, -1]
    guard pipe(&fds) == 0 else { return false }
    let job = TerminationJob(context: consume context, signalFD: fds[1])
    var thread = pthread_t()
    let started = pthread_create(&thread, nil, { raw in
        let job = Unmanaged<TerminationJob>.fromOpaque(raw!).takeRetainedValue()
        job.run()
        return nil
    }, Unmanaged.passRetained(job).toOpaque())
    guard started == 0 else { return false }
    pthread_detach(thread)
    var item = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
    var ready: Int32
    repeat { ready = poll(&item, 1, milliseconds) } while ready < 0 && errno == EINTR
    if ready == 1 {
        close(fds[0])
        close(fds[1])
        return true
    }
    // Still blocked: leave the pipe open for the stuck thread rather than risk a reused fd.
    return false
}

/// Carries a context to the terminating thread; only that thread touches `context`.
private final class TerminationJob: @unchecked Sendable {
    private var context: ZMQContext?
    private let signalFD: Int32

    init(context: ZMQContext, signalFD: Int32) {
        self.context = context
        self.signalFD = signalFD
    }

    func run() {
        context = nil  // last reference: zmq_ctx_term runs here
        var byte: UInt8 = 1
        _ = write(signalFD, &byte, 1)
    }
}
