import ZeroMQ
import NeuroNetwork
import NeuroEngine

extension ZMQSocket {
    /// A connecting socket whose peer may not be bound yet (processes of one network start
    /// together): first retry after 10 ms, then every 20 ms. With libzmq's default of a flat
    /// 100 ms, a node that connected a moment before its upstream bound joined 100 ms later —
    /// a tenth of a short run's wall time; doubling up to 100 ms still cost up to 80 ms
    /// (timeline of `up` on the loop network: one node READY at 46 ms, the other at 144 ms).
    /// A refused connect on loopback costs microseconds, so retrying a dead peer this often
    /// is cheap, and a replica taking over is heard as soon.
    func reconnectSoon() throws(ZMQError) {
        try setReconnectInterval(milliseconds: 10)
        try setReconnectIntervalMax(milliseconds: 20)
    }
}
