import CZeroMQ

// Socket options, each passed with the C type libzmq expects for it (zmq_setsockopt(3)):
// `int` for counts, intervals and flags, a byte string for identities and subscriptions.
extension ZMQSocket {
    /// How long pending outgoing messages are kept after `close()`, in milliseconds
    /// (`ZMQ_LINGER`); -1 = forever, 0 = discard at once.
    public func setLinger(milliseconds: Int32) throws(ZMQError) {
        try setInt32(ZMQ_LINGER, milliseconds, "ZMQ_LINGER")
    }

    /// The current linger in milliseconds (`ZMQ_LINGER`).
    public func linger() throws(ZMQError) -> Int32 {
        try getInt32(ZMQ_LINGER, "ZMQ_LINGER")
    }

    /// Outgoing queue limit per peer, in messages (`ZMQ_SNDHWM`); 0 = unlimited. A PUB at
    /// this mark drops silently; other types block or return `false` with `dontWait`.
    /// Applies to connections made after the call.
    public func setSendHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setInt32(ZMQ_SNDHWM, messages, "ZMQ_SNDHWM")
    }

    /// The outgoing queue limit in messages (`ZMQ_SNDHWM`).
    public func sendHighWaterMark() throws(ZMQError) -> Int32 {
        try getInt32(ZMQ_SNDHWM, "ZMQ_SNDHWM")
    }

    /// Incoming queue limit per peer, in messages (`ZMQ_RCVHWM`); 0 = unlimited.
    /// Applies to connections made after the call.
    public func setReceiveHighWaterMark(_ messages: Int32) throws(ZMQError) {
        try setInt32(ZMQ_RCVHWM, messages, "ZMQ_RCVHWM")
    }

    /// The incoming queue limit in messages (`ZMQ_RCVHWM`).
    public func receiveHighWaterMark() throws(ZMQError) -> Int32 {
        try getInt32(ZMQ_RCVHWM, "ZMQ_RCVHWM")
    }

    /// The identity a ROUTER peer sees for this socket (`ZMQ_ROUTING_ID`): 1–255 bytes, the
    /// first not 0 (reserved by libzmq). Set before `connect`.
    public func setRoutingID(_ id: [UInt8]) throws(ZMQError) {
        try setBytes(ZMQ_ROUTING_ID, id, "ZMQ_ROUTING_ID")
    }

    /// SUB/XSUB: receive messages whose first frame starts with `prefix` (`ZMQ_SUBSCRIBE`);
    /// an empty prefix matches everything.
    public func subscribe(_ prefix: [UInt8]) throws(ZMQError) {
        try setBytes(ZMQ_SUBSCRIBE, prefix, "ZMQ_SUBSCRIBE")
    }

    /// SUB/XSUB: subscribe to the UTF-8 bytes of `prefix` (`ZMQ_SUBSCRIBE`).
    public func subscribe(_ prefix: String) throws(ZMQError) {
        try subscribe(Array(prefix.utf8))
    }

    /// SUB/XSUB: remove one earlier subscription to exactly `prefix` (`ZMQ_UNSUBSCRIBE`).
    public func unsubscribe(_ prefix: [UInt8]) throws(ZMQError) {
        try setBytes(ZMQ_UNSUBSCRIBE, prefix, "ZMQ_UNSUBSCRIBE")
    }

    /// Longest a blocking receive waits, in milliseconds (`ZMQ_RCVTIMEO`); -1 = forever.
    /// On expiry the receive calls return `false`/`nil`.
    public func setReceiveTimeout(milliseconds: Int32) throws(ZMQError) {
        try setInt32(ZMQ_RCVTIMEO, milliseconds, "ZMQ_RCVTIMEO")
    }

    /// Longest a blocking send waits, in milliseconds (`ZMQ_SNDTIMEO`); -1 = forever.
    /// On expiry the send calls return `false`.
    public func setSendTimeout(milliseconds: Int32) throws(ZMQError) {
        try setInt32(ZMQ_SNDTIMEO, milliseconds, "ZMQ_SNDTIMEO")
    }

    /// Queue messages only to completed connections (`ZMQ_IMMEDIATE`).
    public func setImmediate(_ on: Bool) throws(ZMQError) {
        try setInt32(ZMQ_IMMEDIATE, on ? 1 : 0, "ZMQ_IMMEDIATE")
    }

    /// ROUTER: fail with `EHOSTUNREACH` on a message to an unknown routing id instead of
    /// dropping it (`ZMQ_ROUTER_MANDATORY`).
    public func setRouterMandatory(_ on: Bool) throws(ZMQError) {
        try setInt32(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "ZMQ_ROUTER_MANDATORY")
    }

    /// ROUTER: a new connection with a routing id already in use takes it over
    /// (`ZMQ_ROUTER_HANDOVER`), as when a replica's process reconnects as the pool's node.
    public func setRouterHandover(_ on: Bool) throws(ZMQError) {
        try setInt32(ZMQ_ROUTER_HANDOVER, on ? 1 : 0, "ZMQ_ROUTER_HANDOVER")
    }

    /// Wait before reconnecting a dropped connection, in milliseconds (`ZMQ_RECONNECT_IVL`);
    /// -1 = never reconnect.
    public func setReconnectInterval(milliseconds: Int32) throws(ZMQError) {
        try setInt32(ZMQ_RECONNECT_IVL, milliseconds, "ZMQ_RECONNECT_IVL")
    }

    /// Upper bound of the reconnect wait, in milliseconds (`ZMQ_RECONNECT_IVL_MAX`): above the
    /// interval, each failed attempt doubles the wait up to it; 0 = always the interval.
    public func setReconnectIntervalMax(milliseconds: Int32) throws(ZMQError) {
        try setInt32(ZMQ_RECONNECT_IVL_MAX, milliseconds, "ZMQ_RECONNECT_IVL_MAX")
    }

    /// Longest a new connection may take to complete the ZMTP handshake, in milliseconds
    /// (`ZMQ_HANDSHAKE_IVL`); 0 = no limit.
    public func setHandshakeInterval(milliseconds: Int32) throws(ZMQError) {
        try setInt32(ZMQ_HANDSHAKE_IVL, milliseconds, "ZMQ_HANDSHAKE_IVL")
    }

    /// REQ: allow a new request before the previous reply arrived (`ZMQ_REQ_RELAXED`);
    /// usually combined with `setRequestCorrelate(true)`.
    public func setRequestRelaxed(_ on: Bool) throws(ZMQError) {
        try setInt32(ZMQ_REQ_RELAXED, on ? 1 : 0, "ZMQ_REQ_RELAXED")
    }

    /// REQ: tag requests with an id and drop replies that do not match (`ZMQ_REQ_CORRELATE`).
    public func setRequestCorrelate(_ on: Bool) throws(ZMQError) {
        try setInt32(ZMQ_REQ_CORRELATE, on ? 1 : 0, "ZMQ_REQ_CORRELATE")
    }

    /// Whether the last received frame has more frames after it (`ZMQ_RCVMORE`).
    public func hasMore() throws(ZMQError) -> Bool {
        try getInt32(ZMQ_RCVMORE, "ZMQ_RCVMORE") != 0
    }

    /// The file descriptor (`ZMQ_FD`) that becomes readable when `events()` may have changed,
    /// for integration with an external event loop. Edge-triggered: after it fires, read
    /// `events()` and handle everything before waiting on it again. Do not read or write it.
    public func fileDescriptor() throws(ZMQError) -> Int32 {
        try getInt32(ZMQ_FD, "ZMQ_FD")
    }

    /// Whether a message can be received (`.readable`) or sent (`.writable`) right now
    /// without blocking (`ZMQ_EVENTS`).
    public func events() throws(ZMQError) -> ZMQPollEvents {
        ZMQPollEvents(rawValue: Int16(truncatingIfNeeded: try getInt32(ZMQ_EVENTS, "ZMQ_EVENTS")))
    }

    /// The endpoint this socket last bound or connected to (`ZMQ_LAST_ENDPOINT`), with any
    /// wildcard resolved, e.g. `"tcp://127.0.0.1:41234"` after binding `"tcp://127.0.0.1:*"`.
    public func lastEndpoint() throws(ZMQError) -> String {
        let handle = try liveHandle("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
        // Longer than any tcp endpoint or ipc path (sun_path is ≤ 108 bytes); libzmq fails
        // with EINVAL rather than overflow if it were not.
        let capacity = 512
        var size = capacity
        var failure: ZMQError?
        let text = String(unsafeUninitializedCapacity: capacity) { buffer in
            if zmq_getsockopt(handle, ZMQ_LAST_ENDPOINT, buffer.baseAddress, &size) != 0 {
                failure = ZMQError.last("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
                return 0
            }
            // `size` counts the terminating NUL; stop at the first NUL in any case.
            let written = min(size, capacity)
            return buffer.prefix(written).firstIndex(of: 0) ?? written
        }
        if let failure { throw failure }
        return text
    }

    func setInt32(_ option: Int32, _ value: Int32, _ name: String) throws(ZMQError) {
        let handle = try liveHandle("zmq_setsockopt(\(name), \(value))")
        var value = value
        if zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size) != 0 {
            throw ZMQError.last("zmq_setsockopt(\(name), \(value))")
        }
    }

    func setBytes(_ option: Int32, _ bytes: [UInt8], _ name: String) throws(ZMQError) {
        let handle = try liveHandle("zmq_setsockopt(\(name), \(bytes.count) bytes)")
        // libzmq explicitly accepts a NULL value of length 0 for these options.
        let rc = bytes.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        if rc != 0 {
            throw ZMQError.last("zmq_setsockopt(\(name), \(bytes.count) bytes)")
        }
    }

    private func getInt32(_ option: Int32, _ name: String) throws(ZMQError) -> Int32 {
        let handle = try liveHandle("zmq_getsockopt(\(name))")
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        if zmq_getsockopt(handle, option, &value, &size) != 0 {
            throw ZMQError.last("zmq_getsockopt(\(name))")
        }
        return value
    }
}
