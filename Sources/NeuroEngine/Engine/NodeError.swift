import NeuroPool
import NeuroWire
import NeuroNetwork

/// Why a node, the controller, a client or a local run failed. Each case names the problem.
public enum NodeError: Error, Sendable, CustomStringConvertible {
    /// The network description is bad.
    case network(NetworkFileError)
    /// A pool operation failed (a bug or a corrupted message that passed the codec).
    case pool(String, PoolError)
    /// A `.pool` file could not be read or written.
    case poolFile(PoolFileError)
    /// A transport (ZeroMQ) call failed: its error, in words.
    case transport(String)
    /// A message failed to decode.
    case wire(String, WireError)
    /// A stream lost messages: lockstep cannot continue without them.
    case sequenceGap(stream: String, lost: UInt32)
    /// A spike batch did not continue its stream where the last one ended.
    case tickGap(stream: String, expected: UInt64, found: UInt64)
    /// A modulator broadcast arrived for a tick this pool has already simulated.
    case lateModulation(pool: String, tick: UInt64, poolTick: UInt64)
    /// The controller refused the node (e.g. another network file).
    case refused(String)
    /// No answer in time.
    case timeout(String)
    /// A peer stopped responding.
    case peerLost(String)
    /// A file could not be written or read.
    case io(String)
    /// A spike file (`inject` input) is malformed.
    case spikeFile(SpikeFileError)
    /// Anything else, in words.
    case failed(String)

    public var description: String {
        switch self {
        case .network(let e): "\(e)"
        case .pool(let name, let e): "pool \(name): \(e)"
        case .poolFile(let e): "\(e)"
        case .transport(let e): "ZeroMQ: \(e)"
        case .wire(let what, let e): "bad message (\(what)): \(e)"
        case .sequenceGap(let stream, let lost): "\(lost) message(s) lost on stream \(stream) (sequence gap); lockstep needs every message"
        case .tickGap(let stream, let expected, let found): "stream \(stream) jumped from tick \(expected) to \(found)"
        case .lateModulation(let pool, let tick, let poolTick): "pool \(pool) got a modulation for tick \(tick) but is already at tick \(poolTick)"
        case .refused(let why): "refused: \(why)"
        case .timeout(let what): "timed out: \(what)"
        case .peerLost(let what): what
        case .io(let what): what
        case .spikeFile(let e): "\(e)"
        case .failed(let what): what
        }
    }
}
