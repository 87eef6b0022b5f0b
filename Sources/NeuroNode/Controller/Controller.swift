import Logging
import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Settings of the controller process.
public struct ControllerOptions: Sendable {
    public var network: NetworkDescription
    /// Start running this many ticks as soon as every pool is ready (nil: wait for `ctl run`).
    public var runTicks: UInt64?
    /// Stop the nodes and exit once the run reaches its target (what `neurobus up` wants).
    public var exitWhenDone = false
    /// How far (ticks) the fastest pool may run ahead of the slowest. Bounds every queue:
    /// with batches of ≥ 1 tick no stream holds more than this many messages in flight.
    public var window: UInt64 = 512
    public var heartbeatMilliseconds = 100
    public var peerTimeoutMilliseconds = 2000
    /// How long to wait for every pool to join, milliseconds.
    public var joinTimeoutMilliseconds = 60_000
    public var highWaterMark: Int32 = 100_000
    /// Recorders (`neurobus record`) that must have joined and confirmed their subscriptions
    /// before the run starts (`neurobus up --record` sets 1), so they miss no tick.
    public var recorders = 0
    /// Where complete snapshots are stored (the controller is the snapshot store).
    public var snapshotRoot = "snapshots"
    /// Cut ticks to snapshot at, besides the network's `[snapshots] every`.
    public var snapshotAt: Set<UInt64> = []
    /// The snapshot the network restarts from (nodes load their parts of the same folder).
    public var restore: SnapshotManifest?
    /// The controller's CURVE identity (nil: the bus is not authenticated).
    public var security: BusSecurity?
    /// Where the task's trials go as they are decided (`TrialWriter`); nil: nowhere.
    public var trialsPath: String?
    /// The ZeroMQ context to open the sockets in (nil: one of its own). Sharing one lets
    /// nodes in the same process reach the controller over `inproc://` endpoints.
    public var context: ZMQContext?

    public init(network: NetworkDescription) {
        self.network = network
    }
}

/// The controller: admits the nodes (HELLO/WELCOME/READY), starts the run only when every
/// subscription is live, drives the lockstep clock with `PERMIT`s, stamps and broadcasts
/// modulators (scheduled, reward, and `ctl modulate`), answers `ctl`, and stops the nodes.
///
/// Owns three sockets on the calling thread: a ROUTER at the control endpoint (nodes' DEALERs
/// and clients' REQs), a PUB at the publish endpoint (`clk/`, `mod/`, `hb/controller/`), and a
/// SUB connected to every node (`hb/P/`, and `spk/P/` of rewarded pools).
public final class Controller {

    struct Track {
        /// The pool's streams as this controller follows them (heartbeats of every pool,
        /// spikes of rewarded ones).
        var feed: PoolFeed
        let neurons: Int
        /// The routing id of the pool's node (a promoted replica's after a failover).
        var identity: [UInt8]
        var joined = false
        var ready = false
        var beat: Heartbeat?
        var stopped = false
        /// Real time: silent past the timeout (the run goes on without it).
        var dead = false
        /// Real time: the pool's replica is taking over (until it is READY).
        var takeover: Takeover?
        /// Lockstep: the epoch whose failover promoted a replica in this pool's place.
        var promotedIn: UInt32?
        var name: String { feed.name }
        /// When the pool was last heard, µs (nil: not yet, or not since a rollback).
        var heard: UInt64? {
            get { feed.lastHeard }
            set { feed.lastHeard = newValue }
        }
        var tick: UInt64 { beat?.tick ?? 0 }
    }

    let options: ControllerOptions
    var log: Logger
    let context: ZMQContext
    let router: ZMQSocket
    let pub: ZMQSocket
    let sub: ZMQSocket
    /// Admits allow-listed keys to the ROUTER and PUB (nil without authentication).
    var zap: ZAPHandler?
    var sender = MessageSender(source: SourceID.controller)
    var pools: [Track]
    var rewards: RewardSchedule
    /// The task's trials file and score so far (`[task]`).
    var trials: TrialWriter?
    var score = TaskScore()
    /// The run's phase, permit and target.
    var clock: RunClock
    var phase: RunClock.Phase { clock.phase }
    var until: UInt64 { clock.until }
    var target: UInt64 { clock.target }
    let started = monotonicMicroseconds()
    var lastHeartbeatAt: UInt64 = 0
    var scratch = SpikeBatch(firstTick: 0, neuronCount: 1)
    /// Set when the run is over; `run()` returns.
    var finished = false
    /// Why the run is ending at `target` (`stopAtCommonTick`); nil while it is not.
    var stoppingAt: String? { clock.stoppingAt }
    /// Real-time mode: nodes pace themselves; no reward barrier, broadcasts apply on arrival,
    /// and a dead pool is reported while the run goes on.
    let realtime: Bool
    /// Recorders that said HELLO, by routing id, and whether they said READY. While one is
    /// joining, lockstep grants no new permits, so it misses nothing after it joined.
    /// `since`: when it said HELLO (or was sent a failover's WELCOME); one not READY within
    /// `recorderReadyMicroseconds` of it is dropped, so no recorder can hold the clock forever.
    var recorders: [(identity: [UInt8], name: String, ready: Bool, since: UInt64)] = []
    /// How long a joining recorder may take to say READY.
    var recorderReadyMicroseconds: UInt64 { liveness.recorderReady }
    /// The liveness limits, from the peer timeout.
    var liveness: Liveness { Liveness(peerTimeoutMilliseconds: options.peerTimeoutMilliseconds) }
    /// The snapshot being taken, if any: no permit goes past its tick until it is complete.
    var snapshot: SnapshotInProgress?
    /// The last complete snapshot's id (the next one's parent) and tick.
    var snapshotParent: UInt64 = 0
    var lastSnapshotTick: UInt64 = 0
    /// Real time: periodic cuts up to this tick have been skipped (and reported).
    var skippedThrough: UInt64 = 0
    /// The tick the run started from (a restored snapshot's, or 0).
    let startTick: UInt64
    /// The tick nodes join at: `startTick`, or after a failover the snapshot's.
    var joinTick: UInt64
    /// Raised by each failover (rollback); sent in WELCOME and PERMIT.
    var epoch: UInt32 = 0
    /// Standby replicas (a pool may have several; a promoted one leaves the list to be the
    /// pool's node), and the last complete snapshot (manifest and parts) they follow.
    var replicas: [ReplicaTrack] = []
    var lastManifest: SnapshotManifest?
    /// The complete snapshot before `lastManifest` (its replicas may not have the newest yet).
    var previousManifest: SnapshotManifest?
    var lastParts: [SnapshotPart] = []
    /// When the running failover began (for the recovery time in the log).
    var failoverStarted: UInt64?
    /// Until when pools are given extra time after a snapshot (see `checkLiveness`).
    var snapshotGraceUntil: UInt64 = 0
    /// When the current joining phase began (start-up, or a failover's rejoin).
    var startingSince = monotonicMicroseconds()
    /// When the run began (every pool ready) and at which network tick: for the rate logged
    /// when it reaches its target, start-up and shutdown left out.
    var runBegan: (at: UInt64, tick: UInt64)?

    public init(options: ControllerOptions, logger: Logger) throws(NodeError) {
        self.options = options
        log = logger
        let network = options.network
        let startTick = options.restore?.tick ?? 0
        pools = network.pools.map { Track(feed: PoolFeed(name: $0.name, nextTick: startTick), neurons: $0.neurons, identity: Topic.nodeIdentity($0.name)) }
        rewards = RewardSchedule(rules: network.rewards, task: network.task)
        realtime = network.mode == .realtime
        self.startTick = startTick
        joinTick = startTick
        clock = RunClock(startTick: startTick, runTicks: options.runTicks)
        lastSnapshotTick = startTick
        if let restored = options.restore {
            snapshotParent = restored.id
            do { rewards = try RewardSchedule(rules: network.rewards, task: network.task, restoredAt: restored.tick, state: restored.rewards) } catch { throw error }
        }
        let controlAt = try NetworkEndpoints.bindAddress(network.controller.control)
        let publishAt = try NetworkEndpoints.bindAddress(network.controller.publish)
        do {
            if let shared = options.context { context = shared } else { context = try ZMQContext() }
            router = try ZMQSocket(context, .router)
            pub = try ZMQSocket(context, .pub)
            sub = try ZMQSocket(context, .sub)
        } catch { throw .transport(error) }
        do throws(ZMQError) {
            for socket in [router, pub] { try socket.setLinger(milliseconds: 1000) }
            // A SUB sends only subscriptions, which mean nothing once it closes: no linger, or
            // closing waits the full linger for a publisher that has already gone (the
            // controller's exit took 1 s after every run this way).
            try sub.setLinger(milliseconds: 0)
            try sub.reconnectSoon()
            try router.setRouterMandatory(true)
            // No handover: a second connection under a routing id in use is turned away, so no
            // peer can take over a joined node's route. A promoted replica reconnects under its
            // routing id once its old connection is gone (ZeroMQ retries the connection).
            try router.setRouterHandover(false)
            try pub.setSendHighWaterMark(options.highWaterMark)
            try sub.setReceiveHighWaterMark(options.highWaterMark)
            for index in rewards.pools.sorted() { try sub.subscribe(pools[index].feed.spikeTopic) }
            for pool in pools { try sub.subscribe(pool.feed.heartbeatTopic) }
        } catch {
            closeSockets()
            throw .transport(error)
        }
        do throws(NodeError) {
            zap = try BusSecurity.bind([(router, controlAt), (pub, publishAt)], in: context, with: options.security, log: log)
            for pool in network.pools {
                try BusSecurity.connect(sub, to: pool.endpoint, server: BusPrincipal(.node, pool.name), with: options.security)
            }
        } catch {
            closeSockets()
            throw error
        }
    }

    deinit { closeSockets() }

    func closeSockets() {
        for socket in [router, pub, sub] where !socket.isClosed { socket.close() }
        zap?.stop()
    }

    /// Runs until the network is stopped (returns) or a pool fails (throws, naming it).
    public func run(shouldStop: () -> Bool) throws(NodeError) {
        defer { closeSockets() }
        var poller = ZMQPoller()
        poller.add(router)
        poller.add(sub)
        log.info("waiting for \(pools.count) pool(s) at \(options.network.controller.control)")
        if let task = options.network.task, let path = options.trialsPath { trials = try TrialWriter(path: path, task: task) }
        while !finished {
            if shouldStop() {
                try? stopNodes(reason: "interrupted")
                throw .failed("interrupted")
            }
            try drainRouter()
            try drainSubscriptions()
            let now = monotonicMicroseconds()
            try checkLiveness(now: now)
            try startIfReady()
            try grantPermits()
            try finishIfDone()
            // Joining, the nodes wait to hear the controller before READY: beat as fast as they do.
            let joining = NodeRuntime.joiningHeartbeatMilliseconds
            let interval = UInt64(phase == .starting ? joining : options.heartbeatMilliseconds) * 1000
            if now - lastHeartbeatAt >= interval { try heartbeat(now: now) }
            if finished { break }
            do { _ = try poller.poll(timeoutMilliseconds: phase == .starting ? joining : 50) } catch { throw .transport(error) }
        }
        if let trials {
            try trials.finish()
            log.info("task: \(score.summary); trials in \(trials.path)")
        }
    }

    /// The network tick: the smallest tick over all pools (live ones in real time; a pool
    /// whose replica is still taking over stands at its old snapshot and is left out).
    var networkTick: UInt64 { pools.filter { !$0.dead && $0.takeover == nil }.map(\.tick).min() ?? 0 }

    var state: NodeState { clock.state }

    func heartbeat(now: UInt64) throws(NodeError) {
        let beat = Heartbeat(state: state, tick: until, uptimeMicroseconds: now - started)
        try sender.publish(.heartbeat(beat), topic: Topic.controllerHeartbeat, on: pub)
        lastHeartbeatAt = now
    }

    /// Once every pool has joined, confirmed its subscriptions (READY) and been heard on the
    /// controller's own SUB: broadcast the scheduled modulators, then let the run begin.
    func startIfReady() throws(NodeError) {
        // A pool that died while joining (real time only; lockstep has already stopped) does
        // not hold the others back: its READY may have died with it.
        guard phase == .starting, pools.allSatisfy({ ($0.ready && $0.heard != nil) || $0.dead }), pools.contains(where: { !$0.dead }),
              recorders.count >= options.recorders, recorders.allSatisfy(\.ready) else { return }
        // A restored network's pending broadcasts came back with the pools' parts.
        if options.restore == nil, epoch == 0 {
            for m in options.network.modulations {
                try publishModulation(ModulatorLevels(m), at: m.tick)
            }
        }
        _ = clock.everyPoolReady()
        runBegan = (monotonicMicroseconds(), networkTick)
        log.info("all \(pools.count) pool(s) ready\(phase == .running ? ", running to tick \(target)" : "; waiting for `ctl run`")")
        if let began = failoverStarted {
            log.notice("failover complete: every pool back at tick \(joinTick) in epoch \(epoch) after \(formatFixed(Double(monotonicMicroseconds() - began) / 1000, 1)) ms")
            failoverStarted = nil
        }
    }

    /// Extends the permit as far as the window, the run target and the reward barrier allow.
    func grantPermits() throws(NodeError) {
        if !realtime, recorders.contains(where: { !$0.ready }) { return }
        // Lockstep holds every pool at the earliest tick a reward still to be decided can fall
        // on until the reward is stamped; real time never waits, and rewards apply on arrival
        // (a pairing reward at its tick, if that is still ahead).
        guard var desired = clock.desiredPermit(networkTick: networkTick, window: options.window, barrier: realtime ? nil : rewards.barrier) else { return }
        // No tick past a snapshot's cut until every part is in.
        if let cut = try snapshotBarrier(upTo: desired) { desired = min(desired, cut) }
        if clock.grant(upTo: desired) {
            try sender.publish(.permit(Permit(until: until, epoch: epoch)), topic: Topic.clock, on: pub)
        }
    }

    func finishIfDone() throws(NodeError) {
        if clock.runsToTarget, snapshot == nil, pools.allSatisfy({ $0.dead || $0.tick >= target }),
           let reached = clock.reachedTarget(exitWhenDone: options.exitWhenDone) {
            if let began = runBegan, target > began.tick {
                let seconds = Double(monotonicMicroseconds() - began.at) / 1e6
                let ticks = target - began.tick
                log.info("reached tick \(target): \(ticks) ticks in \(formatFixed(seconds, 3)) s since every pool was ready, \(formatFixed(Double(ticks) / seconds, 0)) ticks/s")
            } else {
                log.info("reached tick \(target)")
            }
            if case .stop(let reason) = reached { try stopNodes(reason: reason) }
        }
        if phase == .stopping, pools.allSatisfy({ $0.stopped || $0.dead }) {
            clock.finish()
            finished = true
            log.info("all pools stopped")
        }
    }

    /// Ends a lockstep run at one tick for every pool: the furthest tick already permitted,
    /// which every pool can reach; no further permit is granted, and once every pool is there
    /// (and any snapshot in progress is complete) the nodes are stopped, so every final pool
    /// and raster ends at the same tick. While joining, in real time or already stopping, the
    /// nodes are stopped at once.
    func stopAtCommonTick(reason: String) throws(NodeError) {
        switch clock.stopAtCommonTick(reason: reason, realtime: realtime, networkTick: networkTick) {
        case .now: return try stopNodes(reason: reason)
        case .underWay: return
        case .atTick: break
        }
        // A cut past the last tick would never be reached.
        if let s = snapshot, s.cut.tick > target { abandonSnapshot("the run stops at tick \(target), before its cut") }
        log.info("\(reason): stopping every pool at tick \(target)")
    }

    /// Drops every recorder that has not said READY within `recorderReadyMicroseconds` of
    /// joining, telling it why (if it can still be reached) and logging it.
    func dropSilentRecorders(now: UInt64) {
        let limit = recorderReadyMicroseconds
        let silent = recorders.filter { !$0.ready && now - $0.since > limit }
        guard !silent.isEmpty else { return }
        for r in silent {
            let message = "recorder \(r.name) did not say READY within \(limit / 1000) ms of joining; dropped (the run goes on without it)"
            log.warning("\(message)")
            try? sender.send(.error(ErrorReply(code: .refused, aboutKind: WireKind.ready.rawValue, aboutSequence: 0, message: message)),
                             envelope: [r.identity], stream: r.identity, on: router)
        }
        recorders.removeAll { r in silent.contains { $0.identity == r.identity } }
    }

    /// The task's progress for `ctl status` (all zero without a task). The counts cover the
    /// trials decided since this controller started (or restored).
    var taskProgress: TaskProgress {
        guard let task = options.network.task else { return TaskProgress(trials: 0, decided: 0, trainTrials: 0, trainCorrect: 0, testTrials: 0, testCorrect: 0) }
        func u32(_ v: Int) -> UInt32 { UInt32(clamping: v) }
        return TaskProgress(trials: u32(task.trials), decided: u32(rewards.nextTrial ?? 0),
                            trainTrials: u32(score.trainTrials), trainCorrect: u32(score.trainCorrect),
                            testTrials: u32(score.testTrials), testCorrect: u32(score.testCorrect))
    }

    /// Tells every node to stop (they save their outputs and answer).
    func stopNodes(reason: String) throws(NodeError) {
        guard clock.beginStopping() else { return }
        log.info("stopping: \(reason)")
        for k in pools.indices where pools[k].joined && !pools[k].dead {
            try sendToNode(k, .command(Command(verb: .stop)))
        }
        for r in replicas {
            try? sender.send(.command(Command(verb: .stop)), envelope: [r.identity], stream: r.identity, on: router)
        }
        if !pools.contains(where: \.joined) { clock.finish(); finished = true }
    }

    /// Sends to pool `k`'s node. A node that cannot be reached (not connected: it died, or
    /// is being replaced) is not an error here: its silence is, which `checkLiveness` judges
    /// (lockstep: failover or stop; real time: dead, or taken over).
    func sendToNode(_ k: Int, _ message: WireMessage) throws(NodeError) {
        do throws(NodeError) {
            try sender.send(message, envelope: [pools[k].identity], stream: pools[k].identity, on: router)
        } catch {
            log.warning("pool \(pools[k].name) cannot be reached (\(message.kind)): \(error)")
        }
    }

    /// Stamps and broadcasts one modulator broadcast (`onArrival`: nodes apply it at the tick
    /// they are at when it arrives — real time's rewards and `ctl modulate`).
    func publishModulation(_ levels: ModulatorLevels, at tick: UInt64, onArrival: Bool = false) throws(NodeError) {
        try publishModulation(wire: levels.wireLevels, at: tick, onArrival: onArrival)
    }

    /// Publishes every `(id, level)` entry as given: ids this build does not apply (serotonin,
    /// noradrenaline, later ones) are forwarded too, as SPEC §4.3 asks of a forwarder.
    func publishModulation(wire levels: [(id: UInt8, level: UInt8)], at tick: UInt64, onArrival: Bool = false) throws(NodeError) {
        let message = Modulators(tick: tick, mode: onArrival ? .onArrival : .atTick, levels: levels)
        try sender.publish(.modulators(message), topic: Topic.modulators, on: pub)
        let applied = ModulatorLevels(message)
        let others = levels.count - applied.wireLevels.count
        log.info("modulation \(onArrival ? "on arrival" : "for tick \(tick)"): \(applied.summary)\(others > 0 ? " and \(others) other id(s)" : "")")
    }

    func checkLiveness(now: UInt64) throws(NodeError) {
        dropSilentRecorders(now: now)
        // A failover's rollback: a pool that has not answered it for twice the peer timeout
        // died too (several pools can fail together); its replica takes its place as well.
        if !realtime, phase == .starting, failoverStarted != nil, now - startingSince > liveness.rollbackAnswer {
            for j in pools.indices where pools[j].promotedIn != epoch && pools[j].heard == nil && !pools[j].stopped {
                guard promoteIntoRollback(j) else {
                    throw .peerLost("pool \(pools[j].name) did not answer the rollback to tick \(joinTick), and no replica of it holds that snapshot")
                }
                startingSince = now
            }
        }
        if phase == .starting, now - startingSince > UInt64(options.joinTimeoutMilliseconds) * 1000 {
            let missing = pools.filter { !$0.ready }.map(\.name)
            throw .timeout("pools not ready after \(options.joinTimeoutMilliseconds) ms: \(missing.joined(separator: ", "))")
        }
        for k in pools.indices where pools[k].joined && !pools[k].stopped {
            // A pool capturing its part is busy, not dead; during a snapshot every pool gets
            // more (the heartbeats not read while a part was checked): `Liveness`.
            let snapshotting = realtime ? false : snapshot.map { $0.published } ?? (now < snapshotGraceUntil)
            let allowed = isCapturing(k) ? liveness.poolCapturing(realtime: realtime)
                : snapshotting ? liveness.poolSilentDuringSnapshot : liveness.poolSilent
            guard let heard = pools[k].heard, now - heard > allowed else {
                if pools[k].dead {
                    pools[k].dead = false
                    log.notice("pool \(pools[k].name) is heard again")
                }
                continue
            }
            guard realtime else {
                if try failOver(k, silentFor: now - heard) { return }
                throw .peerLost("pool \(pools[k].name) has been silent for \((now - heard) / 1000) ms")
            }
            if !pools[k].dead {
                pools[k].dead = true
                if pools[k].takeover != nil {
                    pools[k].takeover = nil
                    log.error("pool \(pools[k].name): its replica went silent while taking over; running on without it")
                    continue
                }
                log.error("pool \(pools[k].name) is dead: silent for \((now - heard) / 1000) ms (timeout \(options.peerTimeoutMilliseconds) ms); running on without it")
                if let s = snapshot, s.parts[k] == nil { abandonSnapshot("pool \(pools[k].name) is dead") }
                try takeOver(k, silentFor: now - heard)
            }
        }
    }
}
