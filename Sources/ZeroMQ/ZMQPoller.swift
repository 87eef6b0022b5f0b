import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Readiness conditions for `ZMQPoller` and `ZMQSocket.events()` (`ZMQ_POLLIN/OUT/ERR`).
public struct ZMQPollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }

    /// At least one message can be received without blocking.
    public static let readable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// At least one message can be sent without blocking.
    public static let writable = ZMQPollEvents(rawValue: Int16(ZMQ_POLLOUT))
    /// An error condition (only reported for raw file descriptors by libzmq).
    public static let error = ZMQPollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// Waits for readiness on several sockets at once (`zmq_poll`).
///
/// Not `Sendable`, and confined like the sockets it holds: use it on their thread. The item
/// array is built by `add` and reused by every `poll`, which allocates nothing. The poller
/// keeps its sockets alive; a socket closed after `add` makes `poll` throw `ENOTSOCK`
/// instead of polling a freed handle.
public struct ZMQPoller {
    /// One entry per item: the socket, or nil for a raw file descriptor.
    private var sockets: [ZMQSocket?] = []
    private var items: ContiguousArray<zmq_pollitem_t> = []

    public init() {}

    /// The number of items (sockets and file descriptors) added.
    public var count: Int { sockets.count }

    /// Adds `socket`, polled for `events`; returns its index for `events(at:)`. Amortised O(1).
    @discardableResult
    public mutating func add(_ socket: ZMQSocket, events: ZMQPollEvents = .readable) -> Int {
        socket.assertOwnerThread()
        sockets.append(socket)
        items.append(zmq_pollitem_t(socket: nil, fd: 0, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Adds a raw file descriptor (a pipe, stdin, a file), polled for `events`; returns its
    /// index for `events(at:)`. The caller keeps it open while it is polled. Amortised O(1).
    @discardableResult
    public mutating func add(fileDescriptor fd: Int32, events: ZMQPollEvents = .readable) -> Int {
        sockets.append(nil)
        items.append(zmq_pollitem_t(socket: nil, fd: fd, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Waits until at least one socket is ready or `timeoutMilliseconds` passes (-1 = forever,
    /// 0 = check and return at once). Returns the number of ready sockets, 0 on timeout or
    /// when a signal interrupted the wait (the caller loops). O(number of sockets).
    public mutating func poll(timeoutMilliseconds: Int) throws(ZMQError) -> Int {
        for index in sockets.indices {
            // Re-read each handle so a socket closed since `add` is caught here.
            if let socket = sockets[index] { items[index].socket = try socket.liveHandle("zmq_poll(item \(index))") }
            items[index].revents = 0
        }
        let ready = items.withUnsafeMutableBufferPointer {
            zmq_poll($0.baseAddress, Int32($0.count), timeoutMilliseconds)
        }
        if ready >= 0 { return Int(ready) }
        let error = ZMQError.last("zmq_poll(\(items.count) items, \(timeoutMilliseconds) ms)")
        if error.isInterrupted {
            for index in items.indices { items[index].revents = 0 }
            return 0
        }
        throw error
    }

    /// The events the last `poll` reported for the socket at `index` (empty before any poll).
    public func events(at index: Int) -> ZMQPollEvents {
        ZMQPollEvents(rawValue: items[index].revents)
    }
}

/// Holds confined sockets; forbids any retroactive `Sendable` conformance.
@available(*, unavailable)
extension ZMQPoller: Sendable {}
