import NeuroNetwork
import NeuroEngine
/// The receiving side of one stream's sequence numbers (protocol/SPEC.md §3.2).
public struct SequenceCheck: Sendable {
    private var expected: UInt32?
    /// Messages lost so far.
    public private(set) var lost: UInt64 = 0

    public init() {}

    /// Checks message `sequence`: returns how many were lost before it (0 when in order),
    /// or nil for a duplicate or old message, which the caller drops.
    public mutating func accept(_ sequence: UInt32) -> UInt32? {
        guard let e = expected else {
            expected = sequence &+ 1
            return 0
        }
        let d = sequence &- e
        if d >= 1 << 31 { return nil }
        expected = sequence &+ 1
        lost &+= UInt64(d)
        return d
    }

    /// Forgets the stream (a restarted sender begins again at 0).
    public mutating func reset() { expected = nil }
}
