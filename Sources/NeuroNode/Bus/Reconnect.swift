import ZeroMQ

extension ZMQSocket {
    /// A connecting socket whose peer may not be bound yet (processes of one network start
    /// together): first retry after 10 ms, doubling up to libzmq's usual 100 ms. With libzmq's
    /// default of a flat 100 ms, a node that connected a moment before its upstream bound
    /// joined 100 ms later — a tenth of a short run's wall time.
    func reconnectSoon() throws(ZMQError) {
        try setReconnectInterval(milliseconds: 10)
        try setReconnectIntervalMax(milliseconds: 100)
    }
}
