import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

extension NodeRuntime {
    /// Receives everything waiting on the SUB and the DEALER, without blocking.
    func drain() throws(NodeError) {
        while try receiveSubscription(dontWait: true) {}
        try drainDealerIfDue()
    }

    /// Reads the DEALER — on the hot path (permitted, lockstep), where it carries nothing
    /// urgent, at most every 2 ms instead of paying a mailbox check every tick.
    func drainDealerIfDue() throws(NodeError) {
        let now = monotonicMicroseconds()
        if !realtime, permitted, now - lastDealerCheck < Self.dealerInterval { return }
        lastDealerCheck = now
        while true {
            let got: Bool
            do { got = try dealer.receive(into: &messageFrame, dontWait: true) } catch { throw .transport(error) }
            guard got else { break }
            let envelope: WireEnvelope
            do { envelope = try messageFrame.withUnsafeBytes { (raw) throws(WireError) in try WireDecoder.decode(raw) } } catch {
                throw .wire("from the controller", error)
            }
            // Any word from the controller is a sign of life (a long snapshot verification
            // may have kept its heartbeats away).
            if controllerLastHeard != nil { controllerLastHeard = monotonicMicroseconds() }
            try handleDirect(envelope)
        }
    }

    /// Receives and handles one pub/sub message; false when none was waiting (or, blocking,
    /// when the SUB's 2 ms receive timeout passed).
    func receiveSubscription(dontWait: Bool) throws(NodeError) -> Bool {
        guard try subMessage.receive(from: sub, dontWait: dontWait) else { return false }
        guard subMessage.isWellFormed else { return true } // not a NeuroBus message
        try handleSubscription(subMessage)
        return true
    }

    private func handleSubscription(_ frame: borrowing PubSubMessage) throws(NodeError) {
        counters.packetsIn &+= 1
        counters.bytesIn &+= UInt64(frame.frameCount)
        let now = monotonicMicroseconds()
        for k in upstream.indices {
            if frame.hasTopic(feeds[k].spikeTopic) {
                // A marker starts an upstream's stream in a new epoch; until it comes, that
                // upstream's batches belong to the abandoned epoch.
                if frame.isMarker {
                    let envelope = try decode(frame, "spk/\(feeds[k].name)/")
                    switch feeds[k].acceptMarker(envelope, epoch: epoch, realtime: realtime, now: now) {
                    case .newEpoch(let tick):
                        log.info("upstream pool \(feeds[k].name) resumed in epoch \(epoch) at tick \(tick)")
                    case .takenOver(let tick):
                        log.notice("upstream pool \(feeds[k].name) taken over by its replica: its spikes resume at tick \(tick)")
                    case nil:
                        break
                    }
                    return
                }
                if feeds[k].awaitingMarker { return }
                let header: WireHeader
                var batch = history.streams[upstream[k]]!.spareBatch()
                do {
                    header = try frame.withFrame { (raw) throws(WireError) in try WireDecoder.decodeSpikeBatch(raw, into: &batch) }
                } catch { throw .wire("spk/\(feeds[k].name)/", error) }
                let lostBefore = feeds[k].lostBatches
                let taken: Bool
                switch try feeds[k].acceptBatch(sequence: header.sequence, firstTick: batch.firstTick, tickCount: batch.tickCount,
                                                realtime: realtime, now: now) {
                case .take(_, let takenOver):
                    if takenOver {
                        log.notice("upstream pool \(feeds[k].name) taken over by its replica (its marker not seen): its spikes resume at tick \(batch.firstTick)")
                    }
                    taken = true
                case .late:
                    taken = false
                case .drop:
                    return
                }
                counters.lost &+= feeds[k].lostBatches - lostBefore
                // Real time: a batch whose first tick was due before the tick we are at came
                // too late for it (policy: dropped — those ticks were simulated as silent).
                if realtime, batch.firstTick &+ upstreamLag[k] < driver.tick { counters.late &+= 1 }
                if taken { try history.streams[upstream[k]]!.append(consume batch, gapsAllowed: realtime) }
                return
            }
            if frame.hasTopic(feeds[k].heartbeatTopic) {
                let envelope = try decode(frame, "hb/\(feeds[k].name)/")
                let lostBefore = feeds[k].lostHeartbeats
                let beat = feeds[k].acceptHeartbeat(envelope, now: now)
                counters.lost &+= feeds[k].lostHeartbeats - lostBefore
                if beat?.state == .failed { throw .peerLost("upstream pool \(feeds[k].name) has failed") }
                return
            }
        }
        if let topics = sourceTopics {
            if frame.hasTopic(topics.stimulus) { return try handleStimulus(frame, now: now) }
            if frame.hasTopic(topics.heartbeat) { return try handleSourceHeartbeat(frame, now: now) }
        }
        if frame.hasTopic(Topic.clock) {
            let envelope = try decode(frame, "clk/")
            if let lost = controllerSeq.clock.accept(envelope.sequence), lost > 0 { counters.lost &+= UInt64(lost) }
            if case .permit(let permit) = envelope.message { session.permit(permit) }
            if case .snapshotRequest(let cut) = envelope.message {
                guard try session.snapshotRequested(cut, tick: driver.tick) else {
                    log.warning("snapshot \(hex(cut.snapshot)) at tick \(cut.tick) came too late (this pool is at tick \(driver.tick)): skipped")
                    return
                }
                log.info("snapshot \(hex(cut.snapshot)) requested at tick \(cut.tick)")
            }
            controllerLastHeard = now
            session.clockHeard()
        } else if frame.hasTopic(Topic.modulators) {
            let envelope = try decode(frame, "mod/")
            guard let lost = controllerSeq.modulators.accept(envelope.sequence) else { return }
            if lost > 0 {
                guard realtime else { throw .sequenceGap(stream: "mod/", lost: lost) }
                counters.lost &+= UInt64(lost)
            }
            guard case .modulators(let m) = envelope.message else { return }
            // Sent before the controller's first permit of this epoch: part of the abandoned one.
            guard session.broadcastsCount else { return }
            // Real time applies a broadcast on arrival, or at its stamp if that is still ahead.
            let tick = m.mode == .atTick && (!realtime || m.tick >= driver.tick) ? m.tick : driver.tick
            try driver.schedule(ModulatorLevels(m), at: tick)
            log.info("modulation for tick \(tick): \(ModulatorLevels(m).summary)")
        } else if frame.hasTopic(Topic.controllerHeartbeat) {
            let envelope = try decode(frame, "hb/controller/")
            if let lost = controllerSeq.heartbeat.accept(envelope.sequence), lost > 0 { counters.lost &+= UInt64(lost) }
            controllerLastHeard = now
            if case .heartbeat(let beat) = envelope.message { session.controllerHeartbeat(beat.state) }
        }
    }

    func decode(_ frame: borrowing PubSubMessage, _ what: String) throws(NodeError) -> WireEnvelope {
        do { return try frame.withFrame { (raw) throws(WireError) in try WireDecoder.decode(raw) } } catch { throw .wire(what, error) }
    }

    private func handleDirect(_ envelope: WireEnvelope) throws(NodeError) {
        switch envelope.message {
        case .welcome(let welcome):
            switch try session.welcome(welcome, tick: driver.tick) {
            case .rollBack(let tick, let epoch):
                // Joined already: the controller rolls the network back (failover).
                try rollBack(to: tick, epoch: epoch)
            case .joined(let catchUpTo, let awaitUpstreamMarkers):
                if let catchUpTo { try takeOver(at: catchUpTo, welcomedAt: monotonicMicroseconds()) }
                // A promoted replica joining a rolled-back network: its upstreams' batches
                // count from their markers of this epoch (its source's stream was restarted
                // at init: `NodeOptions.promotion`).
                if awaitUpstreamMarkers { for k in feeds.indices { feeds[k].awaitMarker() } }
                log.info("welcomed: \(welcome.mode.name), epoch \(welcome.epoch)")
            }
            controllerLastHeard = monotonicMicroseconds()
        case .error(let reply):
            throw .refused("\(reply.code.name): \(reply.message)")
        case .command(let command) where command.verb == .stop:
            if outBatch.tickCount > 0 { try flushBatch() }
            try finishOutputs()
            session.stop()
            // After the last batch on the same publisher: a recorder ends this pool here.
            try heartbeat(now: monotonicMicroseconds())
            let reply = CommandReply(verb: .stop, state: .stopped, tick: driver.tick, targetTick: driver.tick,
                                     message: "pool \(spec.name) stopped at tick \(driver.tick)")
            try sender.send(.commandReply(reply), stream: [], on: dealer)
            log.info("stopped at tick \(driver.tick)")
        case .snapshotAck(let ack):
            guard var t = transfer else { return }
            let chunks: [WireMessage]
            do { chunks = try t.handle(ack) } catch {
                // Real time: the controller abandoned that snapshot; the run goes on.
                guard realtime else { throw error }
                log.warning("\(error); dropped")
                transfer = nil
                return
            }
            for chunk in chunks { try sender.send(chunk, stream: [], on: dealer) }
            if t.complete {
                log.info("snapshot \(hex(t.snapshot)): the store verified this pool's part (\(t.part.bytes.count) bytes)")
                transfer = nil
            } else {
                transfer = t
            }
        case .statusRequest:
            let row = PoolStatus(pool: UInt16(options.pool), state: session.state, alive: true, tick: driver.tick, neuronCount: UInt32(spec.neurons),
                                 heartbeatAgeMilliseconds: 0, counters: counters, name: spec.name)
            try sender.send(.statusReply(StatusReply(state: session.state, tick: driver.tick, rows: [row])), stream: [], on: dealer)
        default:
            log.warning("ignored \(envelope.message.kind) from the controller")
        }
    }
}

