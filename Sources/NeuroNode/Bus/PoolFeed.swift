import NeuroWire
import NeuroNetwork
import NeuroEngine

/// Following one pool's published stream (`spk/P/` and `hb/P/`, protocol/SPEC.md §3–§4.6), as
/// every subscriber does — a downstream node, a recorder, the controller: sequence numbers per
/// topic, the tick the next batch must start at, when the pool was last heard, and the epoch
/// markers that restart its stream after a rollback or a real-time takeover.
///
/// Sans I/O: it takes what arrived (decoded) and says what it means; the caller reads the
/// sockets, keeps the spikes and logs. Every method is O(1).
struct PoolFeed: Sendable {
    /// The pool's name, as in the network file.
    let name: String
    /// `spk/NAME/` and `hb/NAME/`, built once (matching a frame against them allocates nothing).
    let spikeTopic: [UInt8]
    let heartbeatTopic: [UInt8]
    private(set) var spikeSequence = SequenceCheck()
    private(set) var heartbeatSequence = SequenceCheck()
    /// The tick the next batch must start at; nil until the first batch (a late joiner takes
    /// the stream from wherever it is).
    private(set) var nextTick: UInt64?
    /// When a message of the pool's current stream last came, µs on the monotonic clock (nil:
    /// not yet, or not since the last rollback).
    var lastHeard: UInt64?
    /// After a rollback or a takeover: the stream's batches belong to the abandoned epoch (or
    /// the dead publisher) until the pool's marker of the new one comes.
    private(set) var awaitingMarker = false
    /// Batches lost on the way (sequence gaps; real time only — lockstep fails on the first).
    private(set) var lostBatches: UInt64 = 0
    /// Heartbeats lost on the way.
    private(set) var lostHeartbeats: UInt64 = 0

    /// A feed of pool `name` whose first batch must start at `nextTick` (nil: anywhere).
    init(name: String, nextTick: UInt64? = nil) {
        self.name = name
        spikeTopic = Topic.spikes(name)
        heartbeatTopic = Topic.heartbeat(name)
        self.nextTick = nextTick
    }

    /// What a spike batch means to this feed.
    enum BatchAcceptance: Equatable, Sendable {
        /// Take the batch. `silentFrom`: real time, ticks `silentFrom ..< firstTick` were lost
        /// and count as silent. `takenOver`: the batch starts a new publisher's stream whose
        /// marker was not seen (real time: the pool's replica took over).
        case take(silentFrom: UInt64?, takenOver: Bool)
        /// Real time: in order, but its ticks start before ticks already held (a batch
        /// overtaken on the way): too late to take; the pool was heard.
        case late
        /// Drop it: a duplicate, or a batch of the abandoned epoch or the dead publisher.
        case drop
    }

    /// Accepts a spike batch's header: `sequence`, and its ticks `firstTick ..< firstTick +
    /// tickCount`, arriving at `now`. In lockstep a lost batch or a tick gap is an error; in
    /// real time lost batches are counted and the skipped ticks count as silent.
    /// `markerMissable`: while awaiting a marker, a batch with new ticks may stand in for it
    /// (real time, once the controller knows where the replica restarts).
    mutating func acceptBatch(sequence: UInt32, firstTick: UInt64, tickCount: Int, realtime: Bool, now: UInt64,
                              markerMissable: Bool = false) throws(NodeError) -> BatchAcceptance {
        if awaitingMarker, !markerMissable { return .drop }
        let expected = nextTick ?? firstTick
        var takenOver = false
        switch EpochMarker.order(sequence, firstTick: firstTick, expectedTick: expected, realtime: realtime, check: &spikeSequence) {
        case .next(let lost) where !awaitingMarker:
            if lost > 0 {
                guard realtime else { throw .sequenceGap(stream: "spk/\(name)/", lost: lost) }
                lostBatches &+= UInt64(lost)
            }
        case .next, .takenOver:
            // Awaiting, the sequence was reset, so a stand-in reads as in order: its ticks must be new.
            guard firstTick >= expected else { return .drop }
            awaitingMarker = false
            heartbeatSequence.reset()
            takenOver = true
        case .old:
            return .drop
        }
        var silentFrom: UInt64?
        if firstTick != expected {
            guard realtime else { throw .tickGap(stream: "spk/\(name)/", expected: expected, found: firstTick) }
            if firstTick < expected {
                lastHeard = now
                return .late
            }
            silentFrom = expected
        }
        nextTick = firstTick + UInt64(tickCount)
        lastHeard = now
        return .take(silentFrom: silentFrom, takenOver: takenOver)
    }

    /// A marker on the spike topic at `now`: awaited, the marker of `epoch` restarts the stream;
    /// not awaited, in real time any marker is a replica's takeover. Restarts the sequence from
    /// it; nil when it means nothing here.
    mutating func acceptMarker(_ envelope: WireEnvelope, epoch: UInt32, realtime: Bool, now: UInt64) -> EpochMarker.Resumption? {
        var awaiting = awaitingMarker
        let resumption = EpochMarker.follow(envelope, awaitingMarker: &awaiting, epoch: epoch, realtime: realtime, sequence: &spikeSequence)
        awaitingMarker = awaiting
        guard let resumption else { return nil }
        if case .takenOver = resumption { heartbeatSequence.reset() }
        lastHeard = now
        return resumption
    }

    /// A message on the heartbeat topic at `now`. Returns the heartbeat when it proves the
    /// pool's current stream (`EpochMarker.heartbeatCounts`; `counts` overrides), and marks
    /// the pool heard; nil otherwise.
    mutating func acceptHeartbeat(_ envelope: WireEnvelope, now: UInt64, counts: Bool? = nil) -> Heartbeat? {
        if let lost = heartbeatSequence.accept(envelope.sequence), lost > 0 { lostHeartbeats &+= UInt64(lost) }
        guard counts ?? EpochMarker.heartbeatCounts(envelope.message, awaitingMarker: awaitingMarker),
              case .heartbeat(let beat) = envelope.message else { return nil }
        lastHeard = now
        return beat
    }

    /// The network rolled back to `tick` (lockstep failover): the stream continues from the
    /// pool's marker of the new epoch, and the pool counts as heard only once it is heard in it.
    /// (nil: the next batch may start anywhere — a recorder that had not received any yet.)
    mutating func rollBack(to tick: UInt64?) {
        awaitNewPublisher()
        lastHeard = nil
        nextTick = tick
    }

    /// The pool's publisher is being replaced (a real-time takeover): its stream counts again
    /// from the replica's marker (or, `markerMissable`, its first batch with new ticks).
    mutating func awaitNewPublisher() {
        spikeSequence.reset()
        heartbeatSequence.reset()
        awaitingMarker = true
    }

    /// Joining a network already rolled back (a promoted replica, lockstep): the pool's
    /// batches count from its marker of the current epoch.
    mutating func awaitMarker() { awaitingMarker = true }

    /// Real time: the replica that takes over restarts at `tick`; the ticks before it were
    /// never simulated and are not waited for.
    mutating func restartStream(at tick: UInt64) { nextTick = tick }

    /// How long the pool has been silent at `now`, µs (nil: not heard yet).
    func silence(at now: UInt64) -> UInt64? { lastHeard.map { now &- $0 } }
}
