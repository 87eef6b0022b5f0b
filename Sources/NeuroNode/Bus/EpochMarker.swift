import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// After a rollback (failover), each pool's spike stream counts again from its
/// `SNAPSHOT_MARKER` of the new epoch (protocol/SPEC.md §4.6): node, recorder and controller
/// read the markers through these helpers (a frame's `PubSubMessage.isMarker` tells one).
enum EpochMarker {
    /// When `envelope` is the marker of `epoch` (nil: of any epoch — real time, where a
    /// replica that took over starts its stream with one), restarts `sequence` from it and
    /// returns the tick the stream resumes at; nil for anything else.
    static func resume(_ envelope: WireEnvelope, epoch: UInt32?, sequence: inout SequenceCheck) -> UInt64? {
        guard case .snapshotMarker(let cut) = envelope.message, epoch.map({ cut.parent == UInt64($0) }) ?? true else { return nil }
        sequence.reset()
        _ = sequence.accept(envelope.sequence)
        return cut.tick
    }

    /// What a spike batch's sequence number means to a receiver following a pool's stream.
    enum BatchOrder: Equatable {
        /// In order; `lost` batches were skipped before it.
        case next(lost: UInt32)
        /// Real time: the pool's replica took over and its marker was missed (the
        /// subscription to the new publisher was made after it): its stream counts from here.
        case takenOver
        /// A batch already seen, or a stale one: drop it.
        case old
    }

    /// Accepts a batch's `sequence` on a stream whose next tick is `expectedTick`. A sequence
    /// that reads as old is, in real time, a replica's restarted stream when the batch's ticks
    /// are new (`firstTick` at or after `expectedTick`): `sequence` restarts from it, as its
    /// marker would have done. Every receiver of spike streams (node, recorder, controller)
    /// decides this way.
    static func order(_ sequence: UInt32, firstTick: UInt64, expectedTick: UInt64, realtime: Bool, check: inout SequenceCheck) -> BatchOrder {
        if let lost = check.accept(sequence) { return .next(lost: lost) }
        guard realtime, firstTick >= expectedTick else { return .old }
        check.reset()
        _ = check.accept(sequence)
        return .takenOver
    }

    /// What a marker on a pool's spike stream means to a receiver following that stream.
    enum Resumption: Equatable {
        /// After a rollback: the stream of the new epoch starts at `tick`.
        case newEpoch(tick: UInt64)
        /// Real time: the pool's replica took over (a new publisher); its stream counts
        /// from `tick`, the ticks it missed read as silent.
        case takenOver(tick: UInt64)
    }

    /// A receiver awaiting the marker of `epoch` after a rollback takes it (and stops
    /// awaiting); one not awaiting takes, in real time, any marker as a replica's takeover.
    /// Restarts `sequence` from the marker; nil when the marker means nothing here.
    static func follow(_ envelope: WireEnvelope, awaitingMarker: inout Bool, epoch: UInt32, realtime: Bool,
                       sequence: inout SequenceCheck) -> Resumption? {
        if awaitingMarker {
            guard let tick = resume(envelope, epoch: epoch, sequence: &sequence) else { return nil }
            awaitingMarker = false
            return .newEpoch(tick: tick)
        }
        guard realtime, let tick = resume(envelope, epoch: nil, sequence: &sequence) else { return nil }
        return .takenOver(tick: tick)
    }

    /// Whether a heartbeat proves the subscription to its pool: after a rollback
    /// (`awaitingMarker`) only one of the new epoch — the pool not running yet — does, as
    /// it comes from the pool as it is now (a replica is a new publisher), so its marker
    /// cannot be missed.
    static func heartbeatCounts(_ message: WireMessage, awaitingMarker: Bool) -> Bool {
        guard awaitingMarker, case .heartbeat(let beat) = message else { return true }
        return beat.state != .running && beat.state != .stopped
    }
}
