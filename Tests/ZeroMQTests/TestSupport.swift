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
/// test fail instead of hanging the whole run. False as well if the caller still holds a
/// reference (pass `consume context`, outside `#expect`, whose closure would capture a copy).
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
        // 0 means someone else still held the context, so nothing was terminated here.
        var byte: UInt8 = 0
        let held = read(fds[0], &byte, 1) == 1 && byte == 1
        close(fds[0])
        close(fds[1])
        return held
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
        // The write to the pipe publishes this byte to the waiting thread.
        var byte: UInt8 = isKnownUniquelyReferenced(&context) ? 1 : 0
        context = nil  // the last reference, so zmq_ctx_term runs here
        _ = write(signalFD, &byte, 1)
    }
}

/// A loopback TCP port that is bound but never listening, so every connection attempt to it
/// is refused: a peer that is certainly dead (a closed ZMQ socket's port may still accept
/// for a moment, since zmq_close is asynchronous).
struct DeadPort {
    let fd: Int32
    let port: UInt16

    init?() {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard ok else {
            closeDescriptor(fd)
            return nil
        }
        self.fd = fd
        self.port = UInt16(bigEndian: address.sin_port)
    }

    func close() {
        closeDescriptor(fd)
    }
}

/// `close(2)`, named apart from the `close()` methods that shadow it.
private func closeDescriptor(_ fd: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(fd)
    #else
    _ = Darwin.close(fd)
    #endif
}
