import NeuroWire
import NeuroNetwork
import NeuroEngine

/// A real-time takeover in progress: pool state from the snapshot at `from`, running again
/// from `at` (set when the replica says HELLO); the ticks in between are the gap.
struct Takeover {
    let from: UInt64
    /// The last tick the dead primary reported.
    let lastHeard: UInt64
    let began: UInt64
    var at: UInt64?
}

/// How far ahead (ticks) real time places a snapshot's cut or a takeover's restart: 250 ms,
/// at least 8 ticks — time for the request to reach every node before it gets there.
public func realtimeLeadTicks(tickMicroseconds: UInt32) -> UInt64 {
    max(8, 250_000 / UInt64(max(tickMicroseconds, 1)))
}

extension Controller {
    var realtimeLead: UInt64 { realtimeLeadTicks(tickMicroseconds: options.network.tickMicroseconds) }

    /// Real time: the furthest tick a live pool has reached by `now`, from its last heartbeat
    /// (a running pool is paced: one tick per tick length since it was heard).
    func estimatedTick(now: UInt64) -> UInt64 {
        let tick = UInt64(max(options.network.tickMicroseconds, 1))
        var furthest: UInt64 = 0
        for p in pools where !p.dead && p.takeover == nil {
            guard let beat = p.beat, let heard = p.heard else { continue }
            let since = beat.state == .running && now > heard ? (now - heard) / tick : 0
            furthest = max(furthest, min(beat.tick &+ since, target))
        }
        return furthest
    }

    /// Real time: pool `k` may be busy capturing its part (it stands at the cut and has not
    /// delivered it), so its silence is given more time. A pool that died before the cut is not.
    func isCapturing(_ k: Int) -> Bool {
        guard let s = snapshot, s.published, s.parts[k] == nil, s.receivers[k] == nil || s.receivers[k]?.verified == false else { return false }
        return pools[k].tick &+ 1 >= s.cut.tick
    }

    /// Gives up the snapshot being taken (real time: a pool died, or a part never came; the
    /// next periodic one is taken as usual. Lockstep: the run stops before its cut).
    func abandonSnapshot(_ why: String) {
        guard let s = snapshot else { return }
        let missing = pools.indices.filter { s.parts[$0] == nil }.map { pools[$0].name }
        log.warning("snapshot \(hex(s.cut.snapshot)) at tick \(s.cut.tick) abandoned: \(why) (no part from \(missing.joined(separator: ", ")))")
        snapshot = nil
    }

    /// Real time: pool `k` is dead. With a replica holding a complete snapshot, the replica
    /// takes over from it while the others run on: promoted now, it joins (HELLO at the
    /// snapshot's tick), is given a restart tick a lead ahead of the network, fast-forwards
    /// its pool to it without input and runs on from there. The pool's state misses the gap
    /// between the two ticks, which is reported. Nothing happens without a replica.
    func takeOver(_ k: Int, silentFor silence: UInt64) throws(NodeError) {
        guard realtime, replicas.contains(where: { $0.pool == k }) else { return }
        let network = options.network
        // The replica holding the newest part.
        let chosen = promoteReplica(choose: {
            let held = replicas.indices.filter { replicas[$0].pool == k && replicas[$0].tick != nil }
            return held.max(by: { replicas[$0].tick! < replicas[$1].tick! }).map { ($0, replicas[$0].tick!) }
        }, welcome: { Welcome(startTick: $0, epoch: epoch, mode: .realtime, tickMicroseconds: network.tickMicroseconds, networkHash: network.hash) })
        guard let (replica, from) = chosen else {
            log.error("pool \(pools[k].name): no replica of it holds a complete snapshot yet, so none can take over")
            return
        }
        pools[k].identity = replica.identity
        pools[k].joined = false
        pools[k].ready = false
        pools[k].takeover = Takeover(from: from, lastHeard: pools[k].tick, began: monotonicMicroseconds())
        // Its spikes count again from the replica's marker.
        pools[k].feed.awaitNewPublisher()
        log.notice("pool \(pools[k].name) (last heard at tick \(pools[k].tick), silent for \(silence / 1000) ms): its replica takes over from the snapshot at tick \(from)")
    }

    /// The promoted replica's HELLO (at the snapshot's tick): it restarts a lead ahead of
    /// where the network is now. Returns the WELCOME's start tick.
    func takeoverJoined(_ k: Int) -> UInt64 {
        let at = max(estimatedTick(now: monotonicMicroseconds()) &+ realtimeLead, pools[k].takeover!.from)
        pools[k].takeover!.at = at
        pools[k].feed.restartStream(at: at)
        return at
    }

    /// The promoted replica is READY: the takeover is complete. Reports the gap, and repeats
    /// the permit (it may have been the last one).
    func takeoverReady(_ k: Int) throws(NodeError) {
        guard let t = pools[k].takeover, let at = t.at else { return }
        pools[k].takeover = nil
        let gap = at - t.from
        let ms = Double(gap) * Double(options.network.tickMicroseconds) / 1000
        log.notice("takeover of pool \(pools[k].name) complete after \(formatFixed(Double(monotonicMicroseconds() - t.began) / 1000, 1)) ms: running again from tick \(at) with the state of tick \(t.from) — a gap of \(gap) ticks (\(formatFixed(ms, 1)) ms of simulated time; the primary was last heard at tick \(t.lastHeard))")
        try sender.publish(.permit(Permit(until: until, epoch: epoch)), topic: Topic.clock, on: pub)
    }
}
