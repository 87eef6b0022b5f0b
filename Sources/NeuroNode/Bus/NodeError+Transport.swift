import NeuroEngine
import ZeroMQ
import NeuroNetwork

extension NodeError {
    /// A ZeroMQ call failed.
    static func transport(_ error: ZMQError) -> NodeError { .transport("\(error)") }
}
