import NeuroPool
import NeuroWire

/// A replica the controller streams snapshot parts to.
struct ReplicaTrack {
    let identity: [UInt8]
    /// The part being streamed, and the tick of the last part it has verified.
    var sender: PartSender?
    var tick: UInt64?
    /// The tick of the part it verified before `tick`.
    var previousTick: UInt64?
    var promoted = false
}

extension Controller {
    static let replicaPrefix = Array("replica/".utf8)

    /// A replica joining (HELLO → WELCOME) and acknowledging the parts streamed to it.
    func handleReplica(_ identity: [UInt8], _ envelope: WireEnvelope) throws(NodeError) {
        // A replica that has gone (stopped, crashed) is no reason to stop the network.
        func send(_ message: WireMessage) throws(NodeError) {
            do { try sender.send(message, envelope: [identity], stream: identity, on: router) } catch {
                log.warning("replica \(String(decoding: identity, as: UTF8.self)) cannot be reached: \(error)")
            }
        }
        switch envelope.message {
        case .hello(let hello):
            let network = options.network
            guard hello.networkHash == network.hash, Int(hello.pool) < pools.count, Int(hello.neuronCount) == pools[Int(hello.pool)].neurons,
                  identity == Array("replica/\(pools[Int(hello.pool)].name)".utf8) else {
                try send(.error(ErrorReply(code: .refused, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence,
                                           message: "replica \(String(decoding: identity, as: UTF8.self)) does not match this network's pool \(hello.pool)")))
                return
            }
            guard !realtime else {
                try send(.error(ErrorReply(code: .refused, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence,
                                           message: "replicas need lockstep mode")))
                return
            }
            let k = Int(hello.pool)
            replicas[k] = ReplicaTrack(identity: identity)
            let mode: RunMode = .lockstep
            try send(.welcome(Welcome(startTick: until, epoch: epoch, mode: mode, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash)))
            log.info("replica of pool \(pools[k].name) joined")
            try streamLastPart(to: k)
        case .snapshotAck(let ack):
            guard let k = replicas.first(where: { $0.value.identity == identity })?.key, var r = replicas[k], var s = r.sender else { return }
            for chunk in try s.handle(ack) { try send(chunk) }
            if s.complete {
                if r.tick != s.tick { r.previousTick = r.tick }
                r.tick = s.tick
                r.sender = nil
                log.info("replica of pool \(pools[k].name) holds the snapshot at tick \(s.tick)")
            } else {
                r.sender = s
            }
            replicas[k] = r
        default:
            break
        }
    }

    /// Streams pool `k`'s part of the last complete snapshot to its replica.
    func streamLastPart(to k: Int) throws(NodeError) {
        guard phase != .stopping, phase != .done, var r = replicas[k], !r.promoted, let manifest = lastManifest, k < lastParts.count else { return }
        let s = PartSender(snapshot: manifest.id, pool: UInt16(k), tick: manifest.tick, part: lastParts[k])
        r.sender = s
        replicas[k] = r
        do { try sender.send(s.announce, envelope: [r.identity], stream: r.identity, on: router) } catch {
            log.warning("the replica of pool \(pools[k].name) cannot be reached: \(error)")
        }
    }

    /// Pool `k` has been silent past the timeout (lockstep). With a replica holding the last
    /// complete snapshot, the network rolls back to it: every other pool restores its own part
    /// (WELCOME of a new epoch at the snapshot's tick), the replica is promoted in `k`'s place,
    /// the controller restores its own state, and the run resumes once all are ready again —
    /// so the result equals the uninterrupted run. Returns false when that is impossible.
    func failOver(_ k: Int, silentFor silence: UInt64) throws(NodeError) -> Bool {
        // The newest complete snapshot the replica holds too (the one before the newest, if
        // the newest was still being streamed to it); every node keeps its last three parts.
        let candidates = [lastManifest, previousManifest].compactMap { $0 }
        guard var replica = replicas[k], !replica.promoted,
              let manifest = candidates.first(where: { $0.tick == replica.tick || $0.tick == replica.previousTick }) else {
            if replicas[k] != nil { log.error("pool \(pools[k].name) is lost, but its replica holds no complete snapshot yet") }
            return false
        }
        guard options.network.sources.isEmpty else {
            log.error("pool \(pools[k].name) is lost; failover does not yet replay [[source]] inputs")
            return false
        }
        let started = monotonicMicroseconds()
        epoch += 1
        log.notice("pool \(pools[k].name) (last heard at tick \(pools[k].tick)) silent for \(silence / 1000) ms: failing over to its replica, rolling every pool back to the snapshot at tick \(manifest.tick) (epoch \(epoch))")
        phase = .starting
        snapshot = nil
        joinTick = manifest.tick
        until = manifest.tick
        lastSnapshotTick = manifest.tick
        snapshotParent = manifest.id
        if lastManifest?.tick != manifest.tick { lastParts = [] }  // the newer snapshot is abandoned
        lastManifest = manifest
        previousManifest = nil
        rewards = try RewardSchedule(rules: options.network.rewards, restoredAt: manifest.tick, counts: manifest.rewardCounts)
        failoverStarted = started
        // The gate for broadcasts: every MODULATORS before this permit belongs to the old epoch.
        try sender.publish(.permit(Permit(until: manifest.tick, epoch: epoch)), topic: Topic.clock, on: pub)
        startingSince = monotonicMicroseconds()
        let network = options.network
        for j in pools.indices {
            pools[j].ready = false
            pools[j].beat = nil
            // Heard again only by a heartbeat of the new epoch on our own SUB: that proves our
            // subscription to the pool as it is now (a replica is a new publisher), so its
            // marker cannot be missed. The run restarts only when every pool is heard.
            pools[j].heard = nil
            pools[j].nextSpikeTick = manifest.tick
            pools[j].awaitingMarker = true
            pools[j].spikeSeq.reset()
            pools[j].heartbeatSeq.reset()
            guard j != k else { continue }
            try sendToNode(j, .welcome(Welcome(startTick: manifest.tick, epoch: epoch, mode: .lockstep, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash)))
        }
        // The replica takes the pool's place under its own routing id.
        replica.promoted = true
        replicas[k] = replica
        pools[k].identity = replica.identity
        pools[k].joined = false
        try sender.send(.welcome(Welcome(startTick: manifest.tick, epoch: epoch, mode: .lockstep, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash)),
                        envelope: [replica.identity], stream: replica.identity, on: router)
        return true
    }
}
