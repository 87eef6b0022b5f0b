import NeuroPool
import NeuroWire
import NeuroNetwork
import NeuroEngine

/// A replica the controller streams snapshot parts to.
struct ReplicaTrack {
    let identity: [UInt8]
    /// The pool it follows.
    let pool: Int
    /// The part being streamed, and the tick of the last part it has verified.
    var sender: PartSender?
    var tick: UInt64?
    /// The tick of the part it verified before `tick`.
    var previousTick: UInt64?
}

extension Controller {
    static let replicaPrefix = Array("replica/".utf8)

    /// A replica of pool `name` joins as `replica/NAME` or `replica/NAME/TAG` (a tag, e.g.
    /// its process id, tells replicas of the same pool apart: a second one follows the
    /// pool after the first has been promoted).
    static func isReplicaIdentity(_ identity: [UInt8], of name: String) -> Bool {
        let base = Array("replica/\(name)".utf8)
        return identity == base || (identity.starts(with: base + [UInt8(ascii: "/")]) && identity.count > base.count + 1)
    }

    /// A replica joining (HELLO → WELCOME) and acknowledging the parts streamed to it.
    func handleReplica(_ identity: [UInt8], _ envelope: WireEnvelope) throws(NodeError) {
        // A replica that has gone (stopped, crashed) is no reason to stop the network.
        func send(_ message: WireMessage) throws(NodeError) {
            do { try sender.send(message, envelope: [identity], stream: identity, on: router) } catch {
                // A replica told to stop may be gone before its last acks are answered.
                guard phase != .stopping, phase != .done else { return }
                log.warning("replica \(String(decoding: identity, as: UTF8.self)) cannot be reached: \(error)")
            }
        }
        switch envelope.message {
        case .hello(let hello):
            let network = options.network
            guard hello.networkHash == network.hash, Int(hello.pool) < pools.count, Int(hello.neuronCount) == pools[Int(hello.pool)].neurons,
                  Self.isReplicaIdentity(identity, of: pools[Int(hello.pool)].name) else {
                try send(.error(ErrorReply(code: .refused, aboutKind: WireKind.hello.rawValue, aboutSequence: envelope.sequence,
                                           message: "replica \(String(decoding: identity, as: UTF8.self)) does not match this network's pool \(hello.pool)")))
                return
            }
            let k = Int(hello.pool)
            // A pool may have several (a new one is started after each failover); the one
            // promoted leaves the list and becomes the pool's node.
            replicas.removeAll { $0.identity == identity }
            replicas.append(ReplicaTrack(identity: identity, pool: k))
            let mode: RunMode = realtime ? .realtime : .lockstep
            try send(.welcome(Welcome(startTick: until, epoch: epoch, mode: mode, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash)))
            log.info("replica of pool \(pools[k].name) joined")
            try streamLastPart(to: replicas.count - 1)
        case .snapshotAck(let ack):
            guard let i = replicas.firstIndex(where: { $0.identity == identity }), var s = replicas[i].sender else { return }
            var r = replicas[i]
            let k = r.pool
            for chunk in try s.handle(ack) { try send(chunk) }
            if s.complete {
                if r.tick != s.tick { r.previousTick = r.tick }
                r.tick = s.tick
                r.sender = nil
                log.info("replica of pool \(pools[k].name) holds the snapshot at tick \(s.tick)")
            } else {
                r.sender = s
            }
            replicas[i] = r
        default:
            break
        }
    }

    /// Promotes a replica of pool `k`: `choose` picks one from `replicas` (its index and the
    /// part's tick, nil when none will do), `welcome` is its promotion at that tick. One that
    /// cannot be reached (gone too) is dropped and the next choice tried. Returns the promoted
    /// replica (no longer in `replicas`) and its tick, or nil.
    func promoteReplica(choose: () -> (index: Int, tick: UInt64)?, welcome: (UInt64) -> Welcome) -> (replica: ReplicaTrack, tick: UInt64)? {
        while let (index, tick) = choose() {
            let replica = replicas.remove(at: index)
            do {
                try sender.send(.welcome(welcome(tick)), envelope: [replica.identity], stream: replica.identity, on: router)
                return (replica, tick)
            } catch {
                log.warning("replica \(String(decoding: replica.identity, as: UTF8.self)) cannot be reached (\(error)); trying another")
            }
        }
        return nil
    }

    /// Streams the last complete snapshot's part of its pool to replica `i`.
    func streamLastPart(to i: Int) throws(NodeError) {
        guard phase != .stopping, phase != .done, i < replicas.count, let manifest = lastManifest, replicas[i].pool < lastParts.count else { return }
        var r = replicas[i]
        let k = r.pool
        let s = PartSender(snapshot: manifest.id, pool: UInt16(k), tick: manifest.tick, part: lastParts[k])
        r.sender = s
        replicas[i] = r
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
        let network = options.network
        let candidates = [lastManifest, previousManifest].compactMap { $0 }
        let chosen = promoteReplica(choose: {
            for m in candidates {
                if let i = replicas.firstIndex(where: { $0.pool == k && ($0.tick == m.tick || $0.previousTick == m.tick) }) { return (i, m.tick) }
            }
            return nil
        }, welcome: { Welcome(startTick: $0, epoch: epoch + 1, mode: .lockstep, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash) })
        guard let (replica, tick) = chosen, let manifest = candidates.first(where: { $0.tick == tick }) else {
            if replicas.contains(where: { $0.pool == k }) { log.error("pool \(pools[k].name) is lost, but no replica of it holds a complete snapshot yet") }
            return false
        }
        let started = monotonicMicroseconds()
        epoch += 1
        log.notice("pool \(pools[k].name) (last heard at tick \(pools[k].tick)) silent for \(silence / 1000) ms: failing over to its replica, rolling every pool back to the snapshot at tick \(manifest.tick) (epoch \(epoch))")
        clock.rollBack(to: manifest.tick)
        snapshot = nil
        joinTick = manifest.tick
        lastSnapshotTick = manifest.tick
        snapshotParent = manifest.id
        if lastManifest?.tick != manifest.tick { lastParts = [] }  // the newer snapshot is abandoned
        lastManifest = manifest
        previousManifest = nil
        rewards = try RewardSchedule(rules: options.network.rewards, task: options.network.task, restoredAt: manifest.tick, state: manifest.rewards)
        if let trials, let next = rewards.nextTrial {
            // The trials decided after the cut are decided again.
            try trials.truncate(before: next)
            score = trials.score
        }
        failoverStarted = started
        // The gate for broadcasts: every MODULATORS before this permit belongs to the old epoch.
        try sender.publish(.permit(Permit(until: manifest.tick, epoch: epoch)), topic: Topic.clock, on: pub)
        startingSince = monotonicMicroseconds()
        let rollback = Welcome(startTick: manifest.tick, epoch: epoch, mode: .lockstep, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash)
        for j in pools.indices {
            pools[j].ready = false
            pools[j].beat = nil
            // Heard again only by a heartbeat of the new epoch on our own SUB: that proves our
            // subscription to the pool as it is now (a replica is a new publisher), so its
            // marker cannot be missed. The run restarts only when every pool is heard.
            pools[j].feed.rollBack(to: manifest.tick)
            guard j != k else { continue }
            try sendToNode(j, .welcome(rollback))
        }
        // Recorders cut their files at the snapshot and follow the new epoch; the run waits
        // for their READY again, as at the start.
        for i in recorders.indices {
            recorders[i].ready = false
            recorders[i].since = monotonicMicroseconds()
            do { try sender.send(.welcome(rollback), envelope: [recorders[i].identity], stream: recorders[i].identity, on: router) } catch {
                log.warning("recorder \(recorders[i].name) cannot be reached: \(error)")
            }
        }
        // The replica takes the pool's place under its own routing id.
        pools[k].identity = replica.identity
        pools[k].joined = false
        pools[k].promotedIn = epoch
        return true
    }

    /// During a failover's rollback to `joinTick`: pool `j` did not answer, so its replica
    /// holding that snapshot is promoted in the same epoch. Returns false when none does.
    func promoteIntoRollback(_ j: Int) -> Bool {
        let network = options.network
        let tick = joinTick
        let chosen = promoteReplica(choose: {
            replicas.firstIndex(where: { $0.pool == j && ($0.tick == tick || $0.previousTick == tick) }).map { ($0, tick) }
        }, welcome: { Welcome(startTick: $0, epoch: epoch, mode: .lockstep, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash) })
        guard let (replica, _) = chosen else { return false }
        log.notice("pool \(pools[j].name) did not answer the rollback to tick \(tick): failing over to its replica too (epoch \(epoch))")
        pools[j].identity = replica.identity
        pools[j].joined = false
        pools[j].promotedIn = epoch
        return true
    }
}
