import NeuroWire
import ZeroMQ

/// After a rollback (failover), each pool's spike stream counts again from its
/// `SNAPSHOT_MARKER` of the new epoch (protocol/SPEC.md §4.6): node and controller read the
/// markers through these two helpers.
enum EpochMarker {
    /// Whether `frame` holds a marker: its header's kind byte (offset 4), without decoding.
    static func isMarker(_ frame: borrowing ZMQMessage) -> Bool {
        frame.withUnsafeBytes { $0.count > 4 && $0[4] == WireKind.snapshotMarker.rawValue }
    }

    /// When `envelope` is the marker of `epoch` (nil: of any epoch — real time, where a
    /// replica that took over starts its stream with one), restarts `sequence` from it and
    /// returns the tick the stream resumes at; nil for anything else.
    static func resume(_ envelope: WireEnvelope, epoch: UInt32?, sequence: inout SequenceCheck) -> UInt64? {
        guard case .snapshotMarker(let cut) = envelope.message, epoch.map({ cut.parent == UInt64($0) }) ?? true else { return nil }
        sequence.reset()
        _ = sequence.accept(envelope.sequence)
        return cut.tick
    }
}
