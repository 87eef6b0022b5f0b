import Logging
import NeuroPool
import NeuroWire
import ZeroMQ
import NeuroNetwork
import NeuroEngine

/// Settings of one node process.
public struct NodeOptions: Sendable {
    public var network: NetworkDescription
    /// Index of the pool this node runs.
    public var pool: Int
    /// Where to write the raster and the final pool when the controller says stop.
    public var out: OutputDirectory?
    /// Heartbeat interval once running, milliseconds (faster while joining).
    public var heartbeatMilliseconds = 100
    /// A peer (controller or upstream pool) silent this long is declared lost, milliseconds.
    public var peerTimeoutMilliseconds = 2000
    /// How long to wait for the controller's WELCOME, milliseconds.
    public var joinTimeoutMilliseconds = 30_000
    /// Send/receive high-water marks, messages. The controller's permit window keeps every
    /// queue far below it; a drop would show as a sequence gap and stop the run.
    public var highWaterMark: Int32 = 100_000
    /// Where to reach an upstream pool or a source instead of its endpoint in the network file,
    /// by name (NAT, port forwarding, a relay or a test's fault-injecting proxy).
    public var connect: [String: String] = [:]
    /// A snapshot folder to start from (its part for this pool, and its tick).
    public var restore: String?
    /// Where this node keeps a local copy of each snapshot part it sends (nil: none).
    public var snapshotRoot: String?
    /// A promoted replica: the snapshot part it starts from, instead of `restore`.
    public var promotion: Promotion?
    /// The DEALER's routing id name (default `node/POOL`; a promoted replica keeps `replica/POOL/PID`).
    public var identity: String?
    /// The node's CURVE identity, `node/POOL` (nil: the bus is not authenticated).
    public var security: BusSecurity?
    /// The ZeroMQ context to open the sockets in (nil: one of its own). Sharing one lets
    /// peers in the same process reach the node over `inproc://` endpoints.
    public var context: ZMQContext?

    public init(network: NetworkDescription, pool: Int, out: OutputDirectory? = nil) {
        self.network = network
        self.pool = pool
        self.out = out
    }
}

/// One node: runs one pool in lockstep with the rest of the network.
///
/// Everything happens on the calling thread, which owns the node's three sockets: a PUB bound
/// at the pool's endpoint (`spk/P/`, `hb/P/`), a SUB connected to every upstream pool and to the
/// controller (`spk/U/`, `hb/U/`, `clk/`, `mod/`, `hb/controller/`), and a DEALER to the
/// controller's ROUTER (join, commands). The loop simulates a tick whenever the permit and the
/// upstream spikes allow, publishes batches of up to `lookahead` ticks, and otherwise flushes
/// what it has and blocks in `zmq_poll` — never in a sleep.
public final class NodeRuntime {
    let options: NodeOptions
    let spec: PoolSpec
    var driver: PoolDriver
    var log: Logger
    let context: ZMQContext
    let pub: ZMQSocket
    let sub: ZMQSocket
    let dealer: ZMQSocket
    /// Admits allow-listed keys to the PUB (nil without authentication).
    var zap: ZAPHandler?
    var sender: MessageSender
    var history: StreamHistory
    /// Upstream pool indices and, parallel, the feeds following their streams.
    let upstream: [Int]
    var feeds: [PoolFeed]
    /// This pool's own topics, built once: formatting them per message cost an allocation a tick.
    let spikeTopic: [UInt8]
    let heartbeatTopic: [UInt8]
    var controllerSeq = (clock: SequenceCheck(), modulators: SequenceCheck(), heartbeat: SequenceCheck(), direct: SequenceCheck())
    var controllerLastHeard: UInt64?
    /// Ticks per outgoing batch (the smallest lag of the projections out of this pool).
    let batchTicks: Int
    var outBatch: SpikeBatch
    var scratch: SpikeBatch
    var raster: RasterWriter?
    /// Multimeters and weight recorders of this pool (nil: none, or no output folder).
    var monitors: PoolMonitors?
    /// Join, READY, permits, epochs and stop: the node's standing with the controller.
    var session: NodeSession
    var counters = TrafficCounters()
    let started: UInt64
    var lastHeartbeatAt: UInt64 = 0
    var lastHeartbeatTick: UInt64 = .max
    /// Real-time mode: ticks follow the wall clock and never wait for upstream spikes.
    let realtime: Bool
    var pacer: RealtimePacer
    /// Per upstream pool, the smallest lag of its projections into this pool: a batch whose
    /// first tick plus this lag is already simulated arrived late.
    let upstreamLag: [UInt64]
    /// Ticks of spikes the history keeps: the network's largest lag, at least 8.
    let historyDepth: UInt64
    /// Real time: upstream pools reported silent (once each, until heard again).
    var upstreamSilent: [Bool]
    /// The pool's external source (`[[source]]`), if the network file declares one, and its
    /// two topics (kept apart so matching a message's topic does not copy `source`).
    var source: SourceInput?
    let sourceTopics: (stimulus: [UInt8], heartbeat: [UInt8])?
    /// A snapshot the controller has asked for, until this node has captured its part.
    var pendingCut: SnapshotCut? { session.pendingCut }
    /// The part being streamed to the store.
    var transfer: PartSender?
    /// Reused receive frames (no allocation per message).
    var subMessage = PubSubMessage()
    var messageFrame = ZMQMessage()
    /// When the DEALER was last read; on the hot path it is read every `dealerInterval` µs.
    var lastDealerCheck: UInt64 = 0
    /// The last hot-path wait received a message.
    var tookOne = false
    /// The last snapshot parts this node captured (or restored from), newest last, at most
    /// three: a rollback returns to the last *complete* snapshot, which may be one behind the
    /// newest part (the primary died while the newest snapshot was being taken).
    var recentParts: [(cut: SnapshotCut, part: SnapshotPart)] = []
    var lastPart: (cut: SnapshotCut, part: SnapshotPart)? { recentParts.last }
    static let dealerInterval: UInt64 = 2000
    /// Heartbeat interval while the network joins, milliseconds: a pool's READY waits to hear
    /// every upstream pool, and the controller's start waits to hear every pool, so this bounds
    /// how long a run's start waits on a heartbeat.
    static let joiningHeartbeatMilliseconds = 5
    /// Until the network has started, this node beats every `joiningHeartbeatMilliseconds`,
    /// READY sent or not: a pool that joins later waits to hear it (after its READY, beating
    /// only every 100 ms held the other pool's READY back by up to 100 ms).
    var joining: Bool { session.joining }
    /// The run's epoch (`NodeSession.epoch`).
    var epoch: UInt32 { session.epoch }

    /// Builds the pool and opens the sockets (binding the pool's endpoint).
    public init(options: NodeOptions, logger: Logger) throws(NodeError) {
        self.options = options
        let network = options.network
        spec = network.pools[options.pool]
        log = logger
        driver = try network.buildPool(options.pool)
        var held: HeldInput?
        var restoredPart: (cut: SnapshotCut, part: SnapshotPart)?
        if let promotion = options.promotion {
            held = try driver.restore(promotion.pool)
            restoredPart = (promotion.cut, SnapshotPart(pool: promotion.pool))
        } else if let path = options.restore {
            do {
                let manifest = try SnapshotStore.manifest(at: path)
                try SnapshotStore.check(manifest, path: path, against: network)
                let pool = try SnapshotStore.loadPart(path, manifest: manifest, pool: network.pools[options.pool].name)
                held = try driver.restore(pool)
                restoredPart = (SnapshotCut(snapshot: manifest.id, parent: manifest.parent, tick: manifest.tick), SnapshotPart(pool: pool))
            } catch let error as SnapshotError {
                throw .failed("--restore \(path): \(error)")
            } catch let error as NodeError {
                throw error
            } catch { throw .failed("\(error)") }
        }
        upstream = network.upstream(of: options.pool).filter { $0 != options.pool }
        spikeTopic = Topic.spikes(spec.name)
        heartbeatTopic = Topic.heartbeat(spec.name)
        upstreamSilent = upstream.map { _ in false }
        if let restoredPart { recentParts = [restoredPart] }
        let startTick = driver.tick
        source = network.source(into: options.pool).map { SourceInput(spec: $0, pool: network.pools[options.pool], startTick: startTick) }
        sourceTopics = source.map { ($0.stimulusTopic, $0.heartbeatTopic) }
        realtime = network.mode == .realtime
        session = NodeSession(realtime: realtime, promoted: options.promotion != nil, networkHash: network.hash)
        // A promoted replica: the source resends from the snapshot's tick after its marker;
        // what it hears before (even before its WELCOME) belongs to the dead node's stream.
        if options.promotion != nil, !realtime { source?.restart(at: startTick) }
        pacer = RealtimePacer(tickMicroseconds: UInt64(network.tickMicroseconds))
        var streams: [Int: SpikeStream] = [:]
        for u in network.upstream(of: options.pool) {
            if let held {
                streams[u] = try Self.restoredStream(from: u, held: held, driver: driver, network: network)
            } else {
                streams[u] = SpikeStream(name: network.pools[u].name, neuronCount: network.pools[u].neurons)
            }
        }
        history = StreamHistory(streams: streams, missingIsSilent: realtime)
        feeds = upstream.map { PoolFeed(name: network.pools[$0].name, nextTick: streams[$0]!.nextTick) }
        let lags = driver.pool.afferents.map { UInt64($0.lag) }
        let sources = driver.afferentSources
        upstreamLag = upstream.map { u in sources.indices.filter { sources[$0] == u }.map { lags[$0] }.min() ?? 1 }
        historyDepth = UInt64(network.maxLag)
        // Real time sends every tick at once: a batch held for the lookahead would arrive
        // behind the downstream clock.
        batchTicks = realtime ? 1 : min(network.outgoingLag(of: options.pool) ?? 64, WireFormat.maxTicksPerBatch)
        outBatch = SpikeBatch(firstTick: 0, neuronCount: spec.neurons)
        scratch = SpikeBatch(firstTick: 0, neuronCount: spec.neurons)
        sender = MessageSender(source: SourceID.pool(options.pool), spikePolicy: network.spikeEncoding)
        started = monotonicMicroseconds()
        let bindAt = try NetworkEndpoints.bindAddress(spec.endpoint)
        do throws(ZMQError) {
            if let shared = options.context { context = shared } else { context = try ZMQContext() }
            pub = try ZMQSocket(context, .pub)
            sub = try ZMQSocket(context, .sub)
            dealer = try ZMQSocket(context, .dealer)
        } catch { throw .transport(error) }
        do throws(ZMQError) {
            for socket in [pub, dealer] { try socket.setLinger(milliseconds: 1000) }
            // A SUB sends only subscriptions, which mean nothing once it closes: no linger, or
            // closing waits the full linger for a publisher that has already gone (the
            // controller's exit took 1 s after every run this way).
            try sub.setLinger(milliseconds: 0)
            try sub.reconnectSoon()
            try dealer.reconnectSoon()
            try pub.setSendHighWaterMark(options.highWaterMark)
            try sub.setReceiveHighWaterMark(options.highWaterMark)
            // The hot-path wait (see `loop`) blocks on the SUB for at most this long.
            try sub.setReceiveTimeout(milliseconds: 2)
            // Spike topics before heartbeat topics: a heartbeat heard proves the spike
            // subscription (sent earlier on the same connection) is in place too.
            for feed in feeds { try sub.subscribe(feed.spikeTopic) }
            for feed in feeds { try sub.subscribe(feed.heartbeatTopic) }
            if let source {
                // Stimulus before heartbeat, as for pools: hearing the source proves both.
                try sub.subscribe(source.stimulusTopic)
                try sub.subscribe(source.heartbeatTopic)
            }
            try sub.subscribe(Topic.modulators)
            try sub.subscribe(Topic.clock)
            try sub.subscribe(Topic.controllerHeartbeat)
            try dealer.setRoutingID(options.identity.map { Array($0.utf8) } ?? Topic.nodeIdentity(spec.name))
        } catch {
            closeSockets()
            throw .transport(error)
        }
        do throws(NodeError) {
            let security = options.security
            zap = try BusSecurity.bind([(pub, bindAt)], in: context, with: security, log: log)
            func connect(_ socket: ZMQSocket, _ endpoint: String, _ server: BusPrincipal) throws(NodeError) {
                try BusSecurity.connect(socket, to: endpoint, server: server, with: security)
            }
            for u in upstream {
                let name = network.pools[u].name
                try connect(sub, options.connect[name] ?? network.pools[u].endpoint, BusPrincipal(.node, name))
            }
            if let source { try connect(sub, options.connect[source.spec.name] ?? source.spec.endpoint, BusPrincipal(.source, source.spec.name)) }
            try connect(sub, network.controller.publish, BusPrincipal(.controller))
            try connect(dealer, network.controller.control, BusPrincipal(.controller))
        } catch {
            closeSockets()
            throw error
        }
        if let out = options.out {
            // A restored or promoted node continues the raster left in the folder from its tick.
            // A real-time takeover keeps every line the dead primary wrote (it restarts past them).
            let start = realtime && options.promotion != nil ? UInt64.max : driver.tick
            do {
                raster = start == 0 ? try RasterWriter(directory: out.path, pool: spec.name, neurons: spec.neurons)
                    : try RasterWriter(directory: out.path, pool: spec.name, neurons: spec.neurons, resumingAt: start)
                let m = try PoolMonitors(network: network, pool: options.pool, driver: driver, directory: out.path,
                                         resumingAt: start == 0 ? nil : start)
                if !m.isEmpty { monitors = m }
            } catch {
                closeSockets()
                throw error
            }
        }
    }

    deinit {
        closeSockets()
    }

    /// The stream of upstream pool `u` as a snapshot left it: the spikes still on their way
    /// (of the projection from `u` with the largest lag, which covers the others), continuing
    /// at the snapshot's tick.
    static func restoredStream(from u: Int, held: HeldInput, driver: PoolDriver, network: NetworkDescription) throws(NodeError) -> SpikeStream {
        let t = driver.tick
        let projections = driver.afferentSources.indices.filter { driver.afferentSources[$0] == u }
        let widest = projections.max { driver.pool.afferents[$0].lag < driver.pool.afferents[$1].lag }
        let ticks = widest.map { held.afferentSpikes[$0] } ?? []
        let first = ticks.first?.tick ?? t
        var stream = SpikeStream(name: network.pools[u].name, neuronCount: network.pools[u].neurons, startTick: first)
        guard !ticks.isEmpty else { return stream }
        var batch = SpikeBatch(firstTick: first, neuronCount: network.pools[u].neurons)
        for (k, held) in ticks.enumerated() {
            guard held.tick == first + UInt64(k) else { throw .failed("the snapshot's spikes of pool \(network.pools[u].name) skip tick \(first + UInt64(k))") }
            batch.appendTick(held.ids)
        }
        guard first + UInt64(ticks.count) == t else { throw .failed("the snapshot's spikes of pool \(network.pools[u].name) end at tick \(first + UInt64(ticks.count)), not at \(t)") }
        try stream.append(batch)
        return stream
    }

    func closeSockets() {
        for socket in [pub, sub, dealer] where !socket.isClosed { socket.close() }
        zap?.stop()
    }

    /// Runs until the controller says stop (returns) or something fails (throws, after telling
    /// the controller). `shouldStop` is polled at least every 100 ms (e.g. a signal flag).
    public func run(shouldStop: () -> Bool) throws(NodeError) {
        defer { closeSockets() }
        do {
            try loop(shouldStop: shouldStop)
        } catch {
            log.error("\(error)")
            session.fail()
            let reply = ErrorReply(code: .internal, aboutKind: 0, aboutSequence: 0, message: "pool \(spec.name): \(error)")
            try? sender.send(.error(reply), stream: [], on: dealer)
            throw error
        }
    }

    private func loop(shouldStop: () -> Bool) throws(NodeError) {
        try sendHello()
        var poller = ZMQPoller()
        poller.add(sub)
        poller.add(dealer)
        let joinDeadline = started + UInt64(options.joinTimeoutMilliseconds) * 1000
        while !session.stopped {
            if shouldStop() { throw .failed("interrupted") }
            // Drain everything waiting, without blocking — unless the hot-path wait just took a
            // message: then the next one, if any, is taken by the next wait without a system
            // call, where draining would end in a mailbox check that finds nothing.
            if tookOne {
                tookOne = false
                try drainDealerIfDue()
            } else {
                try drain()
            }
            // Lockstep waits for the source too: its spikes are part of the schedule. Real
            // time runs without it until it turns up.
            let sourceHeard = realtime || source.map { $0.lastHeard != nil } ?? true
            if session.readyIfDue(upstreamsHeard: feeds.allSatisfy({ $0.lastHeard != nil }), sourceHeard: sourceHeard) {
                try sender.send(.ready(Ready(tick: driver.tick, upstreamReady: UInt16(upstream.count), upstreamTotal: UInt16(upstream.count))),
                                stream: [], on: dealer)
                log.info("ready: heard \(upstream.count) upstream pool(s)\(source.map { ", source \($0.spec.name)" } ?? "") and the controller")
            }
            try captureSnapshotIfDue()
            // Simulate every tick we may.
            while try canAdvance() {
                try advance()
                // Real time never waits at a cut: capture it the moment the pool is there
                // (lockstep's permit stops this loop at the cut; the capture above takes it).
                if realtime, pendingCut?.tick == driver.tick { try captureSnapshotIfDue() }
                // Every 64 ticks for the controller's window, and at least every heartbeat
                // interval: a large pool's 64 ticks can outlast the peer timeout.
                let t = monotonicMicroseconds()
                if driver.tick % 64 == 0 || t - lastHeartbeatAt >= UInt64(options.heartbeatMilliseconds) * 1000 { try heartbeat(now: t) }
                if driver.tick & 15 == 0 { try drain() }
            }
            // Blocked: publish what downstream may be waiting for, report progress, then wait.
            if outBatch.tickCount > 0 { try flushBatch() }
            let after = monotonicMicroseconds()
            // Here, not before the ticks: a delay-1 loop has its upstream batch in hand then,
            // and nothing in this check can let a tick run sooner.
            try checkLiveness(now: after, joinDeadline: joinDeadline)
            let interval = UInt64(joining ? Self.joiningHeartbeatMilliseconds : options.heartbeatMilliseconds) * 1000
            // Progress for the controller's window: every 64 ticks (above), and when waiting
            // for a permit, so the controller sees where we stand.
            let waitingForPermit = session.readySent && driver.tick >= session.permitUntil && driver.tick != lastHeartbeatTick
            if after - lastHeartbeatAt >= interval || waitingForPermit {
                try heartbeat(now: after)
            }
            if session.stopped { break }
            hot: do {
                if let wait = realtimeWait() {
                    // Paced: wake for the next due tick. zmq_poll counts whole milliseconds,
                    // so the rest of the wait is a sleep until the deadline (pacing, not
                    // synchronisation: nothing we wait for can arrive sooner by sleeping less).
                    if wait >= 1000 {
                        _ = try poller.poll(timeoutMilliseconds: Int(wait / 1000))
                    } else if try poller.poll(timeoutMilliseconds: 0) == 0 {
                        var pause = timespec(tv_sec: 0, tv_nsec: Int(wait) * 1000)
                        nanosleep(&pause, nil)
                    }
                } else if !realtime, permitted {
                    break hot
                } else {
                    _ = try poller.poll(timeoutMilliseconds: joining ? Self.joiningHeartbeatMilliseconds : 100)
                }
                continue
            } catch { throw .transport(error) }
            // Permitted and waiting for upstream spikes, which come on the SUB, like new
            // permits: block on it alone. zmq_poll would check both sockets' command
            // mailboxes before and after waiting — four more system calls a tick, the bulk of
            // a delay-1 loop's cost. The DEALER is read every 2 ms (`drain`).
            tookOne = try receiveSubscription(dontWait: false)
        }
    }

    /// Whether the next tick may run: permitted, and every afferent projection's spikes held.
    /// Joined, confirmed, not stopping, and the controller's permit covers the next tick.
    var permitted: Bool { session.permits(tick: driver.tick) }

    func canAdvance() throws(NodeError) -> Bool {
        guard permitted else { return false }
        if realtime {
            let now = monotonicMicroseconds()
            if pacer.epoch == nil { pacer.start(tick: driver.tick, now: now) }
            return now >= pacer.due(driver.tick)
        }
        for p in driver.afferentSources.indices {
            guard let needed = driver.neededSourceTick(projection: p) else { continue }
            let source = driver.afferentSources[p]
            if source == options.pool { continue } // own spikes are recorded locally
            guard let stream = history.streams[source], stream.holds(needed) else { return false }
        }
        if source?.holds(driver.tick) == false { return false }
        return true
    }

    /// Real time, permitted and waiting for the clock: microseconds until the next tick is
    /// due (0 if due now); nil otherwise.
    func realtimeWait() -> UInt64? {
        guard realtime, pacer.epoch != nil, permitted else { return nil }
        let due = pacer.due(driver.tick), now = monotonicMicroseconds()
        return due > now ? due - now : 0
    }

    /// Simulates one tick, records and batches its spikes.
    func advance() throws(NodeError) {
        let t = driver.tick
        if realtime { pacer.record(tick: t, now: monotonicMicroseconds()) }
        let spikes: ArraySlice<UInt16>
        if source == nil {
            spikes = try driver.advance(history: history)
        } else if realtime {
            sortUnique(&source!.pending)
            spikes = try source!.pending.withUnsafeBufferPointer { (ids) throws(NodeError) in
                try driver.advance(history: history, injected: ids, drive: source!.spec.drive)
            }
            source!.pending.removeAll(keepingCapacity: true)
        } else {
            let drive = source!.spec.drive
            spikes = try source!.stream.withSpikes(tick: t, missingIsSilent: source!.end.map { t >= $0 } ?? false) { (ids) throws(NodeError) in
                try driver.advance(history: history, injected: ids, drive: drive)
            }
        }
        counters.spikes &+= UInt64(spikes.count)
        if outBatch.tickCount == 0 { outBatch.removeAll(firstTick: t, neuronCount: spec.neurons) }
        outBatch.appendTick(spikes)
        // Downstream may be waiting for this batch (a delay-1 loop waits every tick): send it
        // before the bookkeeping below, which nothing downstream needs.
        if outBatch.tickCount >= batchTicks { try flushBatch() }
        try raster?.record(tick: t, spikes: spikes)
        try monitors?.sample(tick: t, pool: driver.pool)
        try feedOwnSpikes(spikes, tick: t)
        if realtime { pacer.ended(now: monotonicMicroseconds()) }
        discardHistory(after: t)
    }

    /// A projection from this pool onto itself: feeds tick `t`'s own spikes back.
    func feedOwnSpikes(_ spikes: ArraySlice<UInt16>, tick t: UInt64) throws(NodeError) {
        guard history.streams[options.pool] != nil else { return }
        scratch.removeAll(firstTick: t, neuronCount: spec.neurons)
        scratch.appendTick(spikes)
        try history.streams[options.pool]!.append(scratch)
    }

    /// Nothing before tick t + 1 − maxLag will be asked for again (`maxLag` ≥ 8: the largest
    /// lag in the network). Every 8 ticks, so that at most 8 batches go at a time and every
    /// one is kept as a spare for the next batches to decode into (every 64 ticks, most were
    /// freed and allocated anew).
    func discardHistory(after t: UInt64) {
        let keep = historyDepth
        guard t & 7 == 0, t >= keep else { return }
        // In place through the indices: looping over `keys` would hold the storage and make
        // every mutation copy the whole dictionary.
        var i = history.streams.startIndex
        while i != history.streams.endIndex {
            history.streams.values[i].discard(before: t + 1 - keep)
            history.streams.formIndex(after: &i)
        }
        source?.stream.discard(before: t)
    }

    func flushBatch() throws(NodeError) {
        if session.markerPending {
            // After a rollback, the first message of this epoch on the spike topic: receivers
            // drop everything before it (batches of the abandoned epoch).
            let cut = SnapshotCut(snapshot: lastPart?.cut.snapshot ?? 1, parent: UInt64(epoch), tick: outBatch.firstTick)
            try sender.publish(.snapshotMarker(cut), topic: spikeTopic, on: pub)
            session.markerSent()
        }
        try sender.publish(spikes: &outBatch, topic: spikeTopic, on: pub)
        counters.packetsOut = sender.packets
        counters.bytesOut = sender.bytes
        outBatch.removeAll(firstTick: driver.tick, neuronCount: spec.neurons)
    }

    func heartbeat(now: UInt64) throws(NodeError) {
        let beat = Heartbeat(state: session.state, tick: driver.tick, uptimeMicroseconds: now - started, counters: counters, overruns: pacer.overruns)
        try sender.publish(.heartbeat(beat), topic: heartbeatTopic, on: pub)
        counters.packetsOut = sender.packets
        counters.bytesOut = sender.bytes
        lastHeartbeatAt = now
        lastHeartbeatTick = driver.tick
    }

    func sendHello() throws(NodeError) {
        let hello = Hello(role: .node, pool: UInt16(options.pool), neuronCount: UInt32(spec.neurons),
                          networkHash: options.network.hash, tick: driver.tick, name: spec.name, software: neurobusSoftware)
        try sender.send(.hello(hello), stream: [], on: dealer)
        log.info("joining: HELLO sent to \(options.network.controller.control)")
    }

    func checkLiveness(now: UInt64, joinDeadline: UInt64) throws(NodeError) {
        if !session.welcomed {
            if now > joinDeadline {
                throw .timeout("no WELCOME from the controller at \(options.network.controller.control) within \(options.joinTimeoutMilliseconds) ms")
            }
            return
        }
        let liveness = Liveness(peerTimeoutMilliseconds: options.peerTimeoutMilliseconds)
        // While a snapshot is being taken the controller checks parts: busy, not gone.
        if let heard = controllerLastHeard, now - heard > liveness.controllerSilent(duringSnapshot: transfer != nil || pendingCut != nil) {
            throw .peerLost("the controller has been silent for \((now - heard) / 1000) ms")
        }
        try checkSourceLiveness(now: now, limit: liveness.sourceSilent)
        // In lockstep the controller decides first whether a silent upstream fails over or
        // stops the run; this node gives up only if that decision never comes (`Liveness`).
        let heldAtCut = pendingCut != nil || transfer != nil || (lastPart?.cut.tick == driver.tick && session.permitUntil <= driver.tick)
        let upstreamLimit = liveness.upstreamSilent(realtime: realtime, heldAtCut: heldAtCut)
        for k in feeds.indices {
            guard let silence = feeds[k].silence(at: now), silence > upstreamLimit else {
                if upstreamSilent[k] {
                    upstreamSilent[k] = false
                    log.notice("upstream pool \(feeds[k].name) is heard again")
                }
                continue
            }
            guard realtime else { throw .peerLost("upstream pool \(feeds[k].name) has been silent for \(silence / 1000) ms") }
            if !upstreamSilent[k] {
                upstreamSilent[k] = true
                log.error("upstream pool \(feeds[k].name) has been silent for \(silence / 1000) ms: its input counts as silent; running on")
            }
        }
    }

    /// Writes the raster and the final pool (on stop).
    func finishOutputs() throws(NodeError) {
        if realtime {
            log.info("real time: \(pacer.summary); late batches \(counters.late), lost \(counters.lost)")
        }
        try raster?.finish()
        raster = nil
        try monitors?.finish()
        monitors = nil
        if let out = options.out { try out.savePool(of: driver) }
    }
}

/// Microseconds on the monotonic clock.
public func monotonicMicroseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
