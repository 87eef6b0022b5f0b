import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// The pool's external source: `STIMULUS` batches on `stim/POOL/`, heartbeats on `hb/SOURCE/`.
extension NodeRuntime {
    /// Lockstep: the batch must continue the stream exactly (a gap is a hard error). Real time:
    /// its spikes apply at the next tick simulated (on arrival); gaps count as lost.
    func handleStimulus(_ frame: borrowing PubSubMessage, now: UInt64) throws(NodeError) {
        guard source != nil else { return }
        let topic = "stim/\(spec.name)/"
        let envelope = try decode(frame, topic)
        // In place: a copy of the input would copy its held stream with every message.
        try receiveStimulus(envelope, topic: topic, now: now, into: &source!)
    }

    private func receiveStimulus(_ envelope: WireEnvelope, topic: String, now: UInt64, into input: inout SourceInput) throws(NodeError) {
        if case .snapshotMarker = envelope.message {
            // After a rollback the source resends from the snapshot's tick, after this marker.
            guard input.awaitingMarker, let tick = EpochMarker.resume(envelope, epoch: epoch, sequence: &input.stimulusSeq) else { return }
            input.awaitingMarker = false
            input.lastHeard = now
            log.info("source \(input.spec.name) resends from tick \(tick) (epoch \(epoch))")
            return
        }
        // Batches of the abandoned epoch.
        if input.awaitingMarker { return }
        guard let lost = input.stimulusSeq.accept(envelope.sequence) else { return }
        if lost > 0 {
            guard realtime else { throw .sequenceGap(stream: topic, lost: lost) }
            counters.lost &+= UInt64(lost)
        }
        guard case .stimulus(let stimulus) = envelope.message else {
            throw .failed("\(topic) carried \(envelope.message.kind), expected STIMULUS")
        }
        try input.check(stimulus, pool: options.pool)
        if realtime {
            input.pending.append(contentsOf: stimulus.batch.ids)
        } else {
            if let end = input.end {
                throw .failed("source \(input.spec.name) sent spikes for tick \(stimulus.batch.firstTick) after it ended at tick \(end)")
            }
            try input.stream.append(stimulus.batch)
        }
        input.lastHeard = now
    }

    /// A heartbeat with state `stopped` ends the stream at its tick: every tick before it was
    /// sent (pub/sub keeps one publisher's order), every tick from it on is silent.
    func handleSourceHeartbeat(_ frame: borrowing PubSubMessage, now: UInt64) throws(NodeError) {
        guard var input = source else { return }
        let envelope = try decode(frame, "hb/\(input.spec.name)/")
        if let lost = input.heartbeatSeq.accept(envelope.sequence), lost > 0 { counters.lost &+= UInt64(lost) }
        guard case .heartbeat(let beat) = envelope.message else { return }
        if input.lastHeard == nil { log.info("source \(input.spec.name) heard at \(input.spec.endpoint)") }
        input.lastHeard = now
        switch beat.state {
        case .failed where !realtime:
            throw .peerLost("source \(input.spec.name) has failed")
        case .stopped where input.end == nil && !input.awaitingMarker:
            // After a rollback past the end, the stream restarts where the input had ended.
            let restartedPastEnd = input.restartedAt == input.stream.nextTick && beat.tick < input.stream.nextTick
            if !realtime, beat.tick != input.stream.nextTick, !restartedPastEnd {
                throw .failed("source \(input.spec.name) ended at tick \(beat.tick) but sent spikes up to tick \(input.stream.nextTick)")
            }
            input.end = beat.tick
            log.info("source \(input.spec.name) ended: input silent from tick \(beat.tick)")
        default:
            break
        }
        source = input
    }

    /// Lockstep: a source silent past the timeout before it ended stops the node (its input
    /// is part of the schedule). Real time: reported once; its input counts as silent.
    func checkSourceLiveness(now: UInt64, limit: UInt64) throws(NodeError) {
        guard var input = source, input.end == nil, let heard = input.lastHeard else { return }
        if now - heard > limit {
            guard realtime else { throw .peerLost("source \(input.spec.name) has been silent for \((now - heard) / 1000) ms") }
            if !input.silent {
                input.silent = true
                log.error("source \(input.spec.name) has been silent for \((now - heard) / 1000) ms: running on without its input")
            }
        } else if input.silent {
            input.silent = false
            log.notice("source \(input.spec.name) is heard again")
        }
        source = input
    }
}
